"""`mlops-lab alerts …` and `mlops-lab webhooks …` run as real processes against the test's
store: tables, JSON, moves, rules, and a secret that never appears in any output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_lab.services import services_for

from webhook_receivers import free_port, receiver_fixture

CLI = Path(sys.executable).with_name("mlops-lab")
SECRET = "cli-secret-do-not-print"


def cli(*args: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **env}, timeout=120)


@pytest.fixture
def parts(tracking):
    return services_for(tracking.store)


receiver = receiver_fixture(SECRET)


def test_rules_alerts_and_their_moves(parts, tmp_path):
    made = cli("alerts", "rules", "create", "age drift", "feature_drift", "--feature", "age",
               "--cooldown", "2h", "--json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    rule = json.loads(made.stdout)
    assert rule["params"] == {"feature": "age", "severity": "warning"}
    assert rule["cooldown_s"] == 7200
    bad = cli("alerts", "rules", "create", "x", "drift_share", "--below", "3", cwd=tmp_path)
    assert bad.returncode == 2 and "does not take below" in bad.stderr
    assert "Traceback" not in bad.stderr
    unknown = cli("alerts", "rules", "create", "x", "drift", cwd=tmp_path)
    assert unknown.returncode == 2 and "the kinds are feature_drift" in unknown.stderr
    listed = cli("alerts", "rules", "list", cwd=tmp_path)
    assert "age drift" in listed.stdout and "feature=age" in listed.stdout

    (alert,) = parts.alerts.evaluate({
        "monitor": "m", "monitor_id": None, "model_name": "churn", "alias": "champion",
        "drift": {"share": 0.5, "features": {"age": {"drifted": True, "effect_size": 0.4}}}})
    table = cli("alerts", "--state", "open", cwd=tmp_path)
    assert table.returncode == 0
    header, rule_line, row = table.stdout.splitlines()[:3]
    assert header.split()[:6] == ["id", "state", "severity", "model", "monitor", "feature"]
    assert row.split()[:6] == [str(alert.id), "open", "warning", "churn", "m", "age"]
    acked = cli("alerts", "ack", str(alert.id), "--note", "on it", "--json", cwd=tmp_path)
    assert json.loads(acked.stdout)["state"] == "acknowledged"
    assert json.loads(acked.stdout)["note"] == "on it"
    again = cli("alerts", "ack", str(alert.id), cwd=tmp_path)
    assert again.returncode == 1 and "acknowledged already" in again.stderr
    resolved = cli("alerts", "resolve", str(alert.id), cwd=tmp_path)
    assert resolved.returncode == 0 and f"Alert {alert.id} is resolved" in resolved.stdout
    assert json.loads(cli("alerts", "--json", cwd=tmp_path).stdout)["alerts"][0]["state"] == \
        "resolved"
    gone = cli("alerts", "rules", "delete", str(rule["id"]), cwd=tmp_path)
    assert gone.returncode == 0 and "Deleted alert rule" in gone.stdout


def test_webhooks_commands_never_print_the_secret(parts, tmp_path, receiver):
    outputs = []

    def run(*args, **env):
        done = cli("webhooks", *args, cwd=tmp_path, **env)
        outputs.append(done.stdout + done.stderr)
        return done

    made = run("create", "ops", receiver.url, "--secret-env", "HOOK_KEY", HOOK_KEY=SECRET)
    assert made.returncode == 0 and "signed with its secret" in made.stdout
    missing = run("create", "other", receiver.url, "--secret-env", "NOT_SET_ANYWHERE")
    assert missing.returncode == 2 and "NOT_SET_ANYWHERE is not set" in missing.stderr
    assert run("create", "bad", "ftp://example.com/x").returncode == 2
    assert run("create", "creds", "https://u:p@example.com/").returncode == 2
    assert json.loads(run("list", "--json").stdout)["webhooks"][0]["has_secret"] is True
    assert "ops" in run("list").stdout
    tested = run("test", "ops")
    assert tested.returncode == 0 and "Delivered (HTTP 200)" in tested.stdout
    assert receiver.bad_signatures == 0 and len(receiver.received) == 1
    log = json.loads(run("deliveries", "--webhook", "ops", "--json").stdout)["deliveries"]
    assert [(d["event"], d["status"]) for d in log] == [("test", "delivered")]
    assert "Delivered 0." in run("deliver").stdout
    # A receiver that is down: the list says the webhook is failing, and why.
    assert run("create", "down", f"http://127.0.0.1:{free_port()}/hook").returncode == 0
    run("test", "down")
    listed = run("list").stdout
    assert "1 delivered" in listed and "1 retrying" in listed
    assert "down is failing: delivery 2" in listed and "ConnectError" in listed
    assert run("delete", "down").returncode == 0
    assert run("delete", "ops").returncode == 0
    assert run("list", "--json").stdout.strip() == json.dumps({"webhooks": []}, indent=2)
    assert all(SECRET not in text for text in outputs)
