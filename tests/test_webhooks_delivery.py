"""Webhook deliveries to real HTTP receivers on this machine: signed bodies, retries with
backoff driven by `now` (no sleeping), a receiver that is down or hangs, two deliverers at
once, and URLs that are refused."""

from __future__ import annotations

import json
import threading

import pytest

from mlops_lab.clock import now_ms
from mlops_lab.errors import Conflict, InvalidInput, NotFound
from mlops_lab.monitoring.webhooks.delivery import backoff_ms
from mlops_lab.monitoring.webhooks.service import WebhookService
from mlops_lab.services import Services

from webhook_receivers import Receiver, free_port

SECRET = "s3cret-for-the-hmac"


@pytest.fixture
def parts(store):
    return Services(store)


@pytest.fixture
def receivers():
    made = []

    def make(**kwargs) -> Receiver:
        made.append(Receiver(**kwargs))
        return made[-1]

    yield make
    for receiver in made:
        receiver.stop()


def raise_alerts(parts, features=("age",)) -> list:
    """Opens one alert per drifted feature (a rule of every monitor, no monitor row needed)."""
    if not parts.alerts.list_alert_rules():
        parts.alerts.create_alert_rule("drift", "feature_drift")
    return parts.alerts.evaluate({
        "monitor": "m", "monitor_id": None, "model_name": "churn", "alias": "champion",
        "drift": {"share": 1.0, "features": {f: {"drifted": True} for f in features}}})


def test_bodies_are_signed_json_of_the_alert(parts, receivers):
    receiver = receivers(secret=SECRET)
    parts.webhooks.create_webhook("ops", receiver.url, secret=SECRET)
    (alert,) = raise_alerts(parts)
    assert parts.webhooks.deliver_due() == 1
    parts.alerts.resolve_alert(alert.id, note="done")
    assert parts.webhooks.deliver_due() == 1
    assert receiver.bad_signatures == 0 and len(receiver.received) == 2
    (opened_headers, opened), (resolved_headers, resolved) = receiver.received
    assert opened_headers["X-MlopsLab-Event"] == "opened"
    assert resolved_headers["X-MlopsLab-Event"] == "resolved"
    assert opened_headers["Content-Type"] == "application/json"
    doc = json.loads(opened)
    assert doc["event"] == "opened"
    assert {k: doc["alert"][k] for k in ("id", "state", "model", "alias", "feature",
                                         "monitor", "times_seen")} == {
        "id": alert.id, "state": "open", "model": "churn", "alias": "champion",
        "feature": "age", "monitor": "m", "times_seen": 1}
    assert json.loads(resolved)["alert"]["state"] == "resolved"
    assert SECRET not in (opened + resolved).decode()
    log = parts.webhooks.list_deliveries("ops")
    assert [(d.event, d.status, d.attempts, d.last_status) for d in log] == [
        ("resolved", "delivered", 1, 200), ("opened", "delivered", 1, 200)]


def test_an_unsigned_webhook_sends_no_signature(parts, receivers):
    receiver = receivers()
    parts.webhooks.create_webhook("plain", receiver.url)
    raise_alerts(parts)
    parts.webhooks.deliver_due()
    (headers, _), = receiver.received
    assert "X-MlopsLab-Signature" not in headers


def test_errors_are_retried_with_backoff_until_delivered(parts, receivers):
    receiver = receivers(statuses=(500, 500, 200))
    parts.webhooks.create_webhook("flaky", receiver.url)
    raise_alerts(parts)
    t0 = now_ms()
    assert parts.webhooks.deliver_due(now=t0) == 0
    (d,) = parts.webhooks.list_deliveries()
    assert (d.status, d.attempts, d.last_status) == ("pending", 1, 500)
    assert "answered 500" in d.last_error and d.next_attempt_at == t0 + backoff_ms(1)
    assert parts.webhooks.deliver_due(now=t0 + backoff_ms(1) - 1) == 0  # not due yet
    assert len(receiver.received) == 1
    assert parts.webhooks.deliver_due(now=t0 + backoff_ms(1)) == 0
    later = t0 + backoff_ms(1) + backoff_ms(2)
    assert parts.webhooks.deliver_due(now=later) == 1
    (d,) = parts.webhooks.list_deliveries()
    assert (d.status, d.attempts, d.last_status, d.last_error) == ("delivered", 3, 200, None)
    assert len(receiver.received) == 3
    assert parts.webhooks.deliver_due(now=later + 10**8) == 0  # nothing sent again


def test_backoff_doubles_up_to_an_hour():
    assert [backoff_ms(n) // 1000 for n in range(1, 11)] == [
        10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]


def test_a_delivery_fails_after_its_attempts(parts, receivers, store):
    receiver = receivers(statuses=(503,))
    hooks = WebhookService(store, max_attempts=2)
    hooks.create_webhook("down", receiver.url)
    raise_alerts(parts)
    t = now_ms()
    hooks.deliver_due(now=t)
    hooks.deliver_due(now=t + backoff_ms(1))
    (d,) = hooks.list_deliveries(status="failed")
    assert d.attempts == 2 and d.next_attempt_at is None
    assert hooks.deliver_due(now=t + 10**9) == 0 and len(receiver.received) == 2


def test_a_receiver_that_is_down_loses_nothing(parts, receivers):
    port = free_port()
    parts.webhooks.create_webhook("later", f"http://127.0.0.1:{port}/hook")
    raise_alerts(parts, ("a", "b"))
    t0 = now_ms()
    assert parts.webhooks.deliver_due(now=t0) == 0
    pending = parts.webhooks.list_deliveries(status="pending")
    assert len(pending) == 2 and all(d.attempts == 1 and d.last_status is None for d in pending)
    assert all("ConnectError" in d.last_error for d in pending)
    receiver = receivers(port=port)
    assert parts.webhooks.deliver_due(now=t0 + backoff_ms(1)) == 2
    assert len(receiver.received) == 2
    assert {json.loads(b)["alert"]["feature"] for _, b in receiver.received} == {"a", "b"}


def test_each_webhook_says_how_its_deliveries_stand(parts, receivers, store):
    """The list with health counts a webhook's deliveries by state and keeps its newest
    failure (error and status), so a receiver that is down is seen in the panel; a
    webhook that never failed has no failure."""
    good, down = receivers(), receivers(statuses=(503,))
    parts.webhooks.create_webhook("good", good.url)
    parts.webhooks.create_webhook("down", down.url)
    hooks = WebhookService(store, max_attempts=2)
    raise_alerts(parts, ("a", "b"))
    before = {h.name: h.health for h in hooks.list_webhooks(with_health=True)}
    assert (before["down"].waiting, before["down"].failing) == (2, False)
    t = now_ms()
    hooks.deliver_due(now=t)  # good: both delivered; down: both retrying
    health = {h.name: h.health for h in hooks.list_webhooks(with_health=True)}
    assert (health["good"].delivered, health["good"].failing) == (2, False)
    assert health["good"].last_failure is None
    assert (health["down"].retrying, health["down"].failed, health["down"].failing) == (2, 0, True)
    hooks.deliver_due(now=t + backoff_ms(1))  # the second and last attempt
    down_health = next(h for h in hooks.list_webhooks(with_health=True) if h.name == "down").health
    assert (down_health.retrying, down_health.failed) == (0, 2)
    assert down_health.last_failure.last_status == 503
    assert "answered 503" in down_health.last_failure.last_error
    assert hooks.list_webhooks()[0].health is None  # only when asked for


def test_a_receiver_that_hangs_times_out(parts, receivers):
    receiver = receivers(hang=True)
    parts.webhooks.create_webhook("slow", receiver.url)
    raise_alerts(parts)
    assert parts.webhooks.deliver_due(timeout=0.2) == 0
    (d,) = parts.webhooks.list_deliveries()
    assert d.status == "pending" and d.attempts == 1
    assert d.last_error == "No answer within 0.2 s."


def test_two_deliverers_never_send_a_row_twice(parts, receivers, store):
    receiver = receivers()
    parts.webhooks.create_webhook("ops", receiver.url)
    raise_alerts(parts, [f"f{i}" for i in range(30)])
    other = Services(store).webhooks  # a second deliverer, as another process would have
    counts: list[int] = []
    start = threading.Barrier(2)

    def deliver(service):
        start.wait()
        counts.append(service.deliver_due())

    threads = [threading.Thread(target=deliver, args=(s,)) for s in (parts.webhooks, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 30 and len(receiver.received) == 30
    features = [json.loads(body)["alert"]["feature"] for _, body in receiver.received]
    assert sorted(features) == sorted(f"f{i}" for i in range(30))


def test_a_test_event_is_queued_and_sent_now(parts, receivers):
    receiver = receivers(secret=SECRET)
    hook = parts.webhooks.create_webhook("ops", receiver.url, secret=SECRET)
    sent = parts.webhooks.test_webhook("ops")
    assert (sent.status, sent.event, sent.alert_id, sent.attempts) == (
        "delivered", "test", None, 1)
    (headers, body), = receiver.received
    assert headers["X-MlopsLab-Event"] == "test" and receiver.bad_signatures == 0
    assert json.loads(body)["webhook"] == "ops"
    down = parts.webhooks.create_webhook("down", f"http://127.0.0.1:{free_port()}/x")
    failed = parts.webhooks.test_webhook(down.id)
    assert failed.status == "pending" and "ConnectError" in failed.last_error
    assert parts.webhooks.list_deliveries(hook.id)[0].status == "delivered"


@pytest.mark.parametrize("url", [
    "ftp://example.com/x", "javascript:alert(1)", "http:///nohost", "https://", "file:///etc",
    "http://user:pass@example.com/x", "https://token@example.com/x", "example.com/hook",
    "http://exa mple.com/", "http://example.com:port/", "", "http://a/\x00"])
def test_bad_urls_are_refused(parts, url):
    with pytest.raises(InvalidInput):
        parts.webhooks.create_webhook("bad", url)
    assert parts.webhooks.list_webhooks() == []


def test_webhooks_are_named_once_and_secrets_are_never_handed_out(parts):
    hook = parts.webhooks.create_webhook("ops", "https://hooks.example.com/x", secret=SECRET)
    assert hook.has_secret and SECRET not in repr(hook) and SECRET not in json.dumps(
        hook.to_json())
    assert SECRET not in repr(parts.webhooks.list_webhooks())
    with pytest.raises(Conflict, match="exists already"):
        parts.webhooks.create_webhook("ops", "https://hooks.example.com/y")
    assert parts.webhooks.delete_webhook("ops").id == hook.id
    with pytest.raises(NotFound):
        parts.webhooks.delete_webhook(hook.id)
    with pytest.raises(InvalidInput, match="status is one of pending, delivered, failed"):
        parts.webhooks.list_deliveries(status="lost")
