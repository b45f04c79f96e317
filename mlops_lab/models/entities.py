"""What the registry hands out: plain dataclasses, separate from database rows.

`to_json()` gives the one JSON shape used by the REST API, the CLI and the UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..jsonvalues import json_number


@dataclass(frozen=True)
class ModelVersion:
    name: str
    version: int
    format: str
    model_class: str
    blob: str
    size: int
    created_at: int
    created_by: str
    aliases: list[str] = field(default_factory=list)
    description: str | None = None
    signature: dict[str, list[dict[str, str]]] = field(
        default_factory=lambda: {"inputs": [], "outputs": []})
    trusted_types: list[str] = field(default_factory=list)
    requirements: dict[str, str] = field(default_factory=dict)
    run_id: str | None = None
    artifact: str | None = None
    source: dict[str, Any] = field(default_factory=dict)
    inputs: list[dict[str, str]] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    card: str = ""
    # The ONNX export: file hash and size, inputs/outputs, verification figures (or None).
    onnx: dict[str, Any] | None = None
    # Why a registration from a notebook variable has no run (not stored; None otherwise).
    note: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.name}/{self.version}"

    def to_json(self, full: bool = True) -> dict[str, Any]:
        doc = {
            "name": self.name,
            "version": self.version,
            "ref": self.ref,
            "aliases": list(self.aliases),
            "description": self.description,
            "format": self.format,
            "model_class": self.model_class,
            "size": self.size,
            "blob": self.blob,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "run_id": self.run_id,
            "artifact": self.artifact,
            "metrics": {k: json_number(v) for k, v in self.metrics.items()},
            "signature": self.signature,
            "onnx": self.onnx,
        }
        if full:
            doc.update({
                "trusted_types": list(self.trusted_types),
                "requirements": dict(self.requirements),
                "source": self.source,
                "inputs": list(self.inputs),
                "params": dict(self.params),
                "card": self.card,
            })
        return doc


@dataclass(frozen=True)
class SavedBy:
    """The tracked run whose saved file holds a notebook variable's model, or why none."""

    run_id: str | None = None
    run_name: str | None = None
    artifact: str | None = None
    reason: str | None = None
    # The run's metrics (latest value of each), shown before registering.
    metrics: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "metrics": {k: json_number(v) for k, v in self.metrics.items()}}


@dataclass(frozen=True)
class Model:
    name: str
    latest_version: int
    created_at: int
    updated_at: int
    description: str | None = None
    aliases: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "latest_version": self.latest_version, "aliases": dict(self.aliases),
                "created_at": self.created_at, "updated_at": self.updated_at}


@dataclass(frozen=True)
class ModelOverview:
    """A model with what its view shows: its versions and its aliases' moves, newest first."""

    model: Model
    versions: list[ModelVersion]
    history: list[AliasMove]

    def to_json(self) -> dict[str, Any]:
        return {**self.model.to_json(),
                "versions": [v.to_json(full=False) for v in self.versions],
                "history": [h.to_json() for h in self.history]}


@dataclass(frozen=True)
class AliasMove:
    """One move of an alias: created (from_version None), moved, or deleted (to_version None)."""

    name: str
    alias: str
    from_version: int | None
    to_version: int | None
    reason: str | None
    moved_by: str
    moved_at: int
    # The gate (a model evaluation's id) whose evidence moved the alias; None for a move by hand.
    evaluation_id: int | None = None
    # The history row's number: with moved_at, where a page of the history ends.
    id: int | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "id"}
