"""Security of the REST API, checked from the live route table of a running server: a route
added later is covered without editing this file."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from pathlib import Path

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.routing import PathMatches, RuleRouter

from mlops_lab.server.handlers import NotFoundHandler
from mlops_lab.server.openapi import document

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module

GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")
BAD_IDS = ["../x", "%2e%2e", "..%2f", "%2E%2E%2Fx", "0" * 31, "0" * 33, "A" * 32]
BAD_ARTIFACT_PATHS = [
    "%2Fetc%2Fpasswd", "/etc/passwd", "..%252f..%252fetc%252fpasswd", "x/../../y",
    "x/..%2F..%2Fy", "C:%5Cx", "C:/x", "%5C%5Chost%5Cshare", "x%23/../", "..", "./x",
    "%00", "a%0Ab",
]


@pytest.fixture
def jp_server_config(store_home):
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


@pytest.fixture
def run(tracking):
    exp = tracking.get_or_create_experiment("security")
    run = tracking.create_run(exp.id, name="target")
    tracking.log_metrics(run.id, {"auc": 0.9})
    tracking.log_artifact_bytes(run.id, b"just a model", "model.txt")
    return run


def live_routes(serverapp) -> list[tuple[str, type]]:
    """(regex, handler class) of every mlops-lab route the running server would dispatch to."""
    found = []

    def walk(router):
        for rule in getattr(router, "rules", []):
            if isinstance(rule.target, RuleRouter):
                walk(rule.target)
            elif isinstance(rule.matcher, PathMatches):
                found.append((rule.matcher.regex.pattern, rule.target))

    web_app = serverapp.web_app
    walk(web_app.default_router)
    walk(web_app.wildcard_router)
    prefix = web_app.settings["base_url"] + "mlops-lab/"
    routes = [(pattern, target) for pattern, target in found if pattern.startswith(prefix)]
    assert routes, "the extension registered no routes"
    return routes


# A value each kind of id pattern accepts, for routes whose test does not name the group.
PLACEHOLDERS = ["0" * 32, "1", "champion", "x"]
METHODS = ("get", "post", "put", "patch", "delete")


def url_for(pattern: str, **values: str) -> str:
    values.setdefault("rest", "no/such/route")

    def value(match):
        if match.group(1) in values:
            return values[match.group(1)]
        group = re.compile(match.group(0))
        return next(v for v in PLACEHOLDERS if group.fullmatch(v))

    return GROUP.sub(value, pattern).removesuffix("$")


def methods_of(handler: type) -> list[str]:
    """The HTTP methods a handler class itself answers (not tornado's 405 defaults)."""
    return [m for m in METHODS
            if getattr(handler, m).__qualname__.split(".")[0] != "RequestHandler"]


def is_tracking(handler: type) -> bool:
    return handler.__module__ == "mlops_lab.server.tracking"


def api_path(pattern: str, base_url: str) -> str:
    """/mlops-lab/api/runs/{run_id} for the live regex of that route."""
    return "/" + GROUP.sub(r"{\1}", pattern).removesuffix("$")[len(base_url):]


def _send(fetch, url, method, headers=None):
    body = b"{}" if method in ("post", "put", "patch") else None
    return fetch(url, headers=headers, method=method.upper(), body=body)


def test_every_route_needs_credentials(jp_serverapp, jp_auth_header, fetch, run):
    """Every method of every live route: 403 without credentials or with a bad token; with the
    token, an answer of the route itself (tracking's GETs: 200; others: never 403 or 5xx)."""
    token = jp_serverapp.identity_provider.token
    for pattern, handler in live_routes(jp_serverapp):
        url = url_for(pattern, run_id=run.id, key="auc", path="model.txt")
        if "runs/fields/values" in pattern:
            url += "?field=params.model"  # the one tracking GET that needs a field named
        for method in methods_of(handler):
            anonymous = _send(fetch, url, method)
            assert anonymous.code == 403, (method, url)
            assert json.loads(anonymous.body)["error"] == "Forbidden"
            if method == "get":  # a write is refused earlier, for its missing XSRF token
                assert "token" in json.loads(anonymous.body)["message"]
            assert token not in anonymous.body.decode()
            for bad in (f"token {token[:-1]}x", "token ", "Bearer nonsense", f"token {token} x"):
                refused = _send(fetch, url, method, {"Authorization": bad})
                assert refused.code == 403, (method, url, bad)
            if method != "get":
                continue  # what a write does with an empty body is each part's own test
            allowed = _send(fetch, url, method, jp_auth_header)
            if handler is NotFoundHandler:
                assert allowed.code == 404
            elif is_tracking(handler):
                assert allowed.code == 200, (url, allowed.body)
            else:
                assert allowed.code not in (403, 405) and allowed.code < 500, (url, allowed.body)
            # An artifact's own bytes (its preview is JSON, as every other answer).
            raw = "/artifacts/(?P<path>" in pattern and allowed.code == 200
            assert allowed.headers["Content-Type"].startswith(
                "text/plain" if raw else "application/json"), url


def test_ids_outside_the_pattern_are_404(jp_serverapp, jp_auth_header, fetch, run):
    with_ids = [(p, h) for p, h in live_routes(jp_serverapp) if "(?P<run_id>" in p]
    assert with_ids
    for pattern, handler in with_ids:
        for bad in BAD_IDS:
            url = url_for(pattern, run_id=bad, key="auc", path="model.txt")
            # whatever the method, the route's own or not: a thing that does not exist
            for method in METHODS:
                response = _send(fetch, url, method, jp_auth_header)
                assert response.code == 404, (method, url, response.code)
                assert json.loads(response.body)["error"] == "NotFound"


def test_artifact_paths_cannot_leave_the_run(jp_serverapp, jp_auth_header, fetch, run):
    patterns = [p for p, _ in live_routes(jp_serverapp) if "(?P<path>" in p]
    assert len(patterns) == 2  # an artifact's bytes and its preview
    passwd = Path("/etc/passwd").read_bytes()[:20] if Path("/etc/passwd").exists() else b"root:"
    for pattern, bad in [(p, b) for p in patterns for b in BAD_ARTIFACT_PATHS]:
        url = url_for(pattern, run_id=run.id, path=bad)
        response = fetch(url, headers=jp_auth_header)
        assert response.code in (400, 404), (bad, response.code, response.body)
        assert passwd not in response.body and b"root:" not in response.body
        if response.code == 400 or response.headers.get("Content-Type", "").startswith(
                "application/json"):
            body = json.loads(response.body)
            assert set(body) == {"error", "message"}, body


def test_methods_a_route_lacks_are_json_405(jp_serverapp, jp_auth_header, fetch, run):
    for pattern, handler in live_routes(jp_serverapp):
        url = url_for(pattern, run_id=run.id, key="auc", path="model.txt")
        for method in set(METHODS) - set(methods_of(handler)):
            response = _send(fetch, url, method, jp_auth_header)
            assert response.code == 405, (method, url)
            assert json.loads(response.body)["error"] == "MethodNotAllowed"
            allow = {m.strip() for m in response.headers["Allow"].split(",")}
            assert {m.upper() for m in methods_of(handler)} <= allow, (url, allow)
            assert method.upper() not in allow


def test_bodies_over_the_limit_are_413_on_every_route(jp_serverapp, jp_auth_header, fetch, run,
                                                      raw_request):
    """Every method that takes a body, on every route: a body over the limit is a 413, told
    by its Content-Length or, sent chunked without one, as soon as it passes the limit (the
    client never finishes sending it and still gets the answer)."""
    from mlops_lab.server.base import MAX_JSON_BODY

    too_big = b'{"x": "' + b"a" * MAX_JSON_BODY + b'"}'
    chunk = b"a" * 65536
    chunks = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * (MAX_JSON_BODY // len(chunk) + 4)
    writes = [(p, h, m) for p, h in live_routes(jp_serverapp) if h is not NotFoundHandler
              for m in methods_of(h) if m != "get"]
    assert writes
    for pattern, handler, method in writes:
        url = url_for(pattern, run_id=run.id, key="auc", path="model.txt")
        response = fetch(url, headers=jp_auth_header, method=method.upper(), body=too_big)
        assert response.code == 413, (method, url, response.code, response.body[:200])
        assert json.loads(response.body)["error"] == "BodyTooLarge"
        received = raw_request(f"{method.upper()} {url} HTTP/1.1",
                               {"Transfer-Encoding": "chunked"}, chunks)  # never the last one
        assert received.startswith(b"HTTP/1.1 413"), (method, url, received[:200])


def test_writes_with_a_cookie_need_the_xsrf_token(jp_serverapp, fetch, run):
    """A login cookie alone (what a foreign page can make a browser send) may not write."""
    writes = [(p, h) for p, h in live_routes(jp_serverapp) if set(methods_of(h)) - {"get"}]
    assert writes
    cookie = {"Cookie": "_xsrf=forged; username-127-0-0-1=\"forged-login\""}
    for pattern, handler in writes:
        url = url_for(pattern, run_id=run.id)
        for method in set(methods_of(handler)) - {"get"}:
            response = _send(fetch, url, method, cookie)
            assert response.code == 403, (method, url)


class DenyMlopsLab(Authorizer):
    """Lets a user do anything except touch mlops-lab; remembers what it was asked."""

    asked: list[tuple[str, str]] = []

    def is_authorized(self, handler, user, action, resource):
        DenyMlopsLab.asked.append((action, resource))
        return resource != "mlops_lab"


class TestAuthorizer:
    @pytest.fixture
    def jp_server_config(self, store_home):
        DenyMlopsLab.asked = []
        return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True},
                              "authorizer_class": DenyMlopsLab}}

    def test_every_route_asks_the_authorizer(self, jp_serverapp, jp_auth_header, fetch,
                                                   run):
        expected = []
        for pattern, handler in live_routes(jp_serverapp):
            url = url_for(pattern, run_id=run.id, key="auc", path="model.txt")
            for method in methods_of(handler):
                response = _send(fetch, url, method, jp_auth_header)
                assert response.code == 403, (method, url)
                assert json.loads(response.body)["error"] == "Forbidden"
                expected.append(("read" if method == "get" else "write", "mlops_lab"))
        assert DenyMlopsLab.asked == expected


def test_openapi_document_is_valid_and_matches_the_live_routes(jp_serverapp):
    from openapi_spec_validator import validate

    spec = document()
    validate(spec)
    base_url = jp_serverapp.web_app.settings["base_url"]
    live = {}
    for pattern, handler in live_routes(jp_serverapp):
        if handler is NotFoundHandler:  # the JSON 404 for anything else under the prefix
            continue
        methods = {m for m in ("get", "post", "put", "patch", "delete")
                   if getattr(handler, m).__qualname__.startswith(handler.__name__ + ".")}
        live[api_path(pattern, base_url)] = methods
    documented = {path: {m for m in item if m in ("get", "post", "put", "patch", "delete")}
                  for path, item in spec["paths"].items()}
    assert live == documented
    assert live["/mlops-lab/api/models/{name}/aliases/{alias}/rollback"] == {"post"}
    for path, item in spec["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            params = [p if "$ref" not in p else _resolve(spec, p["$ref"])
                      for p in operation.get("parameters", [])]
            assert {p["name"] for p in params if p["in"] == "path"} == names, path
            assert "403" in operation["responses"] and "500" in operation["responses"], path
            if method != "get":  # every write may be sent a body over the limit
                assert "413" in operation["responses"], (method, path)


def _resolve(spec: dict, ref: str) -> dict:
    node = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_hostile_run_name_is_json_encoded(jp_serverapp, jp_auth_header, fetch, tracking):
    exp = tracking.get_or_create_experiment("<b>exp</b>")
    name = "<img src=x onerror=alert(1)>"
    run = tracking.create_run(exp.id, name=name)
    tracking.end_run(run.id, "FAILED", error="<script>alert(1)</script>")
    for pattern, handler in live_routes(jp_serverapp):
        if "(?P<path>" in pattern or not is_tracking(handler):
            continue
        url = url_for(pattern, run_id=run.id, key="auc")
        if "runs/fields/values" in pattern:
            url += "?field=params.model"
        response = fetch(url, headers=jp_auth_header)
        assert response.code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert b"<img" not in response.body and b"<script" not in response.body
        assert b"<b>" not in response.body
    (run_route,) = [p for p, _ in live_routes(jp_serverapp)
                    if p.endswith("/runs/(?P<run_id>[0-9a-f]{32})$")]
    doc = json.loads((fetch(url_for(run_route, run_id=run.id), headers=jp_auth_header)).body)
    assert doc["name"] == name and doc["error"] == "<script>alert(1)</script>"


def test_forced_500_is_json_without_secrets(jp_serverapp, jp_auth_header, fetch, run,
                                                  store_home, caplog):
    # A real fault: a table the search needs disappears underneath the running server.
    db = sqlite3.connect(store_home / "mlops.db")
    db.execute("ALTER TABLE tags RENAME TO tags_moved")
    db.commit()
    db.close()
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    token = jp_serverapp.identity_provider.token
    (pattern,) = [p for p, _ in live_routes(jp_serverapp) if p.endswith("/api/runs$")]
    url = url_for(pattern)
    cookie = {"Cookie": "session_secret=cookie-value-1234"}
    for response in (fetch(url, headers={**jp_auth_header, **cookie}),
                     fetch(f"{url}?token={token}", headers=cookie)):
        assert response.code == 500
        assert response.headers["Content-Type"].startswith("application/json")
        body = json.loads(response.body)
        assert set(body) == {"error", "message"} and body["error"] == "InternalError"
        text = response.body.decode()
        for secret in (token, "cookie-value-1234", "tags_moved", "Traceback"):
            assert secret not in text
    assert "Uncaught error in GET" in caplog.text  # the fault is logged for the operator…
    assert "no such table: tags" in caplog.text
    assert token not in caplog.text and "cookie-value-1234" not in caplog.text  # …without secrets
