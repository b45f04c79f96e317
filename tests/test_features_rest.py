"""The feature store's REST routes through a real Jupyter server on a real store."""

from __future__ import annotations

import json
from urllib.parse import quote

import pandas as pd
import pytest
from tornado.httpclient import HTTPClientError

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module

from feature_rollback import roll_back_to_v1
from mlops_lab.features.service import FeatureService

T0 = pd.Timestamp("2024-03-01")
HOSTILE = "<img src=x onerror=alert(1)> ../stats/\u202e"


def stats(orders):
    return orders


@pytest.fixture
def jp_server_config(store_home):
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


@pytest.fixture
def fsvc(store_home):
    from mlops_lab.store import open_store

    svc = FeatureService(open_store())
    frame = pd.DataFrame({"customer_id": [1, 2, 1], "event_time": [T0, T0, T0 + pd.Timedelta("1D")],
                          "spend": [1.0, 2.0, 3.0]})
    svc.register("customer_stats", stats, entity="customer_id", timestamp="event_time",
                 description="Spend per customer", tags={"team": "growth"})
    svc.materialize("customer_stats", frame)
    svc.register(HOSTILE, stats, entity="customer_id", timestamp="event_time")
    return svc


@pytest.fixture
def api(jp_fetch, jp_asyncio_loop):
    def get(*parts, params=None, expect=200):
        try:
            response = jp_asyncio_loop.run_until_complete(
                jp_fetch("mlops-lab", "api", *parts, params=params))
        except HTTPClientError as err:
            response = err.response
        assert response.code == expect, response.body
        assert response.headers["Content-Type"].startswith("application/json")
        return json.loads(response.body)

    return get


def test_search_lists_and_filters_feature_sets(api, fsvc):
    everything = api("feature-sets")["feature_sets"]
    assert [f["name"] for f in everything] == [HOSTILE, "customer_stats"]
    found = api("feature-sets", params={"q": "SPEND growth"})["feature_sets"]
    assert [f["name"] for f in found] == ["customer_stats"]
    item = found[0]
    assert item["features"] == ["spend"] and item["entity"] == ["customer_id"]
    assert item["live_version"] == 1 and item["freshness"]["row_count"] == 3
    assert item["freshness"]["newest_event_time"] == (T0 + pd.Timedelta("1D")).value // 10**6
    assert api("feature-sets", params={"tag": "team=web"})["feature_sets"] == []
    assert api("feature-sets", params={"limit": "x"}, expect=400)["error"] == "InvalidInput"
    assert api("feature-sets", params={"limit": "10000"}, expect=400)["error"] == "InvalidInput"
    cut = api("feature-sets", params={"limit": "1"})
    assert [f["name"] for f in cut["feature_sets"]] == [HOSTILE] and cut["next_page_token"]
    assert api("feature-sets", params={"limit": "2"})["next_page_token"] is None


def test_a_feature_set_with_versions_source_and_freshness(api, fsvc):
    doc = api("feature-sets", "customer_stats")
    assert doc["name"] == "customer_stats" and doc["version_count"] == 1
    (version,) = doc["versions"]
    assert version["source"].startswith("def stats(orders):")
    assert version["schema"] == {"customer_id": "int64", "event_time": "datetime64[us]",
                                 "spend": "float64"} or "spend" in version["schema"]
    assert version["last_materialization"]["row_count"] == 3
    one = api("feature-sets", "customer_stats", "versions", "1")
    assert one["id"] == version["id"] and one["source"] == version["source"]


def test_names_are_matched_as_text(api, fsvc, jp_fetch, jp_asyncio_loop, http_server_client,
                                   jp_auth_header, jp_base_url):
    # The name percent-encoded as one segment ("/" included) reaches the handler decoded once.
    url = f"{jp_base_url}mlops-lab/api/feature-sets/{quote(HOSTILE, safe='')}"
    response = jp_asyncio_loop.run_until_complete(http_server_client.fetch(
        url, headers=jp_auth_header, raise_error=False))
    assert response.code == 200, response.body
    assert json.loads(response.body)["name"] == HOSTILE
    assert api("feature-sets", "no such set", expect=404)["error"] == "NotFound"
    assert api("feature-sets", "customer_stats", "versions", "7", expect=404)["error"] == \
        "NotFound"
    for bad in ["x", "-1", "1.5", "%2e%2e"]:
        try:
            response = jp_asyncio_loop.run_until_complete(jp_fetch(
                "mlops-lab", "api", "feature-sets", "customer_stats", "versions", bad))
        except HTTPClientError as err:
            response = err.response
        assert response.code == 404, bad
    raw = jp_asyncio_loop.run_until_complete(jp_fetch("mlops-lab", "api", "feature-sets"))
    assert b"<img" not in raw.body  # stored markup is escaped in the JSON text itself
    assert quote(HOSTILE, safe="") not in raw.body.decode()


def test_after_a_rollback_routes_describe_the_live_version(api, fsvc):
    roll_back_to_v1(fsvc, "customer_stats", T0)
    doc = api("feature-sets", "customer_stats")
    assert (doc["live_version"], doc["latest_version"]) == (1, 2)
    assert (doc["features"], doc["description"], doc["tags"]) == (
        ["spend"], "Spend per customer", {"team": "growth"})
    found = api("feature-sets", params={"q": "spend"})["feature_sets"]
    assert [(f["name"], f["features"]) for f in found] == [("customer_stats", ["spend"])]
    assert api("feature-sets", params={"q": "visits"})["feature_sets"] == []


def test_a_feature_set_lists_the_runs_that_read_it(api, fsvc):
    from mlops_lab.tracking.service import TrackingService

    tracking = TrackingService(fsvc.store)
    experiment = tracking.get_or_create_experiment("features-readers").id
    reader = tracking.create_run(experiment, name="train churn")
    other = tracking.create_run(experiment, name="unrelated")
    entity_df = pd.DataFrame({"customer_id": [1, 2], "event_time": [T0, T0]})
    assert api("feature-sets", "customer_stats")["readers"] == []
    fsvc.get_training_set(entity_df, ["customer_stats:spend"], run_id=reader.id)
    (found,) = api("feature-sets", "customer_stats")["readers"]
    assert found["run_id"] == reader.id and found["run_id"] != other.id
    assert (found["name"], found["status"], found["version"]) == ("train churn", "RUNNING", 1)
