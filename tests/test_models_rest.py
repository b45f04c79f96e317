"""The registry's REST routes through a real Jupyter server with the extension, on a real store."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sqlalchemy import text

from mlops_lab.models.service import ModelService

from hostile_skops import HOSTILE_TYPE, hostile  # noqa: F401 - the fixture
from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module

EVIL = "<img src=x onerror=alert(1)> ../../etc/passwd"


@pytest.fixture
def reg(store):
    if not store.db.is_sqlite:
        with store.db.write() as conn:
            conn.execute(text("TRUNCATE models, model_versions, model_aliases, "
                              "model_alias_history RESTART IDENTITY CASCADE"))
    return ModelService(store)


@pytest.fixture
def jp_server_config(reg):
    # Depends on the store so the server and the test share it.
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


@pytest.fixture
def models(reg, svc):
    X = np.random.default_rng(0).random((40, 3))
    clf = LogisticRegression().fit(X, (X[:, 0] > 0.5).astype(int))
    exp = svc.get_or_create_experiment("rest")
    run = svc.create_run(exp.id, name="fit", source={"cell": "clf.fit(X, y)",
                                                     "notebook": "churn.ipynb",
                                                     "execution_count": 3})
    svc.log_metrics(run.id, {"auc": 0.9, "bad": float("nan")})
    svc.link_run(run.id, "input", "snapshot", "s1", "customers@2")
    reg.register(clf, "churn", input_example=X[:3], run_id=run.id, alias="champion",
                 description="first")
    reg.register(clf, "churn", input_example=X[:3])
    reg.register(clf, EVIL)
    return run


def ok(response, status=200):
    assert response.code == status, response.body
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body, parse_constant=lambda c: pytest.fail(f"literal {c}"))


def seg(name: str) -> str:
    return quote(name, safe="")


def test_models_versions_and_card(fetch, jp_auth_header, models):
    body = ok(fetch("models", headers=jp_auth_header))
    assert {m["name"] for m in body["models"]} == {"churn", EVIL}
    assert body["next_page_token"] is None
    cut = ok(fetch("models?limit=1", headers=jp_auth_header))
    assert len(cut["models"]) == 1 and cut["next_page_token"]
    assert ok(fetch("models?" + urlencode({"q": "CHU"}), headers=jp_auth_header))[
        "models"][0]["aliases"] == {"champion": 1}
    assert ok(fetch(f"models/{seg(EVIL)}", headers=jp_auth_header))["name"] == EVIL
    # One answer holds what a model's view shows: the model, its versions, its alias history.
    overview = ok(fetch("models/churn", headers=jp_auth_header))
    assert overview["aliases"] == {"champion": 1} and overview["latest_version"] == 2
    assert [v["version"] for v in overview["versions"]] == [2, 1]
    assert [(h["alias"], h["to_version"]) for h in overview["history"]] == [("champion", 1)]
    versions = ok(fetch("models/churn/versions", headers=jp_auth_header))["versions"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["metrics"] == {"auc": 0.9, "bad": "NaN"}
    one = ok(fetch("models/churn/versions/1", headers=jp_auth_header))
    assert one["aliases"] == ["champion"] and one["card"].startswith("# churn")
    assert one["lineage"]["run"]["id"] == models.id
    assert one["lineage"]["source"]["notebook"] == "churn.ipynb"
    assert one["lineage"]["inputs"] == [{"kind": "snapshot", "ref": "s1", "label": "customers@2"}]
    assert one["signature"]["inputs"][0] == {"name": "f0", "dtype": "float64"}
    raw = fetch(f"models/{seg(EVIL)}/versions/1", headers=jp_auth_header).body
    assert b"<img" not in raw  # markup in names never appears raw in a JSON body
    assert ok(fetch("models/churn/versions/1/verify", headers=jp_auth_header))["loads"] is True


def test_missing_things_and_bad_segments(fetch, jp_auth_header, models):
    for path, status in [("models/nope", 404), ("models/churn/versions/9", 404),
                         ("models/churn/versions/x", 404), ("models/churn/versions/-1", 404),
                         ("models/churn/aliases/..%2fx", 404), ("models/a%00b", 400),
                         (f"models/{'n' * 5000}", 400), ("models?limit=0", 400)]:
        response = fetch(path, headers=jp_auth_header)
        assert response.code == status, (path, response.code)
        assert set(json.loads(response.body)) == {"error", "message"}


def test_aliases_promote_rollback_delete_with_history(fetch, jp_auth_header, jp_serverapp,
                                                      models):
    moved = ok(fetch("models/churn/aliases/champion", headers=jp_auth_header, method="POST",
                     body={"version": 2, "reason": "better auc"}))
    assert (moved["from_version"], moved["to_version"]) == (1, 2)
    import getpass

    # Token login knows no one (its user is a random hex id): the account running the server.
    assert moved["moved_by"] == getpass.getuser()
    back = ok(fetch("models/churn/aliases/champion", headers=jp_auth_header, method="POST",
                    body={"version": 1, "reason": "rollback: latency"}))
    assert (back["from_version"], back["to_version"]) == (2, 1)
    ok(fetch("models/churn/aliases/champion", headers=jp_auth_header, method="DELETE",
             body={"reason": "retired"}))
    doc = ok(fetch("models/churn/aliases", headers=jp_auth_header))
    assert doc["aliases"] == {}
    assert [(h["from_version"], h["to_version"], h["reason"]) for h in doc["history"]] == [
        (1, None, "retired"), (2, 1, "rollback: latency"), (1, 2, "better auc"), (None, 1, None)]
    for body, status in [({}, 400), ({"version": 99}, 404), ({"version": "x"}, 400),
                         ({"version": 2**63}, 400), ({"version": 2**64 + 5}, 400),
                         ({"version": str(2**63)}, 400), ({"version": 2**40}, 404),
                         ({"version": 1, "reason": 5}, 400), ("[1]", 400), ("{bad", 400)]:
        response = fetch("models/churn/aliases/champion", headers=jp_auth_header,
                         method="POST", body=body)
        assert response.code == status, (body, response.body)
    assert fetch("models/churn/aliases/nothere", headers=jp_auth_header, method="DELETE",
                 body={}).code == 404
    # No route matches an alias outside its pattern (the fallback route only answers GET).
    assert fetch("models/churn/aliases/a%20b", headers=jp_auth_header, method="POST",
                 body={"version": 1}).code in (404, 405)


def test_rollback_moves_the_alias_back_with_who_and_why(fetch, jp_auth_header, models):
    url = "models/churn/aliases/champion"
    ok(fetch(url, headers=jp_auth_header, method="POST", body={"version": 2}))
    back = ok(fetch(f"{url}/rollback", headers=jp_auth_header, method="POST",
                    body={"reason": "latency"}))
    import getpass

    assert (back["from_version"], back["to_version"], back["moved_by"]) == (
        2, 1, getpass.getuser())
    assert back["reason"] == "Rolled back from version 2 to version 1: latency"
    again = ok(fetch(f"{url}/rollback", headers=jp_auth_header, method="POST", body=b""))
    assert (again["from_version"], again["to_version"]) == (1, 2)
    doc = ok(fetch("models/churn", headers=jp_auth_header))
    assert doc["aliases"] == {"champion": 2}
    assert doc["history"][0]["reason"] == "Rolled back from version 1 to version 2"


@pytest.mark.parametrize("path, body, status, message", [
    (f"models/{quote(EVIL, safe='')}/aliases/champion/rollback", {}, 404, "has no alias"),
    ("models/churn/aliases/nothere/rollback", {}, 404, "has no alias 'nothere'"),
    ("models/nope/aliases/champion/rollback", {}, 404, "No model named 'nope'"),
    ("models/churn/aliases/champion/rollback", {"reason": 5}, 400, "reason must be text"),
    ("models/churn/aliases/champion/rollback", "[1]", 400, "must be a JSON object"),
    ("models/churn/aliases/champion/rollback", {}, 409, "Nothing to roll back to"),
])
def test_rollback_refusals(fetch, jp_auth_header, models, path, body, status, message):
    refused = ok(fetch(path, headers=jp_auth_header, method="POST", body=body), status)
    assert message in refused["message"]


def test_the_server_never_unpickles(fetch, jp_auth_header, reg, tmp_path, hostile_model):
    target = tmp_path / "pwned-by-server.txt"
    reg.register(hostile_model(target), "evil", serialization="pickle")
    response = fetch("models/evil/versions/1/verify", headers=jp_auth_header)
    assert response.code == 400 and b"pickle" in response.body
    assert not target.exists()
    assert ok(fetch("models/evil/versions/1", headers=jp_auth_header))["format"] == "pickle"
    assert not target.exists()


def test_the_server_never_loads_a_hostile_skops_file(fetch, jp_auth_header, reg, svc, hostile):
    X = np.random.default_rng(0).random((40, 3))
    reg.register(LogisticRegression().fit(X, X[:, 0] > 0.5), "swapped")
    blob, _ = reg.store.artifacts.put_bytes(hostile.file())
    with reg.db.write() as conn:  # the version's file swapped for the hostile one
        conn.execute(text("UPDATE model_versions SET blob = :blob"), {"blob": blob})
    response = fetch("models/swapped/versions/1/verify", headers=jp_auth_header)
    assert response.code == 400 and HOSTILE_TYPE.encode() in response.body
    assert not hostile.written()


def test_token_works_and_a_cookie_without_xsrf_is_refused(fetch, jp_auth_header,
                                                           jp_serverapp, jp_base_url, models):
    # Log in with the token as password, the way a browser does: a login cookie + _xsrf.
    login = fetch(f"{jp_base_url}login", method="GET")
    xsrf = re.search(r"_xsrf=([^;]+)", login.headers.get("Set-Cookie", "")).group(1)
    token = jp_serverapp.identity_provider.token
    posted = fetch(f"{jp_base_url}login", method="POST", follow_redirects=False,
                   headers={"Cookie": f"_xsrf={xsrf}"},
                   body=urlencode({"password": token, "_xsrf": xsrf}))
    assert posted.code == 302, posted.body
    cookies = "; ".join(c.split(";", 1)[0] for c in posted.headers.get_list("Set-Cookie"))
    cookie = {"Cookie": f"{cookies}; _xsrf={xsrf}"}
    assert fetch("models", headers=cookie).code == 200  # a GET with the cookie alone
    route, body = "models/churn/aliases/challenger", {"version": 2, "reason": "try"}
    refused = fetch(route, headers=cookie, method="POST", body=body)
    assert refused.code == 403
    assert ok(fetch("models/churn/aliases", headers=jp_auth_header))["aliases"] == {
        "champion": 1}
    assert fetch("models/churn/aliases/champion", headers=cookie, method="DELETE",
                 body={}).code == 403
    allowed = fetch(route, headers={**cookie, "X-XSRFToken": xsrf}, method="POST", body=body)
    assert allowed.code == 200, allowed.body
    assert ok(fetch(route, headers=jp_auth_header, method="POST",
                    body={"version": 1}))["from_version"] == 2
    assert fetch(route, method="POST", body=body).code == 403  # nothing at all
