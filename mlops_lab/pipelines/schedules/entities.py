"""A schedule as the pipelines part hands it out: a plain dataclass with one JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MISSED_POLICIES = ("skip", "run_once")


@dataclass(frozen=True)
class Schedule:
    id: str
    name: str
    notebook: str
    parameters: dict[str, Any]
    cron: str
    timezone: str
    enabled: bool
    missed: str
    created_at: int
    updated_at: int
    keep_last: int | None = None
    timeout: float | None = None
    retries: int = 0
    experiment: str | None = None
    max_queued: int = 1
    next_fire_at: int | None = None
    next_fire_times: list[int] = field(default_factory=list)
    # The same times in the schedule's own time zone, ISO 8601 with the offset
    # ("2026-01-05T06:00:00+01:00"), as the cron is read.
    next_fire_times_local: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "notebook": self.notebook,
            "parameters": self.parameters, "cron": self.cron, "timezone": self.timezone,
            "enabled": self.enabled, "missed": self.missed, "keep_last": self.keep_last,
            "timeout": self.timeout, "retries": self.retries, "experiment": self.experiment,
            "max_queued": self.max_queued, "next_fire_at": self.next_fire_at,
            "next_fire_times": self.next_fire_times,
            "next_fire_times_local": self.next_fire_times_local,
            "created_at": self.created_at, "updated_at": self.updated_at,
        }
