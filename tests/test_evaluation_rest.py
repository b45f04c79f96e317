"""Gates and benchmarks over REST, through a real Jupyter server with the extension on a real
store: run one, list a model's, read one; answers fit the OpenAPI document."""

from __future__ import annotations

import json

import pytest

from evaluation_models import churn_store
from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module
from test_rest_contract import conforms


@pytest.fixture
def jp_server_config(store_home):
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


@pytest.fixture
def ml(store_home):
    return churn_store()


def answer(response, status=200):
    assert response.code == status, response.body
    return json.loads(response.body)


GATE = {"challenger": "churn/2", "champion": "churn@champion", "data": "holdout",
        "label": "churned", "metric": "roc_auc", "promote": "champion"}


def test_a_gate_run_over_rest_is_stored_listed_and_moves_the_alias(fetch, jp_auth_header, ml):
    gate = answer(fetch("gates", jp_auth_header, body=GATE))
    conforms(gate, "Evaluation")
    assert gate["kind"] == "gate" and gate["passed"] is True
    assert gate["promoted"]["to_version"] == 2
    assert gate["created_by"]  # who asked, as the server knows them
    bench = answer(fetch("benchmarks", jp_auth_header, body={
        "versions": ["churn/1", "churn/2", "churn/3"], "data": "holdout", "label": "churned",
        "metrics": ["accuracy", "log_loss"]}))
    conforms(bench, "Evaluation")
    assert [row["rank"] for row in bench["leaderboard"]] == [1, 2, 3]
    listed = answer(fetch("models/churn/evaluations", jp_auth_header))
    assert [e["id"] for e in listed["evaluations"]] == [bench["id"], gate["id"]]
    assert listed["next_page_token"] is None
    page = answer(fetch("models/churn/evaluations?limit=1", jp_auth_header))
    assert [e["id"] for e in page["evaluations"]] == [bench["id"]]
    rest = answer(fetch(f"models/churn/evaluations?limit=1&page_token="
                        f"{page['next_page_token']}", jp_auth_header))
    assert [e["id"] for e in rest["evaluations"]] == [gate["id"]]
    gates = answer(fetch("models/churn/evaluations?kind=gate&version=2", jp_auth_header))
    assert [e["id"] for e in gates["evaluations"]] == [gate["id"]]
    assert answer(fetch(f"evaluations/{gate['id']}", jp_auth_header)) == gate
    history = answer(fetch("models/churn/aliases", jp_auth_header))["history"]
    assert history[0]["evaluation_id"] == gate["id"]


@pytest.mark.parametrize("body, status, message", [
    ({**GATE, "labels": "churned"}, 400, "takes no field 'labels'"),
    ({k: v for k, v in GATE.items() if k != "label"}, 400, "needs label"),
    ({**GATE, "margin": "a lot"}, 400, "margin is a number"),
    ({**GATE, "slices": "region"}, 400, "has no column 'region'"),
    ({**GATE, "challenger": "churn/99"}, 404, "no version 99"),
    ({**GATE, "data": "nothing"}, 404, "No snapshot"),
])
def test_a_bad_gate_request_gets_a_clear_error_and_moves_nothing(fetch, jp_auth_header, ml,
                                                                 body, status, message):
    got = answer(fetch("gates", jp_auth_header, body=body), status)
    assert message in got["message"]
    assert ml.models.alias_target("churn", "champion") == 1
    assert answer(fetch("models/churn/evaluations", jp_auth_header))["evaluations"] == []


def test_unknown_evaluations_and_models_are_404(fetch, jp_auth_header, ml):
    assert fetch("evaluations/12345", jp_auth_header).code == 404
    assert fetch("models/nobody/evaluations", jp_auth_header).code == 404
    assert fetch("models/churn/evaluations?kind=drift", jp_auth_header).code == 400
