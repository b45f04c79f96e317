"""The REST routes of alerts, alert rules and webhooks through a real Jupyter server with the
extension, on a real store, with a real receiver: answers fit the OpenAPI document, lists page
by the one contract, moves are recorded with the user, secrets never come back."""

from __future__ import annotations

import getpass
import json

import pytest

from mlops_lab.services import services_for

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module
from test_rest_contract import conforms
from webhook_receivers import receiver_fixture

SECRET = "rest-secret-never-answered"


@pytest.fixture
def parts(store):
    return services_for(store)


@pytest.fixture
def jp_server_config(parts):
    # Depends on the store so the server and the test share it.
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


receiver = receiver_fixture(SECRET)


def answer(response, status=200):
    assert response.code == status, response.body
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


def raise_alerts(parts, features) -> list:
    return parts.alerts.evaluate({
        "monitor": "m", "monitor_id": None, "model_name": "churn", "alias": "champion",
        "drift": {"share": 1.0, "features": {f: {"drifted": True, "p_value": float("nan")}
                                             for f in features}}})


def test_rules_and_alerts_through_rest(fetch, jp_auth_header, parts):
    made = answer(fetch("alert-rules", jp_auth_header, body={
        "name": "drift", "kind": "feature_drift", "cooldown": "30m"}), 201)
    conforms(made, "AlertRule")
    assert made["cooldown_s"] == 1800 and made["monitor_id"] is None
    refused = answer(fetch("alert-rules", jp_auth_header, body={"name": "x", "kind": "nope"}),
                     400)
    assert "the kinds are feature_drift" in refused["message"]
    assert answer(fetch("alert-rules", jp_auth_header, body={
        "name": "x", "kind": "drift_share", "params": {"over": "lots"}}), 400)
    assert answer(fetch("alert-rules", jp_auth_header, body={
        "name": "x", "kind": "feature_drift", "monitor": "nope"}), 404)
    rules = answer(fetch("alert-rules", jp_auth_header))
    assert [r["name"] for r in rules["rules"]] == ["drift"] and rules["total"] == 1

    raise_alerts(parts, [f"f{i}" for i in range(5)])
    first = answer(fetch("alerts?limit=2&state=open", jp_auth_header))
    assert len(first["alerts"]) == 2 and first["next_page_token"]
    ids = [a["id"] for a in first["alerts"]]
    token = first["next_page_token"]
    while token:
        page = answer(fetch(f"alerts?limit=2&state=open&page_token={token}", jp_auth_header))
        ids += [a["id"] for a in page["alerts"]]
        token = page["next_page_token"]
    assert len(ids) == len(set(ids)) == 5
    for alert in first["alerts"]:
        conforms(alert, "Alert")
        assert alert["figures"]["feature"][alert["feature"]]["p_value"] == "NaN"
    assert answer(fetch("alerts?model=other", jp_auth_header))["alerts"] == []
    assert answer(fetch("alerts?state=closed", jp_auth_header), 400)
    assert answer(fetch("alerts?page_token=garbage", jp_auth_header), 400)

    one = ids[0]
    acked = answer(fetch(f"alerts/{one}/acknowledge", jp_auth_header, body={"note": "on it"}))
    assert acked["state"] == "acknowledged" and acked["note"] == "on it"
    assert acked["acknowledged_by"] == getpass.getuser()  # token login: the server's account
    again = answer(fetch(f"alerts/{one}/acknowledge", jp_auth_header, body={}), 409)
    assert again["error"] == "Conflict" and "acknowledged already" in again["message"]
    assert answer(fetch(f"alerts/{one}/resolve", jp_auth_header, body={"note": 3}), 400)
    resolved = answer(fetch(f"alerts/{one}/resolve", jp_auth_header, body={}))
    assert resolved["state"] == "resolved" and resolved["note"] == "on it"
    assert answer(fetch(f"alerts/{one}", jp_auth_header))["state"] == "resolved"
    assert answer(fetch("alerts/999999", jp_auth_header), 404)["error"] == "NotFound"
    assert answer(fetch("alerts?state=resolved", jp_auth_header))["alerts"][0]["id"] == one
    deleted = answer(fetch(f"alert-rules/{made['id']}", jp_auth_header, method="DELETE"))
    assert deleted["id"] == made["id"]
    assert answer(fetch(f"alert-rules/{made['id']}", jp_auth_header, method="DELETE"), 404)


def test_webhooks_through_rest_never_answer_the_secret(fetch, jp_auth_header, parts, receiver):
    bodies = []

    def call(path, status=200, **kwargs):
        response = fetch(path, jp_auth_header, **kwargs)
        bodies.append(response.body.decode())
        return answer(response, status)

    hook = call("webhooks", 201, body={"name": "ops", "url": receiver.url, "secret": SECRET})
    conforms(hook, "Webhook")
    assert hook["has_secret"] is True and "secret" not in hook
    for url in ("ftp://example.com/x", "javascript:alert(1)", "http:///x",
                "https://user:pass@example.com/x"):
        refused = call("webhooks", 400, body={"name": "bad", "url": url})
        assert refused["error"] == "InvalidInput"
    assert call("webhooks", 409, body={"name": "ops", "url": receiver.url})
    assert call("webhooks", 400, body={"name": "x", "url": receiver.url, "token": "t"})
    listed = call("webhooks")
    assert [w["name"] for w in listed["webhooks"]] == ["ops"] and listed["total"] == 1

    sent = call(f"webhooks/{hook['id']}/test", body={})
    conforms(sent, "WebhookDelivery")
    assert (sent["status"], sent["event"], sent["last_status"]) == ("delivered", "test", 200)
    assert receiver.bad_signatures == 0 and len(receiver.received) == 1

    parts.alerts.create_alert_rule("drift", "feature_drift")
    (alert,) = raise_alerts(parts, ["age"])
    assert parts.webhooks.deliver_due() == 1
    log = call(f"webhooks/{hook['id']}/deliveries?limit=1")
    assert [d["event"] for d in log["deliveries"]] == ["opened"] and log["next_page_token"]
    rest = call(f"webhooks/{hook['id']}/deliveries?page_token={log['next_page_token']}")
    assert [d["event"] for d in rest["deliveries"]] == ["test"]
    assert [d["alert_id"] for d in call(
        f"webhooks/{hook['id']}/deliveries?alert={alert.id}")["deliveries"]] == [alert.id]
    (listed,) = call("webhooks")["webhooks"]
    conforms(listed, "Webhook")
    assert listed["deliveries"] == {"delivered": 2, "retrying": 0, "waiting": 0, "failed": 0,
                                    "failing": False, "last_failure": None}
    assert call(f"webhooks/{hook['id']}/deliveries?status=lost", 400)
    assert call("webhooks/999/deliveries", 404)
    assert call(f"webhooks/{hook['id']}", method="DELETE")["name"] == "ops"
    assert call(f"webhooks/{hook['id']}/test", 404, body={})
    assert all(SECRET not in body for body in bodies)
    spec = json.dumps(answer(fetch("openapi.json", jp_auth_header)))
    assert "/mlops-lab/api/webhooks/{webhook_id}/test" in spec
