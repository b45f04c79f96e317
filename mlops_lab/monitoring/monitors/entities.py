"""What the monitors part hands out: a monitor and one run of it, plain dataclasses."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from ...jsonvalues import json_number


@dataclass(frozen=True)
class Monitor:
    """Watches the version behind `model_name@alias`: its current data (a window of the
    server's prediction log, or a dataset's newest snapshot) against its reference (the data
    the version was trained on, or a named snapshot)."""

    id: int
    name: str
    model_name: str
    alias: str
    current: dict[str, Any]
    reference_ref: str | None = None
    reference_version: int | None = None  # the version the stored reference statistics are of
    thresholds: dict[str, Any] = field(default_factory=dict)
    label_metric: str | None = None
    schedule: str | None = None
    next_run_at: int | None = None
    created_at: int = 0
    updated_at: int = 0
    created_by: str | None = None
    last_run: "MonitorRun | None" = None  # its newest run, where a list asked for it

    @property
    def target(self) -> str:
        return f"{self.model_name}@{self.alias}"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "model": self.model_name, "alias": self.alias,
                "target": self.target, "current": self.current,
                "reference": self.reference_ref, "reference_version": self.reference_version,
                "thresholds": self.thresholds, "label_metric": self.label_metric,
                "schedule": self.schedule, "next_run_at": self.next_run_at,
                "created_at": self.created_at, "updated_at": self.updated_at,
                "created_by": self.created_by,
                "last_run": self.last_run.to_json(full=False) if self.last_run else None}


@dataclass(frozen=True)
class MonitorRun:
    """One run of a monitor and what it found. `result` holds the drift report (JSON), the
    prediction drift, performance and staleness figures; `status` says it in one word:
    ok, drift, no data (nothing to compare: said, never "ok"), failed."""

    id: int
    monitor: str
    trigger: str
    status: str
    started_at: int
    finished_at: int | None = None
    model_version: int | None = None
    rows_current: int | None = None
    drift_share: float | None = None
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def drift(self):
        """The data drift report (a DriftReport), or None when the run had nothing to compare."""
        from ..drift import DriftReport

        found = self.result.get("drift")
        return DriftReport.from_json(found) if found else None

    @property
    def performance(self) -> dict | None:
        return self.result.get("performance")

    @property
    def staleness(self) -> dict | None:
        return self.result.get("staleness")

    def figure(self, feature: str):
        """Reference against current for one feature (a plotly figure)."""
        report = self.drift
        if report is None:
            raise ValueError(f"Run {self.id} of {self.monitor!r} has no drift report: "
                             f"{self.result.get('message') or self.status}.")
        return report.figure(feature)

    def to_json(self, full: bool = True) -> dict[str, Any]:
        doc = {"id": self.id, "monitor": self.monitor, "trigger": self.trigger,
               "status": self.status, "started_at": self.started_at,
               "finished_at": self.finished_at, "model_version": self.model_version,
               "rows_current": self.rows_current, "drift_share": (None if self.drift_share is None
                               else json_number(self.drift_share)),
               "drifted_features": self.result.get("drifted_features", []),
               "message": self.result.get("message"), "error": self.error,
               # What the monitor's charts over time draw, per run.
               "effect_sizes": {f["name"]: f.get("effect_size")
                                for f in (self.result.get("drift") or {}).get("features", [])},
               "performance": _summary(self.performance)}
        if full:
            doc["result"] = self.result
        return doc

    def _repr_html_(self) -> str:
        head = (f"<p><b>{html.escape(self.monitor)}</b> run {self.id} on version "
                f"{self.model_version}: <b>{html.escape(self.status)}</b>"
                f"{' — ' + html.escape(self.result['message']) if self.result.get('message') else ''}"
                "</p>")
        report = self.drift
        return head + (report._repr_html_() if report is not None else "")


def _summary(performance: dict | None) -> dict | None:
    if not performance:
        return None
    return {k: performance.get(k) for k in ("metric", "value", "estimated", "training")}

