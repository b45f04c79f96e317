"""Who is recorded for a REST request: the name an identity provider that knows users gives
(JupyterHub's, or any configured one), the same rule for every "who" the routes record."""

from __future__ import annotations

import json

import numpy as np
import pytest
from jupyter_server.auth.identity import IdentityProvider, User
from sklearn.linear_model import LogisticRegression

from mlops_lab.models.service import ModelService

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module


class KnowsAna(IdentityProvider):
    """A provider that knows its user, as JupyterHub's does: the token's user is Ana."""

    def generate_anonymous_user(self, handler):
        return User(username="ana.lima", name="Ana Lima")


@pytest.fixture
def jp_server_config(store_home):
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True},
                          "identity_provider_class": KnowsAna}}


def test_a_known_user_is_recorded_by_name(fetch, jp_auth_header, store_home):
    from mlops_lab.services import services

    registry: ModelService = services().models
    X = np.random.default_rng(0).random((20, 2))
    registry.register(LogisticRegression().fit(X, X[:, 0] > 0.5), "churn")
    response = fetch("models/churn/aliases/champion", headers=jp_auth_header, method="POST",
                     body={"version": 1, "reason": "first"})
    assert response.code == 200, response.body
    assert json.loads(response.body)["moved_by"] == "ana.lima"
    history = json.loads(fetch("models/churn/aliases", headers=jp_auth_header).body)["history"]
    assert [h["moved_by"] for h in history] == ["ana.lima"]
