"""What the alerts part hands out: rules and alerts, separate from their rows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

STATES = ("open", "acknowledged", "resolved")


@dataclass(frozen=True)
class AlertRule:
    id: int
    name: str
    kind: str
    params: dict[str, Any]
    cooldown_s: int
    enabled: bool
    created_at: int
    monitor_id: int | None = None

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind, "params": self.params,
                "monitor_id": self.monitor_id, "cooldown_s": self.cooldown_s,
                "enabled": self.enabled, "created_at": self.created_at}


@dataclass(frozen=True)
class Alert:
    id: int
    key: str
    state: str
    severity: str
    message: str
    opened_at: int
    last_seen_at: int
    times_seen: int
    times_reopened: int
    rule_id: int | None = None
    monitor_id: int | None = None
    model: str | None = None
    alias: str | None = None
    feature: str | None = None
    figures: dict = field(default_factory=dict)
    acknowledged_by: str | None = None
    acknowledged_at: int | None = None
    resolved_by: str | None = None
    resolved_at: int | None = None
    note: str | None = None

    @property
    def monitor(self) -> str | None:
        """The monitor's name, as its run reported it."""
        return self.figures.get("monitor")

    def to_json(self) -> dict:
        return {"id": self.id, "key": self.key, "state": self.state, "severity": self.severity,
                "message": self.message, "rule_id": self.rule_id, "monitor": self.monitor,
                "monitor_id": self.monitor_id, "model": self.model, "alias": self.alias,
                "feature": self.feature, "figures": self.figures, "opened_at": self.opened_at,
                "last_seen_at": self.last_seen_at, "times_seen": self.times_seen,
                "times_reopened": self.times_reopened, "acknowledged_by": self.acknowledged_by,
                "acknowledged_at": self.acknowledged_at, "resolved_by": self.resolved_by,
                "resolved_at": self.resolved_at, "note": self.note}


def rule_of(row) -> AlertRule:
    return AlertRule(id=row.id, name=row.name, kind=row.kind, params=json.loads(row.params),
                     cooldown_s=row.cooldown_s, enabled=bool(row.enabled),
                     created_at=row.created_at, monitor_id=row.monitor_id)


def alert_of(row) -> Alert:
    return Alert(id=row.id, key=row.key, state=row.state, severity=row.severity,
                 message=row.message, opened_at=row.opened_at, last_seen_at=row.last_seen_at,
                 times_seen=row.times_seen, times_reopened=row.times_reopened,
                 rule_id=row.rule_id, monitor_id=row.monitor_id, model=row.model_name,
                 alias=row.alias, feature=row.feature,
                 figures=json.loads(row.figures) if row.figures else {},
                 acknowledged_by=row.acknowledged_by, acknowledged_at=row.acknowledged_at,
                 resolved_by=row.resolved_by, resolved_at=row.resolved_at, note=row.note)
