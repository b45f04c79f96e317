"""Every REST list keeps one contract (server/paging.py, `Page` in the OpenAPI document):
?limit=&page_token= in, {items, next_page_token, total} out; page after page gives the whole
list once; a bad token or limit is a 400 that says what to do."""

from __future__ import annotations

import json
import re
import uuid

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sqlalchemy import insert

from mlops_lab.server.openapi import document
from mlops_lab.store.keyset import encode_token

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module
from test_pipelines import step_notebook


def spend(orders):
    return orders


@pytest.fixture
def jp_server_config(store_home):
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


@pytest.fixture
def lists(tracking, tmp_path):
    """Three of everything a list shows; the routes of those lists with their items' names."""
    from mlops_lab.datasets.service import DatasetService
    from mlops_lab.features.service import FeatureService
    from mlops_lab.models.service import ModelService
    from mlops_lab.pipelines.schedules.service import ScheduleService
    from mlops_lab.store.tables.dags import dag_runs
    from mlops_lab.store.tables.pipelines import pipeline_runs

    store = tracking.store
    exp = tracking.get_or_create_experiment("paged")
    for name in ("second", "third"):
        tracking.get_or_create_experiment(name)
    runs = [tracking.create_run(exp.id, name=f"r{i}") for i in range(3)]
    for i in range(3):
        tracking.log_artifact_bytes(runs[0].id, b"x", f"file{i}.txt")
    for value, step in ((0.5, 0), (float("nan"), 1), (0.25, 1), (float("inf"), 2)):
        tracking.log_metrics(runs[0].id, {"loss": value}, step=step)
    datasets = DatasetService(store)
    frame = pd.DataFrame({"a": [1, 2, 3]})
    for i in range(3):
        datasets.snapshot(frame + i, "customers", show_progress=False)
        datasets.snapshot(frame, f"other{i}", show_progress=False)
    features = FeatureService(store)
    for i in range(3):
        features.register(f"set{i}", spend, entity="customer_id", timestamp="event_time")
    registry = ModelService(store)
    X = np.random.default_rng(0).random((20, 2))
    model = LogisticRegression().fit(X, (X[:, 0] > 0.5).astype(int))
    for name in ("m0", "m0", "m0", "m1", "m2"):
        registry.register(model, name)
    for version in (1, 2, 3):
        registry.set_alias("m0", "champion", version)
    notebook = step_notebook(tmp_path / "train.ipynb", "x = 1", "y = x")
    schedules = ScheduleService(store)
    for i in range(3):
        schedules.create(str(notebook), "0 0 1 1 *", {}, name=f"yearly{i}")
    with store.db.write() as conn:  # three of each, two created in the same millisecond
        for created_at in (1_000, 2_000, 2_000):
            conn.execute(insert(pipeline_runs).values(
                id=uuid.uuid4().hex, notebook=str(notebook), parameters="{}", status="SUCCEEDED",
                retries=0, retry_backoff=0.0, attempt=1, created_at=created_at))
            conn.execute(insert(dag_runs).values(
                id=uuid.uuid4().hex, name="dag", file="dag.yaml", definition="{}",
                status="SUCCEEDED", attempt=1, concurrency=1, created_at=created_at))
    dataset_id = datasets.get_dataset("customers").id
    return {
        "experiments": "experiments", "runs": "runs",
        f"runs/{runs[0].id}/artifacts": "artifacts", f"runs/{runs[0].id}/metrics/loss": "history",
        "datasets": "datasets",
        f"datasets/{dataset_id}/snapshots": "snapshots", "feature-sets": "feature_sets",
        "models": "models", "models/m0/versions": "versions", "models/m0/aliases": "history",
        "pipeline-runs": "pipeline_runs", "schedules": "schedules", "dag-runs": "dag_runs",
    }


def get(fetch, headers, route, status=200, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = fetch(f"{route}?{query}", headers)
    assert response.code == status, (route, params, response.body)
    return json.loads(response.body)


def test_every_list_pages_through_the_whole_list_once(fetch, jp_auth_header, lists):
    for route, items in lists.items():
        whole = get(fetch, jp_auth_header, route, limit=9999)
        assert whole["next_page_token"] is None and len(whole[items]) >= 3, route
        assert whole["total"] in (None, len(whole[items])), route
        seen, token, pages = [], "", 0
        while True:
            page = get(fetch, jp_auth_header, route, limit=1, page_token=token)
            assert {items, "next_page_token", "total"} <= set(page) and len(page[items]) == 1
            conforms(page, route)
            seen += page[items]
            token, pages = page["next_page_token"], pages + 1
            if token is None:
                break
        assert seen == whole[items] and pages == len(seen), route


def test_bad_tokens_and_limits_are_400_saying_what_to_do(fetch, jp_auth_header, lists):
    tokens = {route: get(fetch, jp_auth_header, route, limit=1)["next_page_token"]
              for route in lists}
    for route in lists:
        others = [tokens["runs"], tokens["experiments"]] if route != "runs" else [tokens["models"]]
        if route == "experiments":
            others = [tokens["models/m0/versions"]]  # the same key type, another list
        mine = handler_name(route)  # a token made for this list, but with values it never has
        forged = [encode_token([value] * n, mine) for value in (None, 1 << 70, "a\x00")
                  for n in (1, 2)] + [encode_token([1]), encode_token([1, "a"])]
        for token in ("nonsense", *forged, *others):
            refused = get(fetch, jp_auth_header, route, 400, page_token=token)
            assert refused["error"] == "InvalidInput" and "page token" in refused["message"]
        for limit in ("0", "10000", "x", "-1"):
            refused = get(fetch, jp_auth_header, route, 400, limit=limit)
            assert "limit must be a whole number from 1 to 9999" in refused["message"], route


def test_the_document_describes_every_list_with_the_one_page_shape(lists):
    doc = document()
    for route in lists:
        template = next(p for p in doc["paths"] if _matches(p, f"/mlops-lab/api/{route}"))
        get_op = doc["paths"][template]["get"]
        refs = {p.get("$ref") for p in get_op["parameters"]}
        assert {"#/components/parameters/Limit", "#/components/parameters/PageToken"} <= refs
        schema = get_op["responses"]["200"]["content"]["application/json"]["schema"]
        assert {"$ref": "#/components/schemas/Page"} in schema["allOf"], route


def handler_name(route: str) -> str:
    from mlops_lab.server.handlers import ROUTES

    return next(h.__name__ for pattern, h in ROUTES if re.fullmatch(pattern, route))


def conforms(doc, route: str) -> None:
    """`doc` is valid for the 200 answer the served document gives the list's route."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    template = next(p for p in document()["paths"] if _matches(p, f"/mlops-lab/api/{route}"))
    pointer = "/".join(["paths", template.replace("~", "~0").replace("/", "~1"), "get",
                        "responses", "200", "content", "application~1json", "schema"])
    registry = Registry().with_resource(
        "urn:mlops-lab", Resource.from_contents(document(), default_specification=DRAFT202012))
    Draft202012Validator({"$ref": f"urn:mlops-lab#/{pointer}"}, registry=registry).validate(doc)


def _matches(template: str, path: str) -> bool:
    a, b = template.split("/"), path.split("/")
    return len(a) == len(b) and all(x == y or x.startswith("{") for x, y in zip(a, b))
