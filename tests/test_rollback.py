"""Rolling an alias back to where it was before its latest move, and the registry's events
(a registration, an alias move) delivered to a real local webhook receiver, signed."""

from __future__ import annotations

import hashlib
import hmac
import json

import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor

import mlops_lab as ml
from mlops_lab.errors import Conflict, InvalidInput, NotFound
from mlops_lab.services import services_for

from webhook_receivers import receiver_fixture

EXAMPLE = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
SECRET = "registry-events-secret"


@pytest.fixture
def parts(store):
    return services_for(store)


@pytest.fixture
def reg(parts):
    """Model "churn" with versions 1-3; @champion created at 1, then moved to 3."""
    reg = parts.models
    for value in (1.0, 2.0, 3.0):
        model = DummyRegressor(strategy="constant", constant=value).fit(EXAMPLE, [value] * 3)
        reg.register(model, "churn", input_example=EXAMPLE, user="ana")
    reg.set_alias("churn", "champion", 1, reason="first", user="ana")
    reg.set_alias("churn", "champion", 3, reason="better auc", user="ben")
    return reg


def moves(reg, alias="champion"):
    return [(h.from_version, h.to_version, h.reason)
            for h in reg.alias_history("churn", alias)]


def test_rollback_points_the_alias_back_and_says_so_in_the_history(reg):
    move = reg.rollback("churn", reason="worse on live traffic", user="cleo")
    assert (move.alias, move.from_version, move.to_version, move.moved_by) == (
        "champion", 3, 1, "cleo")
    assert move.reason == "Rolled back from version 3 to version 1: worse on live traffic"
    assert reg.alias_target("churn", "champion") == 1
    assert moves(reg)[0] == (3, 1, move.reason)
    assert reg.get_model("churn").aliases == {"champion": 1}


def test_a_rollback_of_a_rollback_goes_back_again(reg):
    reg.rollback("churn")
    again = reg.rollback("churn", reason="   ")  # a blank reason is no reason
    assert (again.from_version, again.to_version) == (1, 3)
    assert again.reason == "Rolled back from version 1 to version 3"
    assert moves(reg)[:2] == [(1, 3, again.reason),
                              (3, 1, "Rolled back from version 3 to version 1")]


def test_rollback_of_another_alias_and_from_the_python_api(reg):
    reg.set_alias("churn", "production", 2)
    reg.set_alias("churn", "production", 1)
    move = ml.rollback("churn", "production", reason="canary failed")
    assert (move.from_version, move.to_version) == (1, 2)
    assert reg.alias_target("churn", "production") == 2
    assert reg.alias_target("churn", "champion") == 3  # the other alias did not move


@pytest.mark.parametrize("name, alias, error, message", [
    ("nope", "champion", NotFound, "No model named 'nope'"),
    ("churn", "staging", NotFound, "Model 'churn' has no alias 'staging' to roll back"),
    ("churn", "created", Conflict, "Nothing to roll back to: @created of 'churn' was created "
                                   "pointing at version 2"),
    ("churn", "gone", NotFound, "Model 'churn' has no alias 'gone'"),
    ("churn", "../x", InvalidInput, "An alias is 1 to 64 letters"),
])
def test_rollback_refuses_clearly_and_writes_nothing(reg, name, alias, error, message):
    reg.set_alias("churn", "created", 2)
    reg.set_alias("churn", "gone", 2)
    reg.set_alias("churn", "gone", 1)
    reg.delete_alias("churn", "gone")
    before = reg.alias_history("churn")
    with pytest.raises(error, match=message.replace("(", r"\(").replace(".", r"\.")):
        reg.rollback(name, alias)
    assert reg.alias_history("churn") == before


def test_a_reason_with_a_nul_is_refused(reg):
    with pytest.raises(InvalidInput, match="reason must not contain a NUL"):
        reg.rollback("churn", reason="a\x00b")
    assert reg.alias_target("churn", "champion") == 3


# ---- events to webhooks ---------------------------------------------------------------------
receiver = receiver_fixture(SECRET)


def test_webhooks_get_registrations_and_alias_moves_signed(parts, receiver):
    parts.webhooks.create_webhook("registry", receiver.url, secret=SECRET)
    reg = parts.models
    model = DummyRegressor(strategy="constant", constant=1.0).fit(EXAMPLE, [1.0] * 3)
    reg.register(model, "churn", input_example=EXAMPLE, alias="champion", user="ana")
    reg.register(model, "churn", input_example=EXAMPLE, user="ana")
    reg.set_alias("churn", "champion", 2, reason="better auc", user="ben")
    reg.rollback("churn", reason="latency", user="cleo")
    assert parts.webhooks.deliver_due() == 5
    assert receiver.bad_signatures == 0
    sent = [json.loads(body) for _, body in receiver.received]
    for (headers, body), doc in zip(receiver.received, sent):
        assert headers["X-MlopsLab-Event"] == doc["event"]
        assert headers["X-MlopsLab-Signature"] == "sha256=" + hmac.new(
            SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert isinstance(doc.pop("at"), int)
    registered = {"event": "model_version.registered", "name": "churn",
                  "model_class": "sklearn.dummy.DummyRegressor", "run_id": None,
                  "created_by": "ana"}
    moved = {"event": "alias.moved", "name": "churn", "alias": "champion",
             "evaluation_id": None, "rolled_back": False}
    assert sent == [
        {**registered, "version": 1},
        {**moved, "from_version": None, "to_version": 1, "reason": None, "moved_by": "ana"},
        {**registered, "version": 2},
        {**moved, "from_version": 1, "to_version": 2, "reason": "better auc", "moved_by": "ben"},
        {**moved, "from_version": 2, "to_version": 1, "moved_by": "cleo", "rolled_back": True,
         "reason": "Rolled back from version 2 to version 1: latency"},
    ]
    log = parts.webhooks.list_deliveries("registry")
    assert {(d.event, d.status, d.alert_id) for d in log} == {
        ("model_version.registered", "delivered", None), ("alias.moved", "delivered", None)}


def test_a_refused_change_queues_nothing(parts, receiver):
    parts.webhooks.create_webhook("registry", receiver.url, secret=SECRET)
    model = DummyRegressor(strategy="constant", constant=1.0).fit(EXAMPLE, [1.0] * 3)
    parts.models.register(model, "churn", input_example=EXAMPLE, alias="champion")
    queued = len(parts.webhooks.list_deliveries())
    with pytest.raises(Conflict):
        parts.models.rollback("churn")
    with pytest.raises(NotFound):
        parts.models.set_alias("churn", "champion", 9)
    assert len(parts.webhooks.list_deliveries()) == queued == 2
