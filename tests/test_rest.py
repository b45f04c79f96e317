"""The REST API through a real Jupyter server with the extension loaded, on a real store."""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import time

import pytest
from tornado.httpclient import HTTPClientError

from mlops_lab.errors import Conflict, InvalidInput, NotFound, SchemaError, StoreBusy
from mlops_lab.server.errors import INTERNAL_MESSAGE, error_body
from mlops_lab.tracking.service import TrackingService

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module


@pytest.fixture
def jp_server_config(svc):
    # Depends on `svc` so the store (and MLOPS_LAB_HOME / MLOPS_LAB_URI) exists before the
    # server starts: the server and the test then share one store.
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


@pytest.fixture
def api(jp_fetch, jp_asyncio_loop):
    """GET a route of the API; the server answers while the loop runs."""
    def get(*parts, params=None, expect=200):
        try:
            response = jp_asyncio_loop.run_until_complete(
                jp_fetch("mlops-lab", "api", *parts, params=params))
        except HTTPClientError as err:
            response = err.response
        assert response.code == expect, response.body
        return response

    return get


def strict_json(response):
    """The body as JSON, refusing the NaN/Infinity literals that are not JSON."""
    def refuse(token):
        raise AssertionError(f"invalid JSON literal {token} in body")

    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body, parse_constant=refuse)


@pytest.fixture
def runs(svc):
    exp = svc.get_or_create_experiment("churn")
    made = []
    for i, (model, auc) in enumerate([("rf", 0.91), ("lr", 0.85), ("rf", 0.95)]):
        run = svc.create_run(exp.id, name=f"run-{i}", tags={"team": "growth"},
                             source={"cell": "fit()", "kind": "api"},
                             environment={"python": "3.11"})
        svc.log_params(run.id, {"model": model, "C": i})
        svc.log_metrics(run.id, {"auc": auc})
        svc.end_run(run.id)
        made.append(run.id)
    return exp, made


def test_store_describes_the_store_the_server_uses(api, svc):
    doc = strict_json(api("store"))
    assert doc == svc.store_info()
    assert set(doc) == {"database", "artifacts", "version"}


def test_experiments_lists_run_counts(api, runs):
    exp, _ = runs
    doc = strict_json(api("experiments"))
    (churn,) = [e for e in doc["experiments"] if e["name"] == "churn"]
    assert churn["id"] == exp.id and churn["run_count"] == 3
    assert isinstance(churn["last_run_at"], int)


def test_search_runs_filters_orders_and_pages(api, runs):
    exp, ids = runs
    doc = strict_json(api("runs", params={
        "experiment": "churn", "filter": "params.model = 'rf'", "order_by": "metrics.auc desc"}))
    assert [r["id"] for r in doc["runs"]] == [ids[2], ids[0]]
    assert doc["next_page_token"] is None
    assert "source" not in doc["runs"][0] and doc["runs"][0]["metrics"] == {"auc": 0.95}

    seen, token = [], None
    while True:
        params = {"experiment": str(exp.id), "limit": "2", "order_by": "metrics.auc"}
        if token:
            params["page_token"] = token
        page = strict_json(api("runs", params=params))
        seen += [r["id"] for r in page["runs"]]
        token = page["next_page_token"]
        if not token:
            break
    assert seen == [ids[1], ids[0], ids[2]]


def test_search_runs_repeats_order_by(api, runs):
    _, ids = runs
    params = [("order_by", "params.model"), ("order_by", "metrics.auc desc")]
    doc = strict_json(api("runs", params=params))
    assert [r["id"] for r in doc["runs"]] == [ids[1], ids[2], ids[0]]


@pytest.mark.parametrize("params, status, error", [
    ({"filter": "metrics.auc >"}, 400, "InvalidFilter"),
    ({"filter": "nonsense.x = 1"}, 400, "InvalidFilter"),
    ({"order_by": "metrics.auc sideways"}, 400, "InvalidInput"),
    ({"limit": "abc"}, 400, "InvalidInput"),
    ({"limit": "0"}, 400, "InvalidInput"),
    ({"limit": "1000000"}, 400, "InvalidInput"),
    ({"page_token": "not-a-token"}, 400, "InvalidInput"),
    ({"experiment": "no such experiment"}, 404, "NotFound"),
])
def test_bad_search_input_is_a_json_error(api, runs, params, status, error):
    doc = strict_json(api("runs", params=params, expect=status))
    assert doc["error"] == error
    assert doc["message"] and "Traceback" not in doc["message"]


def test_bad_filter_says_where_it_went_wrong(api, runs):
    doc = strict_json(api("runs", params={"filter": "metrics.auc >"}, expect=400))
    assert "column 14: expected a value" in doc["message"]
    assert (doc["column"], doc["length"]) == (14, 1)
    doc = strict_json(api("runs", params={"filter": "params.model = 'rf' and auc > 0.9"},
                          expect=400))
    assert (doc["column"], doc["length"], doc["suggestion"]) == (25, 3, "metrics.auc")


def test_search_counts_the_matching_runs_when_asked(api, runs):
    params = {"experiment": "churn", "filter": "params.model = 'rf'", "limit": "1"}
    assert strict_json(api("runs", params=params))["total"] is None
    first = strict_json(api("runs", params={**params, "count": "true"}))
    assert first["total"] == 2 and len(first["runs"]) == 1
    token = first["next_page_token"]
    later = strict_json(api("runs", params={**params, "count": "true", "page_token": token}))
    assert later["total"] is None


def test_run_fields_lists_the_keys_a_filter_can_name(api, runs):
    doc = strict_json(api("runs", "fields", params={"experiment": "churn"}))
    assert doc == {"metrics": ["auc"], "params": ["C", "model"], "tags": ["team"]}


def test_run_field_values_are_what_the_filter_box_completes(api, svc, runs):
    other = svc.get_or_create_experiment("other")
    run = svc.create_run(other.id, name="elsewhere")
    svc.log_params(run.id, {"model": "svm"})
    values = strict_json(api("runs", "fields", "values",
                             params={"field": "params.model", "experiment": "churn"}))
    assert values == {"field": "params.model", "values": ["lr", "rf"]}
    assert strict_json(api("runs", "fields", "values", params={"field": "params.model"})
                       )["values"] == ["lr", "rf", "svm"]
    assert strict_json(api("runs", "fields", "values", params={"field": "tags.team"})
                       )["values"] == ["growth"]
    refused = strict_json(api("runs", "fields", "values", params={"field": "metrics.auc"},
                              expect=400))
    assert "params.KEY or tags.KEY" in refused["message"]


def test_search_by_dotted_keys_and_parent_run_id(api, svc, runs):
    exp, ids = runs
    svc.log_params(ids[0], {"clf.n_estimators": 100})
    child = svc.create_run(exp.id, name="fold-0", parent_run_id=ids[1])
    doc = strict_json(api("runs", params={"filter": "params.clf.n_estimators = 100"}))
    assert [r["id"] for r in doc["runs"]] == [ids[0]]
    doc = strict_json(api("runs", params={"filter": f"attributes.parent_run_id = '{ids[1]}'"}))
    assert [r["id"] for r in doc["runs"]] == [child.id]


def test_run_in_full(api, runs):
    _, ids = runs
    doc = strict_json(api("runs", ids[0]))
    assert doc["id"] == ids[0] and doc["status"] == "FINISHED"
    assert doc["params"] == {"model": "rf", "C": "0"} and doc["tags"] == {"team": "growth"}
    assert doc["source"] == {"cell": "fit()", "kind": "api"}
    assert doc["environment"] == {"python": "3.11"}
    assert doc["duration_ms"] == doc["end_time"] - doc["start_time"]


def test_unknown_run_is_404(api, runs):
    doc = strict_json(api("runs", "0" * 32, expect=404))
    assert doc["error"] == "NotFound" and "0" * 32 in doc["message"]


def test_non_finite_metrics_stay_valid_json(api, svc, runs):
    exp, _ = runs
    run = svc.create_run(exp.id)
    svc.log_metrics(run.id, {"nan": math.nan, "big": 1e309, "small": -math.inf, "ok": 0.5})
    doc = strict_json(api("runs", run.id))
    assert doc["metrics"] == {"nan": "NaN", "big": "Infinity", "small": "-Infinity", "ok": 0.5}
    listed = strict_json(api("runs", params={"filter": f"run_id = '{run.id}'"}))
    assert listed["runs"][0]["metrics"]["nan"] == "NaN"


def test_metric_history_of_any_key(api, svc, runs):
    exp, _ = runs
    run = svc.create_run(exp.id)
    key = "val/loss (test) ü"
    for step, value in enumerate([0.9, math.nan, 0.4]):
        svc.log_metrics(run.id, {key: value}, step=step)
    doc = strict_json(api("runs", run.id, "metrics", key))
    assert doc["key"] == key
    assert [(m["step"], m["value"]) for m in doc["history"]] == [(0, 0.9), (1, "NaN"), (2, 0.4)]
    never = strict_json(api("runs", run.id, "metrics", "never logged"))
    assert never == {"key": "never logged", "history": [], "next_page_token": None, "total": None}
    missing = strict_json(api("runs", "f" * 32, "metrics", "auc", expect=404))
    assert missing["error"] == "NotFound"


def test_metric_histories_in_one_request(api, svc, runs):
    exp, _ = runs
    run = svc.create_run(exp.id)
    for step in range(3):
        svc.log_metrics(run.id, {"loss": 1 / (step + 1), "val/acc ü": math.nan}, step=step)
    doc = strict_json(api("runs", run.id, "metric-histories",
                          params=[("key", "loss"), ("key", "val/acc ü"), ("key", "never")]))
    histories = doc["histories"]
    assert list(histories) == ["loss", "val/acc ü", "never"]
    assert [(m["step"], m["value"]) for m in histories["loss"]] == [(0, 1.0), (1, 0.5),
                                                                     (2, 1 / 3)]
    assert [m["value"] for m in histories["val/acc ü"]] == ["NaN"] * 3
    assert histories["never"] == []
    every = strict_json(api("runs", run.id, "metric-histories"))["histories"]
    assert sorted(every) == ["loss", "val/acc ü"] and len(every["loss"]) == 3
    too_many = [("key", f"m{i}") for i in range(101)]
    api("runs", run.id, "metric-histories", params=too_many, expect=400)
    api("runs", "f" * 32, "metric-histories", params={"key": "loss"}, expect=404)


def test_artifacts_list_and_download(api, svc, runs):
    _, ids = runs
    data = bytes(range(256)) * 5000  # over one read chunk: the download is streamed
    svc.log_artifact_bytes(ids[0], data, "model/weights.bin")
    svc.log_artifact_bytes(ids[0], b"<html><script>alert(1)</script></html>", "plots/roc.html")
    listed = strict_json(api("runs", ids[0], "artifacts"))
    assert [a["path"] for a in listed["artifacts"]] == ["model/weights.bin", "plots/roc.html"]
    assert listed["artifacts"][0]["size"] == len(data)
    folder = strict_json(api("runs", ids[0], "artifacts", params={"path": "plots"}))
    assert [a["path"] for a in folder["artifacts"]] == ["plots/roc.html"]
    assert strict_json(api("runs", ids[0], "artifacts", params={"path": "plot"},
                           expect=404))["error"] == "NotFound"
    assert strict_json(api("runs", ids[0], "artifacts", params={"path": "../x"},
                           expect=400))["error"] == "InvalidInput"

    got = api("runs", ids[0], "artifacts", "model/weights.bin")
    assert got.body == data
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert got.headers["Content-Disposition"].startswith('attachment; filename="weights.bin"')

    # An HTML artifact is a download in a sandbox, never a page of the Jupyter origin.
    page = api("runs", ids[0], "artifacts", "plots/roc.html")
    assert page.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_artifact_path_with_encoded_slash(http_server_client, jp_base_url, jp_auth_header,
                                          jp_asyncio_loop, svc, runs):
    # A slash sent as %2F is decoded once, to the same path.
    _, ids = runs
    svc.log_artifact_bytes(ids[1], b"x,y\n1,2\n", "data/table.csv")
    url = f"{jp_base_url}mlops-lab/api/runs/{ids[1]}/artifacts/data%2Ftable.csv"
    response = jp_asyncio_loop.run_until_complete(
        http_server_client.fetch(url, headers=jp_auth_header, raise_error=False))
    assert response.code == 200 and response.body == b"x,y\n1,2\n"
    assert response.headers["Content-Type"].startswith("text/csv")


def test_missing_artifact_and_artifacts_of_unknown_run(api, runs):
    _, ids = runs
    doc = strict_json(api("runs", ids[0], "artifacts", "nope.txt", expect=404))
    assert doc["error"] == "NotFound"
    doc = strict_json(api("runs", "a" * 32, "artifacts", expect=404))
    assert doc["error"] == "NotFound"


def test_hostile_names_come_back_as_json_text(api, svc, runs):
    exp, _ = runs
    name = "<img src=x onerror=alert(1)> \u202eevil 🚀 ../../etc"
    run = svc.create_run(exp.id, name=name, tags={"note": "<script>alert(1)</script>"})
    response = api("runs", run.id)
    assert b"<img" not in response.body and b"<script" not in response.body
    doc = strict_json(response)
    assert doc["name"] == name and doc["tags"]["note"] == "<script>alert(1)</script>"


def test_every_domain_error_has_one_status():
    cases = {InvalidInput("x"): 400, NotFound("x"): 404, Conflict("x"): 409, StoreBusy("x"): 503,
             SchemaError("x"): 500}
    for exc, status in cases.items():
        assert error_body(500, exc) == (status, {"error": type(exc).__name__, "message": "x"})
    status, body = error_body(500, RuntimeError("postgresql://user:secret@db/x"))
    assert status == 500 and body == {"error": "InternalError", "message": INTERNAL_MESSAGE}


def _start_orphan_run() -> str:
    """A run created by a process that then dies without ending it (as a killed kernel)."""
    code = ("from mlops_lab.store import open_store\n"
            "from mlops_lab.tracking.service import TrackingService\n"
            "svc = TrackingService(open_store())\n"
            "exp = svc.get_or_create_experiment('orphans')\n"
            "print(svc.create_run(exp.id).id)\n"
            "import os; os._exit(0)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=os.environ.copy(), check=True)
    return out.stdout.strip()


def test_server_marks_runs_of_dead_processes_killed(jp_serverapp, jp_asyncio_loop, svc):
    run_id = _start_orphan_run()
    assert svc.get_run(run_id).status == "RUNNING"
    app = jp_serverapp.web_app.settings["mlops_lab"]
    on_loop = jp_asyncio_loop.run_until_complete
    on_loop(app._start_jupyter_server_extension(jp_serverapp))
    try:
        assert app._sweeper is not None and app._sweeper.is_running()
        deadline = time.monotonic() + 30
        while svc.get_run(run_id).status == "RUNNING" and time.monotonic() < deadline:
            on_loop(asyncio.sleep(0.05))  # poll: the start of the extension already swept once
            on_loop(app.sweep())
        killed = svc.get_run(run_id)
        assert killed.status == "KILLED" and "ended" in killed.error
    finally:
        on_loop(app.stop_extension())
    assert not app._sweeper.is_running()


class TestStoreLocation:
    """Without MLOPS_LAB_HOME the server makes `.mlops-lab/` in its root directory and tells
    its own process (and so the kernels it starts) to use it."""

    @pytest.fixture
    def jp_server_config(self, monkeypatch):
        from mlops_lab.store import close_all

        monkeypatch.setenv("MLOPS_LAB_HOME", "placeholder")  # restored (unset) after the test
        monkeypatch.delenv("MLOPS_LAB_HOME")
        for name in ("MLOPS_LAB_URI", "MLOPS_LAB_ARTIFACTS"):
            monkeypatch.delenv(name, raising=False)
        close_all()
        yield {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}
        close_all()

    def test_store_is_created_in_the_root_dir(self, jp_serverapp, jp_root_dir, api):
        home = jp_root_dir / ".mlops-lab"
        assert home.is_dir()
        assert os.environ["MLOPS_LAB_HOME"] == str(home.resolve())
        doc = strict_json(api("store"))
        assert str(home.resolve()) in doc["database"]


class TestUnusableStore:
    """A database from a newer mlops-lab: the server still starts, and every route says why
    the store cannot be used and what to do."""

    @pytest.fixture
    def jp_server_config(self, store_home):
        import sqlite3

        store_home.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(store_home / "mlops.db")
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version VALUES ('9999_future')")
        db.commit()
        db.close()
        return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}

    def test_routes_explain_the_schema_problem(self, api):
        for route in (["store"], ["runs"], ["runs", "a" * 32]):
            doc = strict_json(api(*route, expect=500))
            assert doc["error"] == "SchemaError" and "newer mlops-lab" in doc["message"]


class TeamExperiments(TrackingService):
    """A replacement tracking part, as a deployment would name one in its config."""

    def list_experiments(self):
        return [e for e in super().list_experiments() if not e.name.startswith("private-")]


class TestReplaceablePart:
    """MlopsLabApp.service_classes swaps one part's service by config; the others stay."""

    @pytest.fixture
    def jp_server_config(self, svc):
        svc.get_or_create_experiment("private-notes")
        svc.get_or_create_experiment("churn")
        return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}},
                "MlopsLabApp": {"service_classes": {"tracking": f"{__name__}.TeamExperiments"}}}

    def test_the_configured_class_answers(self, jp_serverapp, api):
        names = {e["name"] for e in strict_json(api("experiments"))["experiments"]}
        assert "churn" in names and "private-notes" not in names
        services = jp_serverapp.web_app.settings["mlops_lab_services"]
        assert type(services.tracking) is TeamExperiments
        assert type(services.models).__name__ == "ModelService"


def test_an_unknown_part_in_the_config_is_refused():
    from mlops_lab.server.app import MlopsLabApp

    with pytest.raises(Exception, match="no part named trackng; the parts are tracking"):
        MlopsLabApp(service_classes={"trackng": "mlops_lab.tracking.service.TrackingService"})
