"""A retraining rule and one firing of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RetrainingRule:
    id: int
    name: str
    model: str
    trigger: str  # alert | schedule | snapshot
    notebook: str  # a notebook with a parameters cell, or a DAG file (.yaml)
    parameters: dict[str, Any]
    gate: dict[str, Any] | None
    alias: str
    keep_previous: str | None
    cooldown_s: int
    enabled: bool
    created_at: int
    created_by: str
    monitor: str | None = None
    dataset: str | None = None
    cron: str | None = None
    timezone: str | None = None
    timeout_s: float | None = None
    cursor: int | None = None

    @property
    def runs_dag(self) -> bool:
        return self.notebook.lower().endswith((".yaml", ".yml"))

    @property
    def watches(self) -> str:
        """What the trigger watches, in words."""
        if self.trigger == "alert":
            return f"alerts of {self.monitor or 'any monitor of ' + repr(self.model)}"
        if self.trigger == "snapshot":
            return f"new snapshots of {self.dataset!r}"
        return f"schedule {self.cron!r} ({self.timezone})"

    def to_json(self) -> dict[str, Any]:
        doc = {k: v for k, v in self.__dict__.items() if k != "cursor"}
        return {**doc, "watches": self.watches}


@dataclass
class Firing:
    id: int
    rule_id: int
    rule: str
    fired_at: int
    trigger: dict[str, Any]
    status: str  # running | judging | promoted | kept | registered | failed | skipped
    pipeline_run_id: str | None = None
    dag_run_id: str | None = None
    version: int | None = None
    evaluation_id: int | None = None
    message: str | None = None
    ended_at: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        return self.status not in ("running", "judging")

    def to_json(self) -> dict[str, Any]:
        doc = {k: v for k, v in self.__dict__.items() if k != "extra"}
        return {**doc, **self.extra}
