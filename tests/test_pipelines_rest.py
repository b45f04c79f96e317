"""The pipelines REST API through a real Jupyter server with the extension loaded: runs start
real workers and kernels; notebook paths must stay inside the server's root."""

from __future__ import annotations

import json
import os
import time

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module

from test_pipelines import DEADLINE, clear_pipeline_tables, notebook


@pytest.fixture
def jp_server_config(store):
    clear_pipeline_tables(store)
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


@pytest.fixture
def api(jp_fetch, jp_asyncio_loop):
    def call(*parts, method="GET", body=None, params=None, expect=200, raw=None):
        kwargs = {"method": method, "params": params}
        if raw is not None:
            kwargs["body"] = raw
        elif body is not None:
            kwargs["body"] = json.dumps(body)
        elif method in ("POST", "PATCH"):
            kwargs["body"] = "{}"
        try:
            response = jp_asyncio_loop.run_until_complete(
                jp_fetch("mlops-lab", "api", *parts, **kwargs))
        except HTTPClientError as err:
            response = err.response
        assert response.code == expect, response.body
        return json.loads(response.body) if response.body else None

    return call


def wait_ended(api, run_id: str) -> dict:
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        run = api("pipeline-runs", run_id)
        if run["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return run
        time.sleep(0.1)  # polling the store for the run's end
    raise AssertionError("the pipeline run did not end")


@pytest.fixture
def train(jp_root_dir):
    return notebook(jp_root_dir / "jobs" / "train.ipynb",
                    "import mlops_lab as ml\nml.output('score', alpha * 10)\nprint(name)",
                    parameters="alpha = 0.5  # learning rate\nname = 'first'\nlayers = [1, 2]")


def test_run_a_notebook_inside_the_root_and_read_it_back(api, train):
    started = api("pipeline-runs", method="POST", expect=201,
                  body={"notebook": "jobs/train.ipynb", "parameters": {"alpha": 2, "name": "x"}})
    assert started["status"] in ("QUEUED", "RUNNING")
    run = wait_ended(api, started["id"])
    assert run["status"] == "SUCCEEDED", run["error"]
    assert run["outputs"] == {"score": 20}
    assert run["notebook_path"] == "jobs/train.ipynb"
    assert run["output_path"] == f"jobs/train.runs/{run['id']}.ipynb"
    assert "cwd" not in run
    assert "Executing" in api("pipeline-runs", run["id"], "log")["log"]
    listed = api("pipeline-runs", params={"status": "SUCCEEDED"})["pipeline_runs"]
    assert [r["id"] for r in listed] == [run["id"]]


def test_the_parameters_of_a_notebook(api, train):
    found = api("pipelines", "parameters", params={"notebook": "jobs/train.ipynb"})
    params = {p["name"]: p for p in found["parameters"]}
    assert list(params) == ["alpha", "name", "layers"]
    assert params["alpha"]["type"] == "float" and params["alpha"]["default"] == "0.5"
    assert params["alpha"]["help"] == "learning rate"
    assert params["name"]["type"] == "str" and params["layers"]["type"] == "list"


@pytest.mark.parametrize("path, status", [
    ("../outside.ipynb", 400), ("/etc/passwd", 400), ("jobs/../../outside.ipynb", 400),
    ("jobs\\train.ipynb", 400), ("C:/x.ipynb", 400), ("missing.ipynb", 404),
    ("link/secret.ipynb", 400), ("jobs/data.txt", 400),
])
def test_notebook_paths_stay_inside_the_root(api, train, jp_root_dir, tmp_path, path, status):
    outside = notebook(tmp_path / "elsewhere" / "secret.ipynb", "print('secret')")
    notebook(jp_root_dir.parent / "outside.ipynb", "print(1)")
    os.symlink(outside.parent, jp_root_dir / "link")  # a symlink that points out of the root
    (jp_root_dir / "jobs" / "data.txt").write_text("{}")
    error = api("pipeline-runs", method="POST", body={"notebook": path}, expect=status)
    assert error["message"]
    api("pipelines", "parameters", params={"notebook": path}, expect=status)
    api("schedules", method="POST", body={"notebook": path, "cron": "* * * * *"}, expect=status)
    assert api("pipeline-runs")["pipeline_runs"] == []


@pytest.mark.parametrize("params, message", [
    ('{"1x": 1}', "identifier"), ('{"a-b": 1}', "identifier"), ('{"import": 1}', "identifier"),
    ('{"x": NaN}', "finite"), ('{"x": [1, Infinity]}', "finite"), ('[1]', "JSON object"),
])
def test_bad_parameters_are_400(api, train, params, message):
    body = '{"notebook": "jobs/train.ipynb", "parameters": %s}' % params
    error = api("pipeline-runs", method="POST", raw=body, expect=400)
    assert message in error["message"]


def test_an_undeclared_parameter_is_400_naming_the_declared_ones(api, train):
    error = api("pipeline-runs", method="POST", expect=400,
                body={"notebook": "jobs/train.ipynb", "parameters": {"alpah": 5.0}})
    assert "does not declare alpah" in error["message"]
    assert "declares: alpha, name, layers" in error["message"]
    assert api("pipeline-runs")["pipeline_runs"] == []
    api("pipeline-runs", method="POST", expect=400, body={
        "notebook": "jobs/train.ipynb", "parameters": {"alpah": 5.0}, "allow_undeclared": "yes"})


def test_an_allowed_undeclared_parameter_is_recorded_as_not_declared(api, train):
    run = api("pipeline-runs", method="POST", expect=201, body={
        "notebook": "jobs/train.ipynb", "parameters": {"alpah": 5.0, "name": "x"},
        "allow_undeclared": True})
    assert run["effective_parameters"] == {
        "alpha": {"value": 0.5, "from": "default", "text": "0.5"},
        "name": {"value": "x", "from": "given", "text": "'x'"},
        "layers": {"value": [1, 2], "from": "default", "text": "[1, 2]"},
        "alpah": {"value": 5.0, "from": "not declared", "text": "5.0"}}
    assert wait_ended(api, run["id"])["outputs"] == {"score": 5.0}


def test_a_notebook_that_is_not_json_is_a_failed_run(api, jp_root_dir):
    (jp_root_dir / "broken.ipynb").write_text("{ this is not json")
    run = api("pipeline-runs", method="POST", body={"notebook": "broken.ipynb"}, expect=201)
    assert run["status"] == "FAILED" and "not valid JSON" in run["error"]


def test_cancel_a_running_pipeline_run(api, jp_root_dir):
    notebook(jp_root_dir / "slow.ipynb", "import time\ntime.sleep(600)")
    run = api("pipeline-runs", method="POST", body={"notebook": "slow.ipynb"}, expect=201)
    cancelled = api("pipeline-runs", run["id"], "cancel", method="POST")
    assert cancelled["status"] == "CANCELLED"
    assert wait_ended(api, run["id"])["status"] == "CANCELLED"


def test_schedules_create_list_edit_delete(api, train):
    made = api("schedules", method="POST", expect=201, body={
        "notebook": "jobs/train.ipynb", "cron": "0 6 * * 1-5", "timezone": "Europe/Paris",
        "parameters": {"alpha": 1}, "name": "weekday train", "missed": "run_once",
        "keep_last": 5})
    assert made["notebook_path"] == "jobs/train.ipynb" and len(made["next_fire_times"]) == 5
    assert [s["name"] for s in api("schedules")["schedules"]] == ["weekday train"]
    off = api("schedules", made["id"], method="PATCH", body={"enabled": False})
    assert off["enabled"] is False and off["next_fire_times"] == []
    on = api("schedules", made["id"], method="PATCH", body={"enabled": True})
    assert on["next_fire_times_local"][0].endswith(("T06:00:00+01:00", "T06:00:00+02:00"))
    for cron in ("0 0 31 2 *", "* * * * * *", "* * * * * * *"):  # 500, or a flood, before
        api("schedules", method="POST", expect=400,
            body={"notebook": "jobs/train.ipynb", "cron": cron})
        api("schedules", made["id"], method="PATCH", body={"cron": cron}, expect=400)
    api("schedules", made["id"], method="PATCH", body={"max_queued": 0}, expect=400)
    assert api("schedules", made["id"], method="PATCH",
               body={"max_queued": 3})["max_queued"] == 3
    api("schedules", made["id"], method="PATCH", body={"cron": "nope"}, expect=400)
    api("schedules", method="POST", body={"notebook": "jobs/train.ipynb", "cron": "* * * * *",
                                          "name": "weekday train"}, expect=409)
    api("schedules", made["id"], method="DELETE", expect=204)
    api("schedules", made["id"], expect=404)


def test_reproduce_a_pipeline_run_and_compare(api, train):
    run = api("pipeline-runs", method="POST", expect=201,
              body={"notebook": "jobs/train.ipynb", "parameters": {"alpha": 3}})
    original = wait_ended(api, run["id"])
    check = api("pipeline-runs", original["id"], "reproduction")
    assert check["original"]["id"] == original["id"] and check["problems"] == []
    started = api("pipeline-runs", original["id"], "reproduction", method="POST", expect=201)
    again = wait_ended(api, started["reproduction"]["id"])
    assert again["reproduce_of"] == original["id"] and again["parameters"] == {"alpha": 3}
    comparison = api("pipeline-runs", again["id"], "comparison")
    # the output and the printed name
    assert comparison["verdict"] == "reproduced" and comparison["compared"] == 2
    assert comparison["counts"] == {"output": 1, "cell output": 1}
    assert comparison["differences"] == [] and comparison["tolerance"]["rel"] == 1e-6
    ignoring = api("pipeline-runs", again["id"], "comparison",
                   params={"ignore": "cell*", "rel_tol": "0.01"})
    assert ignoring["compared"] == 1 and ignoring["tolerance"]["rel"] == 0.01
    api("pipeline-runs", again["id"], "comparison", params={"rel_tol": "x"}, expect=400)
    api("pipeline-runs", original["id"], "comparison", expect=400)  # not a reproduction


def test_the_old_reproduction_path_answers_the_same_and_says_it_is_deprecated(
        api, train, jp_fetch, jp_asyncio_loop):
    run = api("pipeline-runs", method="POST", expect=201,
              body={"notebook": "jobs/train.ipynb", "parameters": {"alpha": 3}})
    original = wait_ended(api, run["id"])

    def fetch(*parts):
        return jp_asyncio_loop.run_until_complete(jp_fetch("mlops-lab", "api", *parts))

    old = fetch("reproductions", original["id"])
    new = fetch("pipeline-runs", original["id"], "reproduction")
    assert old.headers["Deprecation"] == "true" and "Deprecation" not in new.headers
    assert "pipeline-runs/{id}/reproduction" in old.headers["Link"]
    assert json.loads(old.body)["original"] == json.loads(new.body)["original"]
    started = api("reproductions", original["id"], method="POST", expect=201)
    assert started["reproduction"]["reproduce_of"] == original["id"]
    wait_ended(api, started["reproduction"]["id"])


@pytest.mark.parametrize("bad", ["../x", "%2e%2e", "0" * 31, "A" * 32])
def test_ids_outside_the_pattern_are_404(api, bad):
    api("pipeline-runs", bad, expect=404)
    api("schedules", bad, expect=404)
