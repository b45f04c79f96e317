"""A pipeline run as the pipelines part hands it out: a plain dataclass with one JSON shape
(`to_json()`) used by the REST API, the CLI and the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")
ENDED = ("SUCCEEDED", "FAILED", "CANCELLED")


@dataclass(frozen=True)
class PipelineRun:
    id: str
    notebook: str
    status: str
    parameters: dict[str, Any]
    created_at: int
    notebook_hash: str | None = None
    kernel_name: str | None = None
    cwd: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    failing_cell: dict | None = None
    output_notebook: str | None = None
    output_blob: str | None = None
    log_blob: str | None = None
    run_id: str | None = None
    parent_run_id: str | None = None
    schedule_id: str | None = None
    fire_time: int | None = None
    reproduce_of: str | None = None
    experiment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    timeout: float | None = None
    retries: int = 0
    retry_backoff: float = 1.0
    attempt: int = 1
    started_at: int | None = None
    ended_at: int | None = None
    host: str | None = None
    pid: int | None = None
    # Every parameter the run used, marked "given", "default" or "not declared".
    effective_parameters: dict[str, dict] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def duration_ms(self) -> int | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "notebook": self.notebook, "notebook_hash": self.notebook_hash,
            "kernel_name": self.kernel_name, "cwd": self.cwd, "status": self.status,
            "parameters": self.parameters,
            "effective_parameters": _with_text(self.effective_parameters),
            "outputs": self.outputs, "error": self.error,
            "failing_cell": self.failing_cell, "output_notebook": self.output_notebook,
            "has_output": self.output_blob is not None, "has_log": self.log_blob is not None,
            "run_id": self.run_id, "parent_run_id": self.parent_run_id,
            "schedule_id": self.schedule_id, "fire_time": self.fire_time,
            "reproduce_of": self.reproduce_of, "experiment": self.experiment, "tags": self.tags,
            "timeout": self.timeout, "retries": self.retries,
            "retry_backoff": self.retry_backoff, "attempt": self.attempt,
            "created_at": self.created_at, "started_at": self.started_at,
            "ended_at": self.ended_at, "duration_ms": self.duration_ms,
        }


def _with_text(effective: dict[str, dict]) -> dict[str, dict]:
    """Each parameter also as the notebook reads it (`C = 2.0`, `kernel = 'rbf'`): JSON has
    no 2.0 apart from 2, so a view showing the value would show `2`."""
    return {name: {**info, "text": info["expression"] if "expression" in info
                   else repr(info.get("value"))}
            for name, info in effective.items()}
