"""The datasets REST routes through a real Jupyter server with the extension loaded."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from tornado.httpclient import HTTPClientError

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module

from mlops_lab.datasets.service import DatasetService

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def ds(store):
    from test_datasets import _truncate_datasets

    _truncate_datasets(store)
    return DatasetService(store)


@pytest.fixture
def jp_server_config(ds):
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


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


@pytest.fixture
def stored(ds, svc):
    ds.add_rule("customers", "age", max=100)
    a = pd.DataFrame({"id": [1, 2, 3], "age": [30.0, 40.0, float("nan")], "note": [EVIL, "b", "c"]})
    b = pd.DataFrame({"id": [1, 2, 4], "age": [30.0, 41.0, 200.0], "note": [EVIL, "b", "d"]})
    v1 = ds.snapshot(a, "customers", show_progress=False)
    exp = svc.get_or_create_experiment("e")
    run = svc.create_run(exp.id, name="reader")
    v2 = ds.snapshot(b, "customers", show_progress=False, run_id=run.id)
    ds.load("customers@1", run_id=run.id)
    other = ds.snapshot(a, EVIL, show_progress=False)
    return v1, v2, other, run


def test_datasets_are_listed_and_searched(api, stored):
    v1, v2, other, _ = stored
    names = [d["name"] for d in api("datasets")["datasets"]]
    assert sorted(names) == sorted(["customers", EVIL])
    found = api("datasets", params={"q": "CUSTOM"})["datasets"]
    assert [(d["name"], d["version_count"], d["latest_version"], d["has_rules"]) for d in found] \
        == [("customers", 2, 2, True)]
    # v2 has an age of 200, over the rule's 100: the list flags the newest snapshot invalid.
    assert {d["name"]: d["latest_valid"] for d in api("datasets")["datasets"]} == {
        "customers": False, EVIL: None}
    assert api("datasets", params={"q": "%"})["datasets"] == []
    # A list cut at ?limit= says so with a token for the rest.
    cut = api("datasets", params={"limit": "1"})
    assert len(cut["datasets"]) == 1 and cut["next_page_token"]
    assert api("datasets", params={"limit": "2"})["next_page_token"] is None


def test_a_dataset_its_versions_and_rules(api, stored):
    v1, v2, _, _ = stored
    doc = api("datasets", str(v1.dataset_id))
    assert doc["name"] == "customers" and [v["version"] for v in doc["snapshots"]] == [2, 1]
    assert doc["versions"] == doc["snapshots"]  # the old name, kept for one release
    assert doc["rules"]["columns"] == {"age": {"max": 100}}
    assert [v["id"] for v in api("datasets", str(v1.dataset_id), "snapshots")["snapshots"]] \
        == [v2.id, v1.id]
    assert api("datasets", str(v1.dataset_id), "validation")["rules"]["on_fail"] == "flag"
    api("datasets", "999999", expect=404)


def test_the_old_path_of_a_datasets_snapshots_answers_as_before_and_says_it_goes(
        stored, jp_fetch, jp_asyncio_loop):
    v1, v2, _, _ = stored
    old = jp_asyncio_loop.run_until_complete(
        jp_fetch("mlops-lab", "api", "datasets", str(v1.dataset_id), "versions"))
    new = jp_asyncio_loop.run_until_complete(
        jp_fetch("mlops-lab", "api", "datasets", str(v1.dataset_id), "snapshots"))
    assert [v["id"] for v in json.loads(old.body)["versions"]] == [v2.id, v1.id]
    assert old.headers["Deprecation"] == "true" and "Deprecation" not in new.headers
    assert "datasets/{id}/snapshots" in old.headers["Link"]


def test_a_snapshot_in_full_and_its_lineage(api, stored, jp_fetch, jp_asyncio_loop):
    v1, v2, other, run = stored
    doc = api("snapshots", v2.id)
    assert doc["ref"] == "customers@2" and doc["valid"] is False
    assert doc["validation"]["failures"][0]["rule"] == "range"
    assert doc["profile"]["columns"]["age"]["max"] == 200.0
    assert [c["name"] for c in doc["schema"]] == ["id", "age", "note"]
    raw = jp_asyncio_loop.run_until_complete(jp_fetch("mlops-lab", "api", "snapshots", other.id))
    assert b"<img" not in raw.body  # markup characters are escaped in the JSON text
    assert api("snapshots", other.id)["name"] == EVIL
    runs = api("snapshots", v1.id, "lineage")["runs"]
    assert [(r["run_id"], r["direction"]) for r in runs] == [(run.id, "input")]
    assert api("snapshots", v2.id, "lineage")["runs"][0]["direction"] == "output"
    api("snapshots", "0" * 32, expect=404)


def test_diff_of_two_snapshots(api, stored):
    v1, v2, _, _ = stored
    d = api("snapshots", "diff", params={"a": v1.id, "b": v2.id, "key": "id"})
    assert d["rows"] == {"a": 3, "b": 3, "added": 1, "removed": 1, "changed": 1, "key": ["id"]}
    assert d["examples"]["changed"][0]["columns"]["age"] == {"a": 40.0, "b": 41.0}
    whole = api("snapshots", "diff", params={"a": v1.id, "b": v2.id})
    assert whole["rows"]["changed"] is None
    assert api("snapshots", "diff", params={"a": "x", "b": v2.id}, expect=400)["error"] == "InvalidInput"
    api("snapshots", "diff", params={"a": v1.id, "b": v2.id, "key": "nope"}, expect=400)
    api("snapshots", "diff", params={"a": "f" * 32, "b": v2.id}, expect=404)


@pytest.mark.parametrize("parts", [("datasets", "..%2fx"), ("datasets", "1x"),
                                   ("snapshots", "%2e%2e"), ("snapshots", "ABC"),
                                   ("datasets", "customers")])
def test_ids_outside_the_pattern_are_404(api, stored, parts):
    api(*parts, expect=404)
