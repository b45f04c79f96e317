"""Tracking benchmarks: mlops-lab against MLflow, measured in the same run, printed as JSON.

    .venv/bin/python benchmarks/bench_tracking.py              # both, MLflow if available
    .venv/bin/python benchmarks/bench_tracking.py --no-mlflow
    .venv/bin/python benchmarks/bench_tracking.py --mlflow-python /path/to/python

Each figure is the median of several repetitions, on a fresh store in a temporary folder:

- log_metric_per_s: single `log_metric` calls per second on SQLite; each call is durable when it
  returns (its own committed transaction).
- runs_1000_s: seconds to record 1,000 runs, each with 5 params and 5 metrics.
- search_ms: a metric filter ordered by a metric, first 100 of 10,000 runs.
- import_ms: `python -c "import <package>"` minus `python -c "pass"`, fresh processes.
- cell_overhead_ms: the cost of tracking one trivial cell (`x = 1`). mlops-lab: a `%%track` cell
  against the bare cell in one IPython InteractiveShell. MLflow has no cell magic; it gets the
  same cell wrapped in `with mlflow.start_run():`.

MLflow runs with its default local store (`sqlite:///mlflow.db` in the working folder since
MLflow 3), in a subprocess of the interpreter given by --mlflow-python (by default
.venv-bench/bin/python when it exists, so MLflow's pins never touch the project's venv).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peers import in_fresh_store, pick_mlflow_python  # benchmarks/peers.py


TARGETS = {  # mlops-lab goals; higher is better for log_metric_per_s, lower for the rest
    "log_metric_per_s": 10_000,
    "runs_1000_s": 1.5,
    "search_ms": 30,
    "import_ms": 150,
    "cell_overhead_ms": 2,
}

METRIC_CALLS = 2_000  # log_metric calls per repetition
SEARCH_RUNS = 10_000
SEARCH_FILTER = "metrics.acc > 0.5"


def median_of(reps: int, measure) -> float:
    return statistics.median(measure() for _ in range(reps))


def import_ms(python: str, module: str, reps: int = 7) -> float:
    def once(code: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([python, "-c", code], check=True, cwd=tempfile.gettempdir())
        return time.perf_counter() - t0

    once(f"import {module}")  # warm the OS file cache and the bytecode cache
    bare = statistics.median(once("pass") for _ in range(reps))
    loaded = statistics.median(once(f"import {module}") for _ in range(reps))
    return round((loaded - bare) * 1000, 1)


def five(prefix: str, i: int) -> dict:
    return {f"{prefix}{k}": (i * 5 + k) / 7 for k in range(5)}


# ---------------------------------------------------------------- mlops-lab


def bench_mlops_lab(reps: int) -> dict:
    import mlops_lab as ml
    from mlops_lab.store import open_store
    from mlops_lab.tracking.service import TrackingService

    ml.set_experiment("log_metric")

    def log_metric_rate() -> float:
        with ml.start_run():
            t0 = time.perf_counter()
            for i in range(METRIC_CALLS):
                ml.log_metric("loss", 1 / (i + 1), step=i)
            elapsed = time.perf_counter() - t0
        return METRIC_CALLS / elapsed

    experiments = itertools.count(1)  # a new experiment per repetition

    def thousand_runs() -> float:
        ml.set_experiment(f"runs-{next(experiments)}")
        t0 = time.perf_counter()
        for i in range(1000):
            with ml.start_run():
                ml.log_params(five("p", i))
                ml.log_metrics(five("m", i))
        return time.perf_counter() - t0

    service = TrackingService(open_store())
    experiment = service.get_or_create_experiment("search")
    rng = random.Random(0)
    for i in range(SEARCH_RUNS):
        run = service.create_run(experiment.id)
        service.log_params(run.id, {"model": rng.choice(["rf", "lr", "svm"]), "i": i})
        service.log_metrics(run.id, {"acc": rng.random(), "loss": rng.random()})
        service.end_run(run.id)

    def search() -> float:
        t0 = time.perf_counter()
        page = ml.search_runs(experiment="search", filter=SEARCH_FILTER,
                              order_by=["metrics.acc desc"], max_results=100)
        elapsed = time.perf_counter() - t0
        assert page.runs  # the query really returned a page
        return elapsed * 1000

    search()  # warm-up: first query plans, caches
    return {
        "package": "mlops_lab",
        "version": ml.__version__,
        "store": service.store_info()["database"],
        "log_metric_per_s": round(median_of(reps, log_metric_rate)),
        "runs_1000_s": round(median_of(max(3, reps // 2), thousand_runs), 3),
        "search_ms": round(median_of(reps * 3, search), 2),
        "search_over_runs": SEARCH_RUNS,
        "import_ms": import_ms(sys.executable, "mlops_lab"),
        "cell_overhead_ms": track_overhead_ms(),
    }


def track_overhead_ms(cells: int = 300) -> float:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "mlops_lab")

    def per_cell(source: str) -> float:
        times = []
        for _ in range(cells):
            t0 = time.perf_counter()
            result = shell.run_cell(source)
            times.append(time.perf_counter() - t0)
            result.raise_error()
        return statistics.median(times)

    per_cell("x = 1")
    per_cell("%%track\nx = 1")  # warm-up: store opened, environment captured once
    bare = per_cell("x = 1")
    tracked = per_cell("%%track\nx = 1")
    return round((tracked - bare) * 1000, 3)


# ---------------------------------------------------------------- MLflow


def bench_mlflow(reps: int) -> dict:
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_experiment("log_metric")

    def log_metric_rate(calls: int = 300) -> float:  # fewer calls: each is a slow commit
        with mlflow.start_run():
            t0 = time.perf_counter()
            for i in range(calls):
                mlflow.log_metric("loss", 1 / (i + 1), step=i)
            elapsed = time.perf_counter() - t0
        return calls / elapsed

    experiments = itertools.count(1)  # a new experiment per repetition

    def thousand_runs() -> float:
        mlflow.set_experiment(f"runs-{next(experiments)}")
        t0 = time.perf_counter()
        for i in range(1000):
            with mlflow.start_run():
                mlflow.log_params(five("p", i))
                mlflow.log_metrics(five("m", i))
        return time.perf_counter() - t0

    client = MlflowClient()
    experiment_id = client.create_experiment("search")
    rng = random.Random(0)
    from mlflow.entities import Metric, Param

    for i in range(SEARCH_RUNS):
        run = client.create_run(experiment_id)
        now = int(time.time() * 1000)
        # One batch per run (not finished: status does not matter to the search, and
        # MLflow's per-commit cost makes populating 10,000 runs slow enough already).
        client.log_batch(
            run.info.run_id,
            metrics=[Metric("acc", rng.random(), now, 0), Metric("loss", rng.random(), now, 0)],
            params=[Param("model", rng.choice(["rf", "lr", "svm"])), Param("i", str(i))],
        )
        if i % 1000 == 999:
            print(f"  mlflow: {i + 1} runs stored for the search", file=sys.stderr)

    def search() -> float:
        t0 = time.perf_counter()
        runs = client.search_runs([experiment_id], filter_string=SEARCH_FILTER,
                                  order_by=["metrics.acc DESC"], max_results=100)
        elapsed = time.perf_counter() - t0
        assert runs  # the query really returned a page
        return elapsed * 1000

    def cell_overhead(cells: int = 100) -> float:
        def cell():  # the trivial cell, `x = 1`
            x = 1
            return x

        def per_cell(tracked: bool) -> float:
            times = []
            for _ in range(cells):
                t0 = time.perf_counter()
                if tracked:
                    with mlflow.start_run():
                        cell()
                else:
                    cell()
                times.append(time.perf_counter() - t0)
            return statistics.median(times)

        per_cell(True)
        return round((per_cell(True) - per_cell(False)) * 1000, 3)

    search()
    return {
        "package": "mlflow",
        "version": mlflow.__version__,
        "store": mlflow.get_tracking_uri(),
        "log_metric_per_s": round(median_of(reps, log_metric_rate)),
        "runs_1000_s": round(median_of(max(3, reps // 2), thousand_runs), 3),
        "search_ms": round(median_of(reps * 3, search), 2),
        "search_over_runs": SEARCH_RUNS,
        "import_ms": import_ms(sys.executable, "mlflow"),
        "cell_overhead_ms": cell_overhead(),
    }


# ---------------------------------------------------------------- driver


def run_side(side: str, reps: int) -> dict:
    """Measures one side, in this process, in a temporary folder that holds its store."""
    return in_fresh_store(side, lambda: bench_mlops_lab(reps) if side == "mlops_lab"
                          else bench_mlflow(reps))


def side_in_subprocess(python: str, side: str, reps: int, search_runs: int) -> dict:
    """Each side gets a fresh interpreter: no shared caches, no shared imports."""
    print(f"measuring {side} with {python} ...", file=sys.stderr)
    out = subprocess.run(
        [python, str(Path(__file__).resolve()), "--side", side, "--reps", str(reps),
         "--search-runs", str(search_runs)],
        check=True, stdout=subprocess.PIPE, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def against_targets(ours: dict) -> dict:
    return {
        key: (ours[key] >= goal if key == "log_metric_per_s" else ours[key] <= goal)
        for key, goal in TARGETS.items()
    }


def main() -> None:
    global SEARCH_RUNS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions per figure (median)")
    parser.add_argument("--mlflow-python", help="interpreter with mlflow installed")
    parser.add_argument("--no-mlflow", action="store_true", help="measure mlops-lab only")
    parser.add_argument("--search-runs", type=int, default=SEARCH_RUNS,
                        help="runs in the store the search runs over (default %(default)s)")
    parser.add_argument("--side", choices=["mlops_lab", "mlflow"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    SEARCH_RUNS = args.search_runs
    if args.side:  # one side only, as the subprocess of a full run
        print(json.dumps(run_side(args.side, args.reps)))
        return

    mlflow_python = None if args.no_mlflow else pick_mlflow_python(args.mlflow_python)
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "targets": TARGETS,
        "mlops_lab": side_in_subprocess(sys.executable, "mlops_lab", args.reps, SEARCH_RUNS),
    }
    report["meets_targets"] = against_targets(report["mlops_lab"])
    report["mlflow"] = (
        side_in_subprocess(mlflow_python, "mlflow", args.reps, SEARCH_RUNS) if mlflow_python else None
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
