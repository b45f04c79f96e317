"""The "Try it" route (POST models/{name}/versions/{version}/predict) through a real Jupyter
server with the extension, on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pytest
from sklearn.linear_model import LogisticRegression
from sqlalchemy import text

from mlops_lab.models.service import ModelService

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module

NAME = "churn <b>&</b> / ü"


@pytest.fixture
def allow_pickle():
    return False


@pytest.fixture
def reg(store):
    if not store.db.is_sqlite:
        with store.db.write() as conn:
            conn.execute(text("TRUNCATE models, model_versions, model_aliases, "
                              "model_alias_history RESTART IDENTITY CASCADE"))
    return ModelService(store)


@pytest.fixture
def jp_server_config(reg, allow_pickle):
    # Depends on the store so the server and the test share it.
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}},
            "MlopsLabApp": {"allow_pickle": allow_pickle}}


@pytest.fixture
def model(reg):
    import pandas as pd

    X = pd.DataFrame({"tenure": [1.0, 20.0, 3.0, 40.0], "calls": [5, 0, 7, 1]})
    clf = LogisticRegression().fit(X, [1, 0, 1, 0])
    reg.register(clf, NAME, input_example=X)
    return X, clf


def route(name=NAME, version=1) -> str:
    return f"models/{quote(name, safe='')}/versions/{version}/predict"


def answer(response, status):
    assert response.code == status, response.body
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


def test_try_it_predicts_by_the_servers_rules(fetch, jp_auth_header, model):
    X, clf = model
    doc = answer(fetch(route(), jp_auth_header, body={"records": X.to_dict("records")}), 200)
    assert doc == {"predictions": clf.predict(X).tolist(), "model": NAME, "version": 1}
    doc = answer(fetch(route(), jp_auth_header, body={"columns": X.to_dict("list")}), 200)
    assert doc["predictions"] == clf.predict(X).tolist()
    bad = answer(fetch(route(), jp_auth_header,
                       body={"records": [{"tenure": "long", "calls": 1}]}), 422)
    assert bad == {"error": "InvalidInput",
                   "message": "Column 'tenure', row 0: expected a number (float64), got the "
                              "text 'long'."}
    assert answer(fetch(route(), jp_auth_header, body=b"{oops"), 400)["error"] == "InvalidJSON"
    assert "nested too deeply" in answer(fetch(route(), jp_auth_header,
                                               body=b"[" * 50_000 + b"]" * 50_000), 400)["message"]
    nan = answer(fetch(route(), jp_auth_header,
                       body=b'{"records": [{"tenure": NaN, "calls": 1}]}'), 422)
    assert "missing value" in nan["message"]
    # every answer is JSON with markup escaped, even with a hostile model name echoed back
    raw = fetch(route(), jp_auth_header, body={"records": X.head(1).to_dict("records")}).body
    assert b"<b>" not in raw


def test_try_it_refuses_a_record_without_a_column_and_gives_probabilities(fetch, jp_auth_header,
                                                                          model):
    X, clf = model
    for records, row in (([{}], 0), ([{"tenure": 1.0, "calls": 1}, {"calls": 2}], 1)):
        refused = answer(fetch(route(), jp_auth_header, body={"records": records}), 422)
        assert refused["message"].startswith(f"Row {row} has no column(s) 'tenure'")
    doc = answer(fetch(route(), jp_auth_header,
                       body={"records": X.head(2).to_dict("records"), "probabilities": True}), 200)
    assert doc["classes"] == [0, 1]
    assert doc["predictions"] == clf.predict(X.head(2)).tolist()
    assert len(doc["probabilities"]) == 2
    assert [p for row in doc["probabilities"] for p in row] == pytest.approx(
        clf.predict_proba(X.head(2)).ravel().tolist())


def test_missing_models_versions_and_bad_segments(fetch, jp_auth_header, model):
    body = {"records": [{"tenure": 1.0, "calls": 1}]}
    assert answer(fetch(route("nope"), jp_auth_header, body=body), 404)["error"] == "NotFound"
    assert answer(fetch(route(version=9), jp_auth_header, body=body), 404)["error"] == "NotFound"
    # not a route of ours (the version is not a number): the API's fallback, 404 whatever
    # the method; a method the route does not take is 405 with the ones it does
    assert fetch(f"models/{quote(NAME, safe='')}/versions/x/predict", jp_auth_header,
                 body=body).code == 404
    allow = fetch(route(), jp_auth_header, method="PUT", body=body).headers["Allow"]
    assert {"GET", "POST"} <= set(allow.split(", ")) and "PUT" not in allow
    assert fetch(route(), jp_auth_header, method="PUT", body=body).code == 405
    assert answer(fetch(route("nope"), jp_auth_header, method="GET"), 404)["error"] == "NotFound"


def test_the_example_fits_the_signature_and_predicts(fetch, jp_auth_header, model):
    doc = answer(fetch(route(), jp_auth_header, method="GET"), 200)
    assert doc["inputs"] == [{"name": "tenure", "dtype": "float64"},
                             {"name": "calls", "dtype": "int64"}]
    # The version's input example's first row (what "Try it" starts from), not placeholders.
    assert doc["example"] == {"records": [{"tenure": 1.0, "calls": 5}]}
    assert doc["format"] == "skops" and doc["model"] == NAME
    answer(fetch(route(), jp_auth_header, body=doc["example"]), 200)


def test_bodies_over_the_limit_are_refused_before_they_are_read(fetch, jp_auth_header, model,
                                                                jp_base_url, raw_request):
    big = b'{"records": [' + b" " * (2 << 20) + b"]}"
    refused = answer(fetch(route(), jp_auth_header, body=big), 413)
    assert refused["error"] == "BodyTooLarge"
    # declared 100 MB, nothing sent: the answer comes back anyway
    received = raw_request(f"POST {jp_base_url}mlops-lab/api/{route()} HTTP/1.1",
                           {"Content-Length": "104857600"})
    assert received.startswith(b"HTTP/1.1 413"), received[:200]


def test_credentials_and_xsrf(fetch, jp_serverapp, jp_base_url, model):
    body = {"records": [{"tenure": 1.0, "calls": 1}]}
    assert fetch(route(), body=body).code == 403
    assert fetch(route(), method="GET").code == 403
    assert fetch(route(), {"Authorization": "token nope"}, body=body).code == 403
    login = fetch(f"{jp_base_url}login", method="GET")
    xsrf = re.search(r"_xsrf=([^;]+)", login.headers.get("Set-Cookie", "")).group(1)
    posted = fetch(f"{jp_base_url}login", headers={"Cookie": f"_xsrf={xsrf}"},
                   follow_redirects=False,
                   body=urlencode({"password": jp_serverapp.identity_provider.token,
                                   "_xsrf": xsrf}))
    assert posted.code == 302, posted.body
    cookies = "; ".join(c.split(";", 1)[0] for c in posted.headers.get_list("Set-Cookie"))
    cookie = {"Cookie": f"{cookies}; _xsrf={xsrf}"}
    assert fetch(route(), cookie, body=body).code == 403
    assert fetch(route(), {**cookie, "X-XSRFToken": xsrf}, body=body).code == 200


def test_a_pickled_version_is_never_loaded_without_the_opt_in(fetch, jp_auth_header, reg,
                                                              tmp_path, hostile_model):
    target = tmp_path / "pwned-by-try-it.txt"
    reg.register(hostile_model(target), "evil", serialization="pickle")
    refused = answer(fetch(route("evil"), jp_auth_header, body={"records": [{"a": 1}]}), 400)
    assert "pickle" in refused["message"]
    assert not target.exists()


@pytest.mark.parametrize("allow_pickle", [True])
def test_the_server_config_opt_in_loads_a_pickled_version(fetch, jp_auth_header, reg,
                                                          allow_pickle):
    import numpy as np

    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    reg.register(LogisticRegression().fit(X, [0, 0, 1, 1]), "pickled", input_example=X,
                 serialization="pickle")
    doc = answer(fetch(route("pickled"), jp_auth_header,
                       body={"records": [{"f0": 0.0}, {"f0": 3.0}]}), 200)
    assert doc["predictions"] == [0, 1]
