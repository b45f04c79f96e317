"""The monitoring loop on real parts: `mlops-lab serve` answers and logs predictions, the
`mlops-lab` command creates and runs a monitor over that log, labels arrive from a file, and the
scheduler runs a scheduled monitor on its tick."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pandas as pd

from test_monitors_service import (FEATURES, champion, customers, log_predictions,  # noqa: F401
                                   s)
from test_serving_server import serving


def cli(*args: str, check: int | None = 0) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "mlops_lab.cli", *args], capture_output=True,
                          text=True, env=dict(os.environ), timeout=300)
    if check is not None:
        assert proc.returncode == check, proc.stdout + proc.stderr
    return proc


def predict_all(url: str, frame: pd.DataFrame, batch: int = 100) -> list[str]:
    ids = []
    for start in range(0, len(frame), batch):
        records = frame[FEATURES].iloc[start:start + batch].to_dict("records")
        r = httpx.post(f"{url}/predict", json={"records": records}, timeout=30)
        assert r.status_code == 200, r.text
        ids.append(r.json()["request_id"])
    return ids


def wait_for_log(s, name: str, rows: int) -> None:
    """Until the server's log writer has stored `rows` rows (it writes off the request path)."""
    deadline = time.monotonic() + 60
    while len(s.serving.prediction_frame(name)) < rows:
        assert time.monotonic() < deadline, "the prediction log was not written"
        time.sleep(0.05)


def test_serve_log_monitor_labels_and_check(s, champion, tmp_path):
    current = customers(1200, seed=11)
    shifted = customers(1200, seed=12, income_shift=1.0)
    with serving("churn@champion") as url:
        ids = predict_all(url, current)
        wait_for_log(s, "churn", 1200)
        cli("monitors", "create", "churn@champion", "--last", "1200", "--metric", "accuracy")
        first = json.loads(cli("monitors", "run", "churn@champion", "--json", "--check").stdout)
        assert first["status"] == "ok" and first["rows_current"] == 1200
        assert first["result"]["performance"]["estimated"] is True

        # Labels for every row of the first half of the requests, from a file.
        rows = [(rid, n, label) for i, rid in enumerate(ids[:6])
                for n, label in enumerate(current["churned"][i * 100:(i + 1) * 100])]
        pd.DataFrame(rows, columns=["request_id", "row", "churned"]).to_csv(
            tmp_path / "outcomes.csv", index=False)
        out = cli("labels", "log", str(tmp_path / "outcomes.csv"), "--label", "churned",
                  "--row", "row").stdout
        assert "recorded 600 label(s)" in out
        measured = json.loads(cli("monitors", "run", "churn@champion", "--json").stdout)
        perf = measured["result"]["performance"]
        assert perf["estimated"] is False and perf["labelled_rows"] == 600

        predict_all(url, shifted)
        wait_for_log(s, "churn", 2400)
        drifted = cli("monitors", "run", "churn@champion", "--check", check=1).stdout
        assert "churn@champion: drift" in drifted and "income" in drifted
    listing = cli("monitors").stdout
    assert "churn@champion" in listing and "drift" in listing and "income" in listing


def test_the_scheduler_runs_the_monitor_and_its_alert_reaches_a_webhook(s, champion):
    """The whole loop on its own: a scheduled monitor finds drift in the log, its rule opens an
    alert, and the scheduler's monitoring thread delivers it, signed, to a real receiver."""

    from mlops_lab.pipelines.schedules.scheduler import start_in_thread
    from webhook_receivers import Receiver

    version, model = champion
    log_predictions(s, version, model, customers(1500, seed=13, income_shift=1.0))
    monitor = s.monitors.create_monitor("churn@champion", schedule="0 * * * *")
    s.alerts.create_alert_rule("income moved", "feature_drift", monitor=monitor.name)
    receiver = Receiver(secret="s3cret")
    s.webhooks.create_webhook("ops", receiver.url, secret="s3cret")
    due = s.monitors.get_monitor(monitor.name).next_run_at
    thread, stop = start_in_thread(s.store, clock=lambda: due / 1000, launch=False)
    try:
        deadline = time.monotonic() + 120
        while not receiver.received:
            assert thread.is_alive() and time.monotonic() < deadline, "nothing was delivered"
            time.sleep(0.05)
    finally:
        stop.set()
        receiver.stop()
    runs = s.monitors.list_runs(monitor.name)
    assert [(r.trigger, r.status) for r in runs] == [("schedule", "drift")]
    alert = s.alerts.list_alerts(state="open")[0]
    assert alert.feature == "income" and alert.monitor_id == monitor.id
    headers, body = receiver.received[0]
    sent = json.loads(body)
    assert receiver.bad_signatures == 0 and sent["event"] == "opened"
    assert sent["alert"]["feature"] == "income" and sent["alert"]["id"] == alert.id


def test_drift_of_two_files_from_the_command_line(tmp_path):
    customers(2000, seed=1).to_parquet(tmp_path / "train.parquet")
    customers(2000, seed=2, income_shift=1.0).to_csv(tmp_path / "recent.csv", index=False)
    out = cli("drift", str(tmp_path / "train.parquet"), str(tmp_path / "recent.csv"),
              "--columns", "age", "income", "plan", "--check", check=1).stdout
    assert "1 of 3 columns drifted" in out and out.splitlines()[3].startswith("income")
    same = cli("drift", str(tmp_path / "train.parquet"), str(tmp_path / "train.parquet"),
               "--check")
    assert "No dataset drift" in same.stdout


def test_labels_from_a_labelled_snapshot(s, champion):
    version, model = champion
    current = customers(40, seed=14)
    ids = log_predictions(s, version, model, current, batch=1)
    outcomes = pd.DataFrame({"request_id": ids, "churned": current["churned"]})
    s.datasets.snapshot(outcomes, "outcomes")
    out = cli("labels", "log", "outcomes@1", "--label", "churned").stdout
    assert "recorded 40 label(s)" in out
    assert len(s.monitors.labels_for(ids)) == 40
    bad = cli("labels", "log", "outcomes@1", "--label", "label", check=2)
    assert "has no column(s) label" in bad.stderr
