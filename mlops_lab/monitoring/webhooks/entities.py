"""What the webhooks part hands out. A webhook's secret is never part of it: only whether
it has one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Webhook:
    id: int
    name: str
    url: str
    has_secret: bool
    enabled: bool
    created_at: int
    # How its deliveries stand, when asked for (list_webhooks(with_health=True)).
    health: DeliveryHealth | None = None

    def to_json(self) -> dict:
        doc = {"id": self.id, "name": self.name, "url": self.url,
               "has_secret": self.has_secret, "enabled": self.enabled,
               "created_at": self.created_at}
        if self.health is not None:
            doc["deliveries"] = self.health.to_json()
        return doc


@dataclass(frozen=True)
class Delivery:
    id: int
    webhook_id: int
    alert_id: int | None
    event: str
    status: str
    attempts: int
    created_at: int
    next_attempt_at: int | None = None
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: int | None = None

    def to_json(self) -> dict:
        return {"id": self.id, "webhook_id": self.webhook_id, "alert_id": self.alert_id,
                "event": self.event, "status": self.status, "attempts": self.attempts,
                "next_attempt_at": self.next_attempt_at, "last_status": self.last_status,
                "last_error": self.last_error, "created_at": self.created_at,
                "delivered_at": self.delivered_at}


@dataclass(frozen=True)
class DeliveryHealth:
    """A webhook's delivery log in brief: how many deliveries arrived, wait for a retry after
    a failed attempt, wait for their first attempt, or failed for good; and the newest attempt
    that failed (its error), so a receiver that is down shows where people look."""
    delivered: int = 0
    retrying: int = 0
    waiting: int = 0
    failed: int = 0
    last_failure: Delivery | None = None

    @property
    def failing(self) -> bool:
        return bool(self.retrying or self.failed)

    def to_json(self) -> dict:
        last = self.last_failure
        return {"delivered": self.delivered, "retrying": self.retrying, "waiting": self.waiting,
                "failed": self.failed, "failing": self.failing,
                "last_failure": last.to_json() if last else None}


def webhook_of(row, health: DeliveryHealth | None = None) -> Webhook:
    return Webhook(id=row.id, name=row.name, url=row.url, has_secret=bool(row.secret),
                   enabled=bool(row.enabled), created_at=row.created_at, health=health)


def delivery_of(row) -> Delivery:
    return Delivery(id=row.id, webhook_id=row.webhook_id, alert_id=row.alert_id,
                    event=row.event, status=row.status, attempts=row.attempts,
                    created_at=row.created_at, next_attempt_at=row.next_attempt_at,
                    last_status=row.last_status, last_error=row.last_error,
                    delivered_at=row.delivered_at)
