"""The statistical gate on 100,000 labelled rows: a LogisticRegression champion against a
random-forest challenger, each gate scoring both versions on the snapshot (reading it
included), then the paired interval of the difference — a 1,000-resample paired bootstrap for
accuracy, DeLong's test for ROC AUC (and the bootstrap for log loss, a metric with a
distinct value on nearly every row, for comparison). Also a benchmark of three versions.

    .venv/bin/python benchmarks/bench_gate.py            # about a minute
    .venv/bin/python benchmarks/bench_gate.py --rows 20000 --reps 3

Prints one JSON document; each figure is the median of --reps gates in one warm process (the
case of the scheduler's retraining loop and of a notebook), and `cli_gate_*` of --reps
`mlops-lab gate` commands, each a fresh process (a CI step's case). No peer is timed: none of TFX,
MLflow's MetricThreshold, SageMaker's example or ZenML's template computes an interval of the
difference; they compare point estimates.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

from timing import timed  # benchmarks/timing.py

COLUMNS = [f"x{i}" for i in range(20)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["MLOPS_LAB_HOME"] = os.path.join(home, ".mlops-lab")
        print(json.dumps(measure(args.rows, args.resamples, args.reps), indent=2))
    return 0


def measure(rows: int, resamples: int, reps: int) -> dict:
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    import mlops_lab as ml
    from mlops_lab.services import services

    X, y = make_classification(n_samples=rows + 20_000, n_features=20, n_informative=8,
                               random_state=0)
    frame = pd.DataFrame(X, columns=COLUMNS).assign(churned=np.where(y == 1, "yes", "no"))
    train, holdout = frame.iloc[:20_000], frame.iloc[20_000:]
    champion = LogisticRegression(max_iter=1000).fit(train[COLUMNS], train["churned"])
    challenger = RandomForestClassifier(n_estimators=100, max_depth=12, n_jobs=-1,
                                        random_state=0).fit(train[COLUMNS], train["churned"])
    ml.register_model(champion, "churn", input_example=train[COLUMNS].head(3))
    ml.register_model(challenger, "churn", input_example=train[COLUMNS].head(3))
    ml.register_model(RandomForestClassifier(n_estimators=30, max_depth=6, n_jobs=-1,
                                             random_state=1).fit(train[COLUMNS],
                                                                 train["churned"]),
                      "churn", input_example=train[COLUMNS].head(3))
    ml.set_alias("churn", "champion", 1)
    ml.snapshot(holdout, "holdout")
    evaluation = services().evaluation
    scoring = {}
    for version in (1, 2):
        predictor = services().serving.load_predictor(f"churn/{version}")
        inputs = holdout[COLUMNS]
        scoring[version] = timed(lambda: predictor.model.predict_proba(inputs), reps)
    figures = {}
    for metric in ("accuracy", "roc_auc", "log_loss"):
        docs = []

        def gate():
            docs.append(evaluation.gate("churn/2", "churn@champion", "holdout", "churned",
                                        metric=metric, resamples=resamples, margin=0.01))
        figures[f"gate_{metric}_s"] = round(timed(gate, reps), 3)
        doc = docs[-1].doc
        figures[f"gate_{metric}_result"] = {"passed": docs[-1].passed,
                                            "improvement": doc["improvement"],
                                            "method": doc["method"]}
    # A CI step's case: `mlops-lab gate` in a fresh process (interpreter, imports, store
    # opening, loading both model files and the snapshot, then the gate).
    command = [os.path.join(os.path.dirname(sys.executable), "mlops-lab"), "gate", "churn/2",
               "churn@champion", "--data", "holdout", "--label", "churned",
               "--resamples", str(resamples), "--margin", "0.01"]
    for metric in ("accuracy", "roc_auc"):
        figures[f"cli_gate_{metric}_s"] = round(timed(lambda: subprocess.run(
            [*command, "--metric", metric], check=True, capture_output=True), reps), 3)
    figures["benchmark_3_versions_2_metrics_s"] = round(timed(
        lambda: evaluation.benchmark_models(["churn/1", "churn/2", "churn/3"], "holdout",
                                            "churned", metrics=["roc_auc", "accuracy"],
                                            resamples=resamples), reps), 3)
    return {
        "rows": rows, "resamples": resamples, "reps": reps,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "platform": platform.platform(), "load_1min": os.getloadavg()[0]},
        "scoring_predict_proba_s": {"champion_logistic": round(scoring[1], 3),
                                    "challenger_forest": round(scoring[2], 3)},
        **figures,
    }


if __name__ == "__main__":
    sys.exit(main())
