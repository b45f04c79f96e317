"""Sweep speed: a 16-point sweep of a notebook that takes 1 second, run serially (one point at
a time) and on the local pool, side by side in one run. Goal: parallel <= 0.6 x serial on 2
cores.

    .venv/bin/python benchmarks/bench_sweeps.py                 # 3 repetitions, ~6 min on 2 cores
    .venv/bin/python benchmarks/bench_sweeps.py --points 8 --repeat 1 --workers 2 4

Each point is a real pipeline run (papermill in a worker process, a fresh kernel) on a
temporary SQLite store. Prints one JSON document; each figure is the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path


def write_notebook(path: Path, seconds: float) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    params = new_code_cell(f"point = 0\nseconds = {seconds}")
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell(
        "import time\nimport mlops_lab as ml\ntime.sleep(seconds)\nml.output('point', point)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=1.0, help="how long each point runs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[4],
                        help="local pool sizes to measure against serial (default 4)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-sweeps-"))
    os.environ["MLOPS_LAB_HOME"] = str(work / ".mlops-lab")
    os.environ["MLOPS_LAB_PIPELINE_WORKERS"] = str(max(args.workers + [1]))
    os.chdir(work)
    notebook = work / "one_second.ipynb"
    write_notebook(notebook, args.seconds)

    import mlops_lab as ml

    grid = {"point": list(range(args.points))}

    def timed(workers: int) -> float:
        started = time.perf_counter()
        result = ml.sweep(notebook, grid=grid, workers=workers, name=f"bench w={workers}")
        elapsed = time.perf_counter() - started
        assert result.status == "SUCCEEDED", [p.error for p in result.points if p.error]
        return elapsed

    timed(1 if args.points < 2 else 2)  # warm: imports, the store, the kernel spec
    samples: dict[str, list[float]] = {"serial": []}
    for workers in args.workers:
        samples[f"workers_{workers}"] = []
    for _ in range(args.repeat):  # interleaved, so load changes touch both alike
        samples["serial"].append(timed(1))
        for workers in args.workers:
            samples[f"workers_{workers}"].append(timed(workers))

    serial = statistics.median(samples["serial"])
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "system": platform.system()},
        "points": args.points, "point_seconds": args.seconds, "repeat": args.repeat,
        "serial_s": round(serial, 2),
        "parallel": {
            name: {"median_s": round(statistics.median(values), 2),
                   "ratio_to_serial": round(statistics.median(values) / serial, 3),
                   "samples_s": [round(v, 2) for v in values]}
            for name, values in samples.items() if name != "serial"},
        "serial_samples_s": [round(v, 2) for v in samples["serial"]],
        "goal": "parallel <= 0.6 x serial on 2 cores",
    }
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
