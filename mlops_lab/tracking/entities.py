"""What tracking hands out: plain dataclasses, separate from database rows.

`to_json()` gives the one JSON shape used by the REST API, the CLI and the UI. Non-finite floats
become the strings "NaN", "Infinity" and "-Infinity" so the JSON stays valid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..jsonvalues import json_number  # noqa: F401 - also read from here


def format_number(value) -> str:
    """A metric or param value as people read it: 6 significant digits, NaN, ∞."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "\u221e" if value > 0 else "-\u221e"
        return f"{value:.6g}"
    return str(value)


@dataclass(frozen=True)
class Experiment:
    id: int
    name: str
    created_at: int
    description: str | None = None
    run_count: int = 0
    last_run_at: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "created_at": self.created_at,
            "run_count": self.run_count,
            "last_run_at": self.last_run_at,
        }


@dataclass(frozen=True)
class Metric:
    key: str
    value: float
    step: int
    timestamp: int

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "value": json_number(self.value), "step": self.step,
                "timestamp": self.timestamp}


@dataclass(frozen=True)
class ArtifactInfo:
    path: str
    size: int
    blob: str
    media_type: str | None
    created_at: int
    # A model file saved by `%%track` or the registry: the types outside skops's defaults it
    # was saved with, reviewed by the code that saved it. None for any other file.
    trusted_types: list[str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "blob": self.blob,
                "media_type": self.media_type, "created_at": self.created_at}


@dataclass(frozen=True)
class RunLink:
    """Something a run read (direction "input") or made ("output")."""

    direction: str
    kind: str
    ref: str
    label: str
    created_at: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Run:
    id: str
    name: str
    experiment_id: int
    status: str
    start_time: int
    end_time: int | None = None
    parent_run_id: str | None = None
    error: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    links: list[RunLink] = field(default_factory=list)
    # How many runs were started under it (a search's runs have it; None: not counted).
    child_count: int | None = None

    @property
    def duration_ms(self) -> int | None:
        return None if self.end_time is None else self.end_time - self.start_time

    def to_json(self, full: bool = True) -> dict[str, Any]:
        doc = {
            "id": self.id,
            "name": self.name,
            "experiment_id": self.experiment_id,
            "status": self.status,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "duration_ms": self.duration_ms,
            "parent_run_id": self.parent_run_id,
            "error": self.error,
            "params": dict(self.params),
            "metrics": {k: json_number(v) for k, v in self.metrics.items()},
            "tags": dict(self.tags),
        }
        if self.child_count is not None:
            doc["child_count"] = self.child_count
        if full:
            doc["source"] = self.source
            doc["environment"] = self.environment
            doc["links"] = [link.to_json() for link in self.links]
        return doc


@dataclass(frozen=True)
class RunPage:
    """One page of a search: iterate it, take len() or index it like a list of runs (MLflow's
    PagedList habit); `next_page_token` (or `token`) asks for the next page, None on the last."""

    runs: list[Run]
    next_page_token: str | None

    @property
    def token(self) -> str | None:
        return self.next_page_token

    def __iter__(self):
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def __getitem__(self, index):
        return self.runs[index]

    def to_json(self) -> dict[str, Any]:
        return {"runs": [r.to_json(full=False) for r in self.runs],
                "next_page_token": self.next_page_token}
