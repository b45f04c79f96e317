"""Retraining rules over REST (a real Jupyter server with the extension) and from the
`mlops-lab retrain` command (a real process), on a real store; answers fit the OpenAPI
document, notebook paths stay inside the server's root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation_models import churn_data, churn_store
from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module
from test_pipelines import notebook
from test_rest_contract import conforms
from test_retraining import RETRAIN

CLI = Path(sys.executable).with_name("mlops-lab")
PARAMETERS = 'snapshot = "train"\nn_estimators = 40\nmax_depth = 8\nfail = False\nhold = ""'


@pytest.fixture
def jp_server_config(store_home):
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


@pytest.fixture
def ml(store_home, jp_root_dir):
    found = with_train(churn_store())
    notebook(Path(jp_root_dir) / "retrain.ipynb", RETRAIN, parameters=PARAMETERS)
    return found


def with_train(found):
    """The store with the training snapshot the retraining notebook reads."""
    found.datasets.snapshot(churn_data(rows=1200)[0], "train")
    return found


def answer(response, status=200):
    assert response.code == status, response.body
    return json.loads(response.body)


RULE = {"name": "churn-on-drift", "model": "churn", "notebook": "retrain.ipynb",
        "on": "alert", "gate": {"data": "holdout", "label": "churned"}}


def test_rules_over_rest_create_list_pause_fire_and_delete(fetch, jp_auth_header, ml):
    rule = answer(fetch("retraining/rules", jp_auth_header, body=RULE), 201)
    conforms(rule, "RetrainingRule")
    assert rule["notebook_path"] == "retrain.ipynb" and rule["created_by"]
    listed = answer(fetch("retraining/rules?model=churn", jp_auth_header))
    assert [r["name"] for r in listed["rules"]] == ["churn-on-drift"] and listed["total"] == 1
    paused = answer(fetch("retraining/rules/churn-on-drift", jp_auth_header, method="PATCH",
                          body={"enabled": False}))
    assert paused["enabled"] is False
    firing = answer(fetch("retraining/rules/churn-on-drift/fire", jp_auth_header,
                          method="POST", body=b""), 201)
    conforms(firing, "RetrainingFiring")
    assert firing["status"] == "running" and firing["trigger"]["kind"] == "by hand"
    ml.pipelines.wait(firing["pipeline_run_id"], timeout=180)
    ml.retraining.check()
    firings = answer(fetch("retraining/firings?model=churn", jp_auth_header))["firings"]
    assert firings[0]["status"] == "promoted" and firings[0]["evaluation_id"], firings[0]["message"]
    assert answer(fetch("retraining/firings?rule=churn-on-drift&status=promoted",
                        jp_auth_header))["firings"][0]["id"] == firing["id"]
    gone = answer(fetch("retraining/rules/churn-on-drift", jp_auth_header, method="DELETE"))
    assert gone["name"] == "churn-on-drift"
    assert fetch("retraining/rules/churn-on-drift", jp_auth_header).code == 404


@pytest.mark.parametrize("body, status, message", [
    ({**RULE, "notebook": "../outside.ipynb"}, 400, "root"),
    ({**RULE, "notebook": "/etc/passwd"}, 400, "root"),
    ({**RULE, "when": "now"}, 400, "takes no 'when'"),
    ({k: v for k, v in RULE.items() if k != "on"}, 400, "needs on"),
    ({**RULE, "on": "snapshot"}, 400, "needs dataset"),
    ({**RULE, "model": "nobody"}, 404, "nobody"),
])
def test_a_bad_rule_over_rest_is_refused(fetch, jp_auth_header, ml, body, status, message):
    got = answer(fetch("retraining/rules", jp_auth_header, body=body), status)
    assert message in got["message"]
    assert answer(fetch("retraining/rules", jp_auth_header))["rules"] == []


def test_a_second_rule_of_the_same_name_is_a_conflict(fetch, jp_auth_header, ml):
    answer(fetch("retraining/rules", jp_auth_header, body=RULE), 201)
    assert fetch("retraining/rules", jp_auth_header, body=RULE).code == 409
    assert fetch("retraining/rules/churn-on-drift", jp_auth_header, method="PATCH",
                 body={"enabled": True, "cron": "x"}).code == 400


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, cwd=cwd,
                          env=os.environ.copy(), timeout=240)


def test_the_retrain_command_creates_fires_and_shows(store_home, tmp_path):
    ml = with_train(churn_store())
    nb = notebook(tmp_path / "retrain.ipynb", RETRAIN, parameters=PARAMETERS)
    made = cli("retrain", "create", "weekly", "--model", "churn", "--notebook", str(nb),
               "--on", "schedule", "--cron", "0 3 * * 1", "-p", "max_depth", "6",
               "--gate-data", "holdout", "--gate-label", "churned", "--gate-metric",
               "roc_auc", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "schedule '0 3 * * 1' (UTC)" in made.stdout
    assert ml.retraining.get_rule("weekly").parameters == {"max_depth": 6}
    fired = cli("retrain", "fire", "weekly", cwd=tmp_path)
    assert fired.returncode == 0 and "running, pipeline run" in fired.stdout
    (firing,) = ml.retraining.list_firings("weekly")
    ml.pipelines.wait(firing.pipeline_run_id, timeout=180)
    checked = cli("retrain", "check", cwd=tmp_path)
    assert "promoted" in checked.stdout, checked.stdout + checked.stderr
    shown = cli("retrain", "show", "weekly", cwd=tmp_path)
    assert "promoted" in shown.stdout and "by " in shown.stdout
    listed = cli("retrain", "list", "--json", cwd=tmp_path)
    assert json.loads(listed.stdout)[0]["name"] == "weekly"
    bad = cli("retrain", "create", "x", "--model", "churn", "--notebook", str(nb),
              "--on", "snapshot", cwd=tmp_path)
    assert bad.returncode == 2 and "needs dataset" in bad.stderr
