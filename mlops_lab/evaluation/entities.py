"""A stored evaluation: a gate (challenger against champion) or a benchmark (a leaderboard)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Evaluation:
    id: int
    kind: str  # gate | benchmark
    model: str
    created_at: int
    created_by: str
    passed: bool | None  # a gate's verdict; None for a benchmark
    doc: dict[str, Any] = field(default_factory=dict)  # metrics, intervals, guardrails, data

    @property
    def version(self) -> int | None:
        """The gate's challenger version (a benchmark has none)."""
        return (self.doc.get("challenger") or {}).get("version")

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "model": self.model,
                "created_at": self.created_at, "created_by": self.created_by,
                "passed": self.passed, **self.doc}

    def __str__(self) -> str:
        from .render import summary

        return summary(self.to_json())

    def _repr_markdown_(self) -> str:
        return "```\n" + str(self) + "\n```"
