"""A monitor run over the model server's prediction log: 1,000,000 logged rows x 20 numeric
features, written as the server's log writer writes them (batches of 1,000-row requests), then
`run_monitor` with the reference statistics already stored (the first run builds them): in a
running process (the scheduler's case) and as `mlops-lab monitors run` in a fresh process (a
command-line user's). Also the log read alone, and the same read from the older
one-JSON-document-per-request log.

    .venv/bin/python benchmarks/bench_monitor_run.py              # ~3 minutes
    .venv/bin/python benchmarks/bench_monitor_run.py --rows 200000 --reps 3 --no-json

Prints one JSON document; each figure is the median of --reps runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid

import numpy as np
import pandas as pd

from timing import timed  # benchmarks/timing.py

COLUMNS = [f"x{i}" for i in range(20)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--request-rows", type=int, default=1_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--no-json", action="store_true",
                        help="skip the read of the older JSON-per-request log")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["MLOPS_LAB_HOME"] = os.path.join(home, ".mlops-lab")
        print(json.dumps(measure(args), indent=2))
    return 0


def measure(args) -> dict:
    from sklearn.linear_model import LogisticRegression

    from mlops_lab.serving.runtime.prediction_log import frame_json, values_json
    from mlops_lab.services import services
    from mlops_lab.store.tables import serving as t

    s = services()
    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.normal(size=(100_000, 20)), columns=COLUMNS)
    train["y"] = (train.x0 + rng.normal(size=len(train)) > 0).astype(int)
    snapshot = s.datasets.snapshot(train, "wide", show_progress=False)
    run = s.tracking.create_run(s.tracking.get_or_create_experiment("bench").id, name="fit")
    _, frame = s.datasets.load(snapshot.ref, run_id=run.id)
    model = LogisticRegression().fit(frame[COLUMNS], frame.y)
    s.models.register(model, "wide", input_example=frame[COLUMNS].head(), run_id=run.id,
                      alias="live")

    current = pd.DataFrame(rng.normal(size=(args.rows, 20)), columns=COLUMNS)
    predictions = model.predict(current)
    now = int(time.time() * 1000)
    started = time.perf_counter()
    batch = []
    for start in range(0, args.rows, args.request_rows):
        part = current.iloc[start:start + args.request_rows]
        batch.append({"request_id": uuid.uuid4().hex, "model_name": "wide", "model_version": 1,
                      "created_at": now, "row_count": len(part),
                      "inputs": {c: part[c].to_numpy() for c in COLUMNS},
                      "outputs": predictions[start:start + args.request_rows].tolist()})
        if len(batch) == 500 or start + args.request_rows >= args.rows:  # the writer's batch
            s.serving.write_prediction_logs(batch)
            batch = []
    log_seconds = time.perf_counter() - started

    s.monitors.create_monitor("wide@live", last=args.rows)
    first = time.perf_counter()
    checked = s.monitors.run_monitor("wide@live")
    first = time.perf_counter() - first
    assert checked.rows_current == args.rows and checked.status == "ok", checked.result
    figures = {
        "machine": f"{os.cpu_count()} cores, {platform.system()}, Python {sys.version.split()[0]}",
        "load_before": os.getloadavg()[0],
        "rows": args.rows, "features": len(COLUMNS), "request_rows": args.request_rows,
        "log_write_s": round(log_seconds, 2),
        "first_run_s (builds the reference statistics)": round(first, 2),
        "monitor_run_s": round(timed(lambda: s.monitors.run_monitor("wide@live"), args.reps), 3),
        # What a command-line user waits for: a fresh process, its imports, the store opened.
        "monitor_run_cli_s": round(timed(lambda: subprocess.run(
            [sys.executable, "-m", "mlops_lab.cli", "monitors", "run", "wide@live", "--json"],
            check=True, stdout=subprocess.DEVNULL), args.reps), 3),
        "log_read_s": round(timed(lambda: s.serving.prediction_frame("wide", 1, last=args.rows),
                                  args.reps), 3),
    }
    if not args.no_json:
        # The older log: one JSON document of inputs and one of outputs per request.
        with s.store.db.write() as conn:
            conn.execute(t.prediction_chunks.delete())
            for start in range(0, args.rows, args.request_rows):
                part = current.iloc[start:start + args.request_rows]
                conn.execute(t.prediction_logs.insert().values(
                    request_id=uuid.uuid4().hex, model_name="wide", model_version=1,
                    created_at=now, row_count=len(part), inputs=frame_json(part),
                    outputs=values_json(predictions[start:start + args.request_rows].tolist())))
        figures["json_log_read_s"] = round(timed(
            lambda: s.serving.prediction_frame("wide", 1, last=args.rows), 1), 2)
    figures["load_after"] = os.getloadavg()[0]
    return figures


if __name__ == "__main__":
    sys.exit(main())
