"""What a sweep returns: each point's pipeline run and what it recorded."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SweepPoint:
    index: int
    parameters: dict[str, Any]
    status: str
    pipeline_run_id: str | None = None
    run_id: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    duration_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        from ...tracking.entities import json_number

        return {"index": self.index, "parameters": self.parameters, "status": self.status,
                "pipeline_run_id": self.pipeline_run_id, "run_id": self.run_id,
                "outputs": self.outputs,
                "metrics": {k: json_number(v) for k, v in self.metrics.items()},
                "error": self.error, "duration_ms": self.duration_ms}


@dataclass(frozen=True)
class SweepResult:
    id: str  # the sweep's tracking run
    notebook: str
    executor: str  # "local" or the Dask scheduler address
    points: list[SweepPoint]

    @property
    def status(self) -> str:
        return "SUCCEEDED" if all(p.status == "SUCCEEDED" for p in self.points) else "FAILED"

    @property
    def table(self):
        """One row per point: its parameters, status, outputs and metrics (pandas)."""
        import pandas as pd

        rows = []
        for p in self.points:
            row = {"point": p.index, "status": p.status}
            row.update({f"params.{k}": v for k, v in p.parameters.items()})
            row.update({f"outputs.{k}": v for k, v in p.outputs.items()})
            row.update({f"metrics.{k}": v for k, v in p.metrics.items()})
            row.update({"duration_s": None if p.duration_ms is None else p.duration_ms / 1000,
                        "pipeline_run_id": p.pipeline_run_id, "run_id": p.run_id,
                        "error": p.error})
            rows.append(row)
        return pd.DataFrame(rows)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "notebook": self.notebook, "executor": self.executor,
                "status": self.status, "points": [p.to_json() for p in self.points]}

    def __repr__(self) -> str:
        ok = sum(p.status == "SUCCEEDED" for p in self.points)
        return (f"<SweepResult {Path(self.notebook).name} {ok}/{len(self.points)} succeeded "
                f"on {self.executor} id={self.id}>")

    def _repr_html_(self) -> str:
        ok = sum(p.status == "SUCCEEDED" for p in self.points)
        table = self.table.drop(columns=["run_id"]).to_html(index=False, escape=True,
                                                            float_format="%.4g")
        return (f"<div class='mlops-lab-sweep'><p><b>Sweep</b> of "
                f"{html.escape(Path(self.notebook).name)} on {html.escape(self.executor)}: "
                f"{ok}/{len(self.points)} points succeeded, sweep run "
                f"<code>{html.escape(self.id)}</code></p>{table}</div>")
