"""Webhooks' public functions (`import mlops_lab as ml`):

    ml.create_webhook("ops", "https://hooks.example.com/mlops", secret=os.environ["HOOK_KEY"])
    ml.test_webhook("ops")                 # sends a test event now; the delivery as it ended
    ml.list_webhook_deliveries("ops")      # the delivery log
    ml.deliver_webhooks()                  # sends what is due (the server's loop does too)
"""

from __future__ import annotations

from .entities import Delivery, Webhook


def _service():
    from ...services import services

    return services().webhooks


def create_webhook(name: str, url: str, secret: str | None = None) -> Webhook:
    """Alerts that open, re-open or resolve are POSTed to `url` as JSON; with a `secret`, each
    body is signed: `X-MlopsLab-Signature: sha256=<HMAC-SHA256 of the body>`."""
    return _service().create_webhook(name, url, secret)


def list_webhooks() -> list[Webhook]:
    return _service().list_webhooks()


def delete_webhook(webhook) -> Webhook:
    """By id or name; its delivery log goes with it."""
    return _service().delete_webhook(webhook)


def test_webhook(webhook) -> Delivery:
    return _service().test_webhook(webhook)


def list_webhook_deliveries(webhook=None, alert: int | None = None, status: str | None = None,
                            limit: int = 100) -> list[Delivery]:
    return _service().list_deliveries(webhook, alert, status, limit)


def deliver_webhooks(limit: int = 100) -> int:
    """Sends the deliveries that are due; how many were delivered."""
    return _service().deliver_due(limit=limit)
