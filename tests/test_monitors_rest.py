"""Monitors over the Jupyter server's REST API: create, run, the list with each monitor's last
run, a monitor's view in one answer, labels; answers fit the OpenAPI document."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from test_monitors_service import champion, customers, log_predictions  # noqa: F401 - fixtures
from test_rest_contract import conforms

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module


@pytest.fixture
def jp_server_config(store_home):
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


@pytest.fixture
def s(store_home):
    from mlops_lab.services import services

    return services()


def answer(response, status=200):
    assert response.code == status, response.body
    return json.loads(response.body) if response.body else None


def test_create_run_list_and_view_a_monitor(fetch, jp_auth_header, s, champion):
    version, model = champion
    created = answer(fetch("monitors", jp_auth_header, body={
        "target": "churn@champion", "name": "churn live", "last": 1000, "metric": "accuracy"}),
        201)
    conforms(created, "Monitor")
    assert created["target"] == "churn@champion" and created["current"] == {"last": 1000}
    name = quote(created["name"])

    s.alerts.create_alert_rule("income moved", "feature_drift", monitor="churn live")
    log_predictions(s, version, model, customers(1000, seed=2))
    ok = answer(fetch(f"monitors/{name}/runs", jp_auth_header, body={}), 201)
    conforms(ok, "MonitorRun")
    log_predictions(s, version, model, customers(1000, seed=3, income_shift=1.0))
    drift = answer(fetch(f"monitors/{name}/runs", jp_auth_header, body={}), 201)
    assert (ok["status"], drift["status"]) == ("ok", "drift")
    assert drift["drifted_features"] == ["income"]

    listing = answer(fetch("monitors", jp_auth_header))
    assert [m["name"] for m in listing["monitors"]] == ["churn live"]
    assert listing["monitors"][0]["last_run"]["id"] == drift["id"]
    view = answer(fetch(f"monitors/{name}", jp_auth_header))
    conforms(view, "MonitorOverview")
    assert [r["id"] for r in view["runs"]] == [drift["id"], ok["id"]]
    assert view["runs"][0]["effect_sizes"]["income"] > view["runs"][1]["effect_sizes"]["income"]
    income = next(f for f in view["latest"]["result"]["drift"]["features"]
                  if f["name"] == "income")
    assert income["drifted"] and len(income["picture"]["edges"]) > 2
    one = answer(fetch(f"monitors/{name}/runs/{ok['id']}", jp_auth_header))
    assert one["id"] == ok["id"] and one["result"]["rows_current"] == 1000
    in_model_view = answer(fetch("models/churn", jp_auth_header))  # where users already look
    conforms(in_model_view, "ModelOverview")
    assert [(a["feature"], a["state"]) for a in in_model_view["alerts"]] == [("income", "open")]
    page = answer(fetch(f"monitors/{name}/runs?limit=1", jp_auth_header))
    assert [r["id"] for r in page["runs"]] == [drift["id"]] and page["next_page_token"]


def test_labels_and_bad_requests(fetch, jp_auth_header, s, champion):
    version, model = champion
    ids = log_predictions(s, version, model, customers(300, seed=4), batch=1)
    recorded = answer(fetch("labels", jp_auth_header, body={
        "request_ids": ids[:3], "labels": [0, 1, 0]}))
    assert recorded == {"recorded": 3}
    assert len(s.monitors.labels_for(ids[:3])) == 3

    for body, says in (
            ({"request_ids": ids[:2], "labels": [1]}, "as many labels"),
            ({"request_ids": "x", "labels": [1]}, "request_ids"),
            ({"request_ids": ids[:1], "labels": [{"a": 1}]}, "A label must be")):
        r = fetch("labels", jp_auth_header, body=body)
        assert r.code == 400 and says in json.loads(r.body)["message"], r.body
    for body, says in (({"target": "churn@champion", "colour": "red"}, "Unknown field"),
                       ({"target": "churn@champion", "window": "soon"}, "is a duration such as"),
                       ({"target": "churn"}, "alias such as")):
        r = fetch("monitors", jp_auth_header, body=body)
        assert r.code == 400 and says in json.loads(r.body)["message"], r.body
    r = fetch("monitors", jp_auth_header, body={"target": "nosuch@champion"})
    assert r.code == 404
    assert fetch("monitors/nosuch", jp_auth_header).code == 404
    answer(fetch("monitors", jp_auth_header, body={"target": "churn@champion"}), 201)
    r = fetch("monitors/churn%40champion", jp_auth_header, method="DELETE")
    assert r.code == 204 and s.monitors.list_monitors() == []
