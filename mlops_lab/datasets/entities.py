"""What the datasets part hands out: plain dataclasses, separate from database rows.

`to_json()` is the one JSON shape of the REST API, the CLI and the UI; `_repr_html_` renders
in a notebook (every stored value escaped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Dataset:
    id: int
    name: str
    created_at: int
    updated_at: int
    description: str | None = None
    rules: dict | None = None
    version_count: int = 0
    latest_version: int | None = None
    latest_row_count: int | None = None
    # Whether the newest snapshot passed the dataset's rules (None: no rules, or not listed).
    latest_valid: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "description": self.description,
                "created_at": self.created_at, "updated_at": self.updated_at,
                "version_count": self.version_count, "latest_version": self.latest_version,
                "latest_row_count": self.latest_row_count, "latest_valid": self.latest_valid,
                "has_rules": bool(self.rules)}


@dataclass(frozen=True)
class Snapshot:
    """One immutable version of a dataset ("name@version")."""

    id: str
    dataset_id: int
    name: str
    version: int
    content_hash: str
    blob: str
    size: int
    row_count: int
    column_count: int
    created_at: int
    schema: list = field(default_factory=list)  # [{"name", "dtype", "hash"}]
    profile: dict = field(default_factory=dict)
    validation: dict | None = None  # the report, None when the dataset had no rules
    valid: bool | None = None
    source: dict | None = None
    run_id: str | None = None
    existed: bool = False  # True when snapshot() found this very content already stored

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def to_json(self, full: bool = True) -> dict[str, Any]:
        doc = {"id": self.id, "dataset_id": self.dataset_id, "name": self.name,
               "version": self.version, "ref": self.ref, "content_hash": self.content_hash,
               "size": self.size, "row_count": self.row_count,
               "column_count": self.column_count, "created_at": self.created_at,
               "valid": self.valid, "run_id": self.run_id}
        if full:
            doc.update(schema=self.schema, profile=self.profile, validation=self.validation,
                       source=self.source)
        return doc

    def __repr__(self) -> str:
        state = {True: "valid", False: "INVALID", None: "no rules"}[self.valid]
        return (f"<Snapshot {self.ref!r} {self.row_count} rows x {self.column_count} "
                f"columns, hash {self.content_hash[:12]}, {state}>")

    def _repr_html_(self) -> str:
        from .render import snapshot_html

        return snapshot_html(self)


# The name this class had before it said "snapshot" once; kept for code that imported it.
SnapshotVersion = Snapshot


@dataclass(frozen=True)
class SnapshotDiff:
    """What changed from snapshot `a` to snapshot `b`."""

    a: dict  # {"id", "ref", "row_count", "content_hash"}
    b: dict
    same_content: bool
    columns_added: list = field(default_factory=list)  # [{"name", "dtype"}]
    columns_removed: list = field(default_factory=list)
    dtype_changes: list = field(default_factory=list)  # [{"name", "a", "b"}]
    columns_changed: list = field(default_factory=list)  # names whose values differ
    rows: dict = field(default_factory=dict)  # {"a", "b", "added", "removed", "changed", "key"}
    examples: dict = field(default_factory=dict)  # {"added": [...], "removed": [...], "changed": [...]}
    stats: list = field(default_factory=list)  # [{"column", "stat", "a", "b", "change"}]

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "same_content": self.same_content,
                "columns_added": self.columns_added, "columns_removed": self.columns_removed,
                "dtype_changes": self.dtype_changes, "columns_changed": self.columns_changed,
                "rows": self.rows, "examples": self.examples, "stats": self.stats}

    def __repr__(self) -> str:
        from .render import diff_text

        return diff_text(self)

    def _repr_html_(self) -> str:
        from .render import diff_html

        return diff_html(self)
