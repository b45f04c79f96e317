"""Model registry benchmarks: mlops-lab against MLflow, measured in the same run, as JSON.

    .venv/bin/python benchmarks/bench_models.py              # both, MLflow if available
    .venv/bin/python benchmarks/bench_models.py --no-mlflow
    .venv/bin/python benchmarks/bench_models.py --mlflow-python /path/to/python

Each figure is the median of several repetitions, on a fresh store in a temporary folder, with
a LogisticRegression fitted on scikit-learn's breast-cancer data:

- register_ms: register the fitted model as a new version of one model. mlops-lab:
  `ml.register_model(clf, "bc")` inside a run (skops file, trusted types, requirements, model
  card, run lineage). MLflow: `mlflow.sklearn.log_model(clf, name="model",
  registered_model_name="bc")` inside a run, with its defaults.
- register_with_example_ms: the same with a 5-row input example (both infer a signature).
- load_ms: load the newest version back (`ml.load_model("bc")` /
  `mlflow.sklearn.load_model("models:/bc/latest")`).

MLflow runs with its default local store (`sqlite:///mlflow.db` in the working folder), in a
subprocess of the interpreter given by --mlflow-python (by default .venv-bench/bin/python when
it exists, so MLflow's pins never touch the project's venv).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

from peers import in_fresh_store, pick_mlflow_python  # benchmarks/peers.py

TARGETS = {"register_ms": 50}


def fitted():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = (X - X.mean()) / X.std()  # standardised: lbfgs converges in a few iterations
    return LogisticRegression().fit(X, y), X.head(5)


def timed_ms(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def median_ms(reps: int, fn) -> float:
    fn()  # warm-up: first imports, first table creation
    return round(statistics.median(timed_ms(fn) for _ in range(reps)), 2)


def bench_mlops_lab(reps: int) -> dict:
    import mlops_lab as ml

    clf, example = fitted()
    with ml.start_run("bench"):
        register = median_ms(reps, lambda: ml.register_model(clf, "bc"))
        with_example = median_ms(reps, lambda: ml.register_model(clf, "bc",
                                                                 input_example=example))
    load = median_ms(reps, lambda: ml.load_model("bc"))
    return {"register_ms": register, "register_with_example_ms": with_example, "load_ms": load,
            "versions": ml.get_model_version("bc").version}


def bench_mlflow(reps: int) -> dict:
    import logging

    import mlflow
    import mlflow.sklearn

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    clf, example = fitted()

    def register(**extra):
        with mlflow.start_run():
            mlflow.sklearn.log_model(clf, name="model", registered_model_name="bc", **extra)

    result = {
        "register_ms": median_ms(reps, register),
        "register_with_example_ms": median_ms(reps, lambda: register(input_example=example)),
        "load_ms": median_ms(reps, lambda: mlflow.sklearn.load_model("models:/bc/latest")),
        "version": mlflow.__version__,
    }
    return result


def run_side(side: str, reps: int) -> dict:
    """Measures one side, in this process, in a temporary folder that holds its store."""
    return in_fresh_store(side, lambda: bench_mlops_lab(reps) if side == "mlops_lab"
                          else bench_mlflow(reps))


def side_in_subprocess(python: str, side: str, reps: int) -> dict:
    print(f"measuring {side} with {python} ...", file=sys.stderr)
    out = subprocess.run([python, str(Path(__file__).resolve()), "--side", side, "--reps",
                          str(reps)], check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=15, help="repetitions per figure (median)")
    parser.add_argument("--mlflow-reps", type=int, default=5,
                        help="repetitions for MLflow, whose registrations take seconds")
    parser.add_argument("--mlflow-python", help="interpreter with mlflow installed")
    parser.add_argument("--no-mlflow", action="store_true", help="measure mlops-lab only")
    parser.add_argument("--side", choices=["mlops_lab", "mlflow"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(run_side(args.side, args.reps)))
        return
    mlflow_python = None if args.no_mlflow else pick_mlflow_python(args.mlflow_python)
    ours = side_in_subprocess(sys.executable, "mlops_lab", args.reps)
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "targets": TARGETS,
        "mlops_lab": ours,
        "meets_targets": {k: ours[k] <= goal for k, goal in TARGETS.items()},
        "mlflow": (side_in_subprocess(mlflow_python, "mlflow", args.mlflow_reps)
                   if mlflow_python else None),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
