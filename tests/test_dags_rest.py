"""The DAG routes through a real Jupyter server with the extension, on a real store; the resume
runs real pipeline runs in the server."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import delete

from mlops_lab.pipelines.dags.executor import StepOutcome
from mlops_lab.pipelines.dags.service import DagService
from mlops_lab.store.tables.dags import dag_runs

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module
from test_pipelines import step_notebook as notebook

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def dag_store(store):
    with store.db.write() as conn:
        conn.execute(delete(dag_runs))
    return store


@pytest.fixture
def jp_server_config(dag_store):
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


@pytest.fixture
def failed_run(dag_store, tmp_path):
    """A DAG run whose step b failed (run by a test runner); its notebooks are real."""
    notebook(tmp_path / "a.ipynb", "x = 1", "import mlops_lab as ml\nml.output('y', x + 1)")
    notebook(tmp_path / "b.ipynb", "x = 0", "import mlops_lab as ml\nml.output('y', x * 3)")
    (tmp_path / "pipeline.yaml").write_text(f"""
name: "{EVIL}"
steps:
  a: {{notebook: a.ipynb, parameters: {{x: 1}}}}
  b: {{notebook: b.ipynb, depends_on: [a], parameters: {{x: "${{a.y}}"}}}}
""")

    def runner(call, link):
        if call.step.name == "b":
            return StepOutcome("FAILED", error=f"b failed: {EVIL}")
        return StepOutcome("SUCCEEDED", outputs={"y": 2})

    return DagService(dag_store, runner).run(tmp_path / "pipeline.yaml")


def test_list_and_show_dag_runs(fetch, jp_auth_header, failed_run):
    listed = fetch("dag-runs", headers=jp_auth_header)
    assert listed.code == 200
    [row] = json.loads(listed.body)["dag_runs"]
    assert row["id"] == failed_run.id and row["status"] == "FAILED" and "steps" not in row
    assert row["counts"] == {"SUCCEEDED": 1, "FAILED": 1}
    assert b"<img" not in listed.body  # every < of stored text is escaped in the JSON text
    assert row["name"] == EVIL

    shown = fetch(f"dag-runs/{failed_run.id}", headers=jp_auth_header)
    doc = json.loads(shown.body)
    assert [(s["name"], s["status"], s["depth"]) for s in doc["steps"]] == [
        ("a", "SUCCEEDED", 0), ("b", "FAILED", 1)]
    assert doc["edges"] == [{"from": "a", "to": "b"}]
    assert doc["steps"][1]["declared_parameters"] == {"x": "${a.y}"}

    assert json.loads(fetch("dag-runs?status=SUCCEEDED", headers=jp_auth_header).body) == {
        "dag_runs": [], "next_page_token": None, "total": None}
    bad = fetch("dag-runs?status=DONE", headers=jp_auth_header)
    assert bad.code == 400 and json.loads(bad.body)["error"] == "InvalidInput"
    assert fetch("dag-runs?limit=x", headers=jp_auth_header).code == 400


def test_resume_runs_the_failed_step_in_the_server(fetch, jp_auth_header, failed_run):
    started = fetch(f"dag-runs/{failed_run.id}/resume", headers=jp_auth_header, method="POST",
                    body="{}")
    assert started.code == 202, started.body
    assert json.loads(started.body)["attempt"] == 2

    deadline = time.monotonic() + 300
    while True:  # the attempt runs in the server: poll it as the panel does
        doc = json.loads(fetch(f"dag-runs/{failed_run.id}", headers=jp_auth_header).body)
        if doc["status"] != "RUNNING":
            break
        assert time.monotonic() < deadline, doc
        time.sleep(0.2)
    assert doc["status"] == "SUCCEEDED", doc
    b = doc["steps"][1]
    assert b["parameters"] == {"x": 2} and b["outputs"] == {"y": 6} and b["attempt"] == 2
    assert b["pipeline_run_id"] and b["run_id"]

    again = fetch(f"dag-runs/{failed_run.id}/resume", headers=jp_auth_header, method="POST",
                  body="{}")
    assert again.code == 409 and "only a FAILED DAG run" in json.loads(again.body)["message"]


def test_resume_refuses_unknown_ids_bad_bodies_and_no_credentials(fetch, jp_auth_header,
                                                                  failed_run):
    assert fetch(f"dag-runs/{'0' * 32}/resume", headers=jp_auth_header, method="POST",
                 body="{}").code == 404
    for bad in ("../x", "%2e%2e", "A" * 32, "0" * 31):
        assert fetch(f"dag-runs/{bad}", headers=jp_auth_header).code == 404
        # Outside the id pattern no DAG route matches: the API's catch-all answers.
        assert fetch(f"dag-runs/{bad}/resume", headers=jp_auth_header, method="POST",
                     body="{}").code in (404, 405)
    assert fetch(f"dag-runs/{failed_run.id}/resume", headers=jp_auth_header, method="POST",
                 body="[1]").code == 400
    assert fetch(f"dag-runs/{failed_run.id}/resume", method="POST", body="{}").code == 403
    assert fetch("dag-runs").code == 403
    # A cookie without the XSRF header is refused too.
    assert fetch(f"dag-runs/{failed_run.id}/resume", method="POST", body="{}",
                 headers={"Cookie": "_xsrf=abc"}).code == 403
    assert fetch(f"dag-runs/{failed_run.id}/resume", headers=jp_auth_header).code == 405
    still = json.loads(fetch(f"dag-runs/{failed_run.id}", headers=jp_auth_header).body)
    assert still["status"] == "FAILED" and still["attempt"] == 1
