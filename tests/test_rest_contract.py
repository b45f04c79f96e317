"""The REST API answers as its OpenAPI document says, for the cases the schema-driven fuzz
(scripts/fuzz_api.sh) found apart: responses that did not fit their schema, requests the
document allows that the server refused, and the other way round."""

from __future__ import annotations

import json

import numpy as np
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sklearn.linear_model import LogisticRegression

from mlops_lab.models.service import ModelService
from mlops_lab.server.openapi import document

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module


@pytest.fixture
def jp_server_config(store_home):
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


def conforms(doc, schema_name: str) -> None:
    """`doc` is valid for components/schemas/<schema_name> of the served document."""
    from jsonschema import Draft202012Validator

    registry = Registry().with_resource(
        "urn:mlops-lab", Resource.from_contents(document(), default_specification=DRAFT202012))
    Draft202012Validator({"$ref": f"urn:mlops-lab#/components/schemas/{schema_name}"},
                         registry=registry).validate(doc)


def answer(response, status=200):
    assert response.code == status, response.body
    return json.loads(response.body)


def test_runs_of_pipelines_and_sweeps_fit_the_run_schema(fetch, jp_auth_header, tracking):
    exp = tracking.get_or_create_experiment("contract")
    for kind in ("cell", "pipeline", "sweep"):
        run = tracking.create_run(exp.id, name=kind, source={"notebook": "train.ipynb",
                                                             "kind": kind})
        conforms(answer(fetch(f"runs/{run.id}", jp_auth_header)), "Run")


def test_the_output_notebooks_media_type_is_documented(fetch, jp_auth_header, tracking):
    exp = tracking.get_or_create_experiment("contract")
    run = tracking.create_run(exp.id, name="pipeline", source={"kind": "pipeline"})
    tracking.log_artifact_bytes(run.id, b"{}", "output.ipynb", "application/x-ipynb+json")
    response = fetch(f"runs/{run.id}/artifacts/output.ipynb", jp_auth_header)
    assert response.code == 200
    documented = document()["paths"]["/mlops-lab/api/runs/{run_id}/artifacts/{path}"]["get"][
        "responses"]["200"]["content"]
    assert response.headers["Content-Type"] in documented


def test_a_search_text_with_control_characters_is_refused_not_shortened(fetch, jp_auth_header):
    # tornado's get_argument drops control characters, so 1,001 characters of which a few
    # were \x12 passed a 1,000-character limit; the document says what the server does now
    for route in ("models", "datasets", "feature-sets"):
        refused = answer(fetch(f"{route}?q=a%12b", jp_auth_header), 400)
        assert refused["message"] == "q must be text without control characters."
        assert answer(fetch(f"{route}?q=%20a%20", jp_auth_header), 200)


def test_alias_version_forms_the_document_allows_are_accepted(fetch, jp_auth_header, tracking):
    reg = ModelService(tracking.store)
    X = np.random.default_rng(0).random((20, 2))
    model = LogisticRegression().fit(X, (X[:, 0] > 0.5).astype(int))
    reg.register(model, "contract")
    reg.register(model, "contract")
    # JSON's 2.0 is the integer 2 (JSON Schema's `integer` says so), and "1" is a version too
    for version, expected in ((2.0, 2), ("1", 1), (" 2 ", 2)):
        move = answer(fetch("models/contract/aliases/champion", jp_auth_header,
                            body={"version": version, "reason": None}))
        assert move["to_version"] == expected
        conforms(move, "AliasMove")
    for version in (2.5, 0, "0", True):
        assert fetch("models/contract/aliases/champion", jp_auth_header,
                     body={"version": version}).code == 400, version
    # an alias of digits would read as a version: the document's pattern says so too
    assert fetch("models/contract/aliases/7", jp_auth_header, body={"version": 1}).code == 400


def test_rollback_answers_and_refusals_fit_the_document(fetch, jp_auth_header, tracking):
    reg = ModelService(tracking.store)
    X = np.random.default_rng(0).random((20, 2))
    model = LogisticRegression().fit(X, (X[:, 0] > 0.5).astype(int))
    reg.register(model, "contract", alias="champion")
    reg.register(model, "contract")
    route = "models/contract/aliases/champion/rollback"
    operation = document()["paths"]["/mlops-lab/api/" + route.replace(
        "contract", "{name}").replace("champion", "{alias}")]["post"]
    refused = answer(fetch(route, jp_auth_header, body={"reason": None}), 409)
    assert "409" in operation["responses"]
    conforms(refused, "Error")
    reg.set_alias("contract", "champion", 2)
    for body in ({"reason": None}, {"reason": "x" * 2000}, {}):
        conforms(answer(fetch(route, jp_auth_header, body=body)), "AliasMove")
    assert fetch(route, jp_auth_header, body={"reason": "x" * 2001}).code == 400


def test_try_it_refuses_a_malformed_body_before_loading_the_model(fetch, jp_auth_header, tracking,
                                                                 tmp_path, hostile_model):
    target = tmp_path / "loaded.txt"
    ModelService(tracking.store).register(hostile_model(target), "pickled",
                                             serialization="pickle")
    refused = answer(fetch("models/pickled/versions/1/predict", jp_auth_header, body=b"{oops"),
                     400)
    assert refused["error"] == "InvalidJSON"  # not the pickle refusal: the model was not read
    assert not target.exists()
