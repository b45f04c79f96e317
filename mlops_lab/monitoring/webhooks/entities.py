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

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "url": self.url, "has_secret": self.has_secret,
                "enabled": self.enabled, "created_at": self.created_at}


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


def webhook_of(row) -> Webhook:
    return Webhook(id=row.id, name=row.name, url=row.url, has_secret=bool(row.secret),
                   enabled=bool(row.enabled), created_at=row.created_at)


def delivery_of(row) -> Delivery:
    return Delivery(id=row.id, webhook_id=row.webhook_id, alert_id=row.alert_id,
                    event=row.event, status=row.status, attempts=row.attempts,
                    created_at=row.created_at, next_attempt_at=row.next_attempt_at,
                    last_status=row.last_status, last_error=row.last_error,
                    delivered_at=row.delivered_at)
