"""What the DAG part hands out: a DAG run and its steps, with one JSON shape (`to_json()`)
for the REST API, the CLI and the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RUN_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED")
STEP_STATUSES = ("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "SKIPPED")


@dataclass(frozen=True)
class DagStep:
    name: str
    notebook: str
    status: str
    depends_on: tuple[str, ...] = ()
    depth: int = 0  # longest chain of upstream steps: the layer it is drawn in
    attempt: int | None = None
    parameters: dict[str, Any] = field(default_factory=dict)  # as run (outputs resolved)
    declared: dict[str, Any] = field(default_factory=dict)  # as written ("${a.b}" kept)
    outputs: dict[str, Any] = field(default_factory=dict)
    pipeline_run_id: str | None = None
    run_id: str | None = None
    error: str | None = None
    started_at: int | None = None
    ended_at: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "notebook": self.notebook, "status": self.status,
            "depends_on": list(self.depends_on), "depth": self.depth, "attempt": self.attempt,
            "parameters": self.parameters, "declared_parameters": self.declared,
            "outputs": self.outputs, "pipeline_run_id": self.pipeline_run_id,
            "run_id": self.run_id, "error": self.error, "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_ms": (self.ended_at - self.started_at
                            if self.started_at is not None and self.ended_at is not None else None),
        }


@dataclass(frozen=True)
class DagRun:
    id: str
    name: str
    file: str
    status: str
    attempt: int
    concurrency: int
    created_at: int
    started_at: int | None = None
    ended_at: int | None = None
    error: str | None = None
    steps: list[DagStep] = field(default_factory=list)  # in a topological order
    counts: dict[str, int] = field(default_factory=dict)  # steps by status

    @property
    def ended(self) -> bool:
        return self.status != "RUNNING"

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [(d, s.name) for s in self.steps for d in s.depends_on]

    def step(self, name: str) -> DagStep:
        return next(s for s in self.steps if s.name == name)

    def to_json(self, with_steps: bool = True) -> dict[str, Any]:
        doc = {
            "id": self.id, "name": self.name, "file": self.file, "status": self.status,
            "attempt": self.attempt, "concurrency": self.concurrency, "error": self.error,
            "created_at": self.created_at, "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_ms": (self.ended_at - self.started_at
                            if self.started_at is not None and self.ended_at is not None else None),
            "counts": self.counts,
        }
        if with_steps:
            doc["steps"] = [s.to_json() for s in self.steps]
            doc["edges"] = [{"from": a, "to": b} for a, b in self.edges]
        return doc
