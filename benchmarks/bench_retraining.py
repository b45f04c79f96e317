"""From a drift alert to the model server answering with the retrained version: the loop of
`mlops-lab demo` with a one-cell retraining notebook, each repetition in a fresh folder with a
store of its own and a real `mlops-lab serve`. The retraining is driven as the scheduler drives
it (`check_retraining()` rounds, polled without pause), so the figures are the loop's own work,
not the scheduler's 5-second tick.

    .venv/bin/python benchmarks/bench_retraining.py            # 3 repetitions, ~1.5 minutes
    .venv/bin/python benchmarks/bench_retraining.py --reps 5

Prints one JSON document: each repetition's parts (seconds) and their medians.

- total_s: the alert opening -> the first answer from the new version
- fire_s: the alert -> the rule's firing recorded (one check round)
- pipeline_s: the firing -> the pipeline run ended; of which pipeline_start_s is a worker
  claiming the run and notebook_s the worker's papermill run (kernel start, training,
  registering; registration_s is the `register_model` call, measured in the notebook)
- judge_s: the run ended -> the firing judged (the check that saw it end, the gate, the alias
  move); of which gate_s is the gate itself
- swap_s: the alias moved -> the server's first answer from the new version (it polls the
  alias every second)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics


def one_loop() -> dict:
    from mlops_lab.demo.folder import demo_folder
    from mlops_lab.demo.report import Reporter
    from mlops_lab.demo.steps import run
    from mlops_lab.services import forget

    report = Reporter(quiet=True)
    with demo_folder() as folder:
        forget()  # a new store in each folder
        run(folder, report, one_cell=True)
    return report.steps["swapped"]["timing"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    runs = [one_loop() for _ in range(args.reps)]
    parts = list(runs[0])
    print(json.dumps({
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "reps": args.reps,
        "median_s": {p: round(statistics.median(r[p] for r in runs), 3) for p in parts},
        "runs": runs,
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
