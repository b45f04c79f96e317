"""What the feature store hands out: plain dataclasses, separate from database rows.
`to_json()` is the one JSON shape of the REST API, the CLI and the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Materialization:
    id: str
    version_id: str
    feature_set: str
    version: int
    blob: str
    size: int
    row_count: int
    entity_count: int
    min_event_time: int | None  # ms since the epoch
    max_event_time: int | None
    source_kind: str
    source_ref: str | None
    source_label: str | None
    online_store: str | None
    run_id: str | None
    created_at: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "version_id": self.version_id, "feature_set": self.feature_set,
            "version": self.version, "blob": self.blob, "size": self.size,
            "row_count": self.row_count, "entity_count": self.entity_count,
            "min_event_time": self.min_event_time, "max_event_time": self.max_event_time,
            "source": {"kind": self.source_kind, "ref": self.source_ref,
                       "label": self.source_label},
            "online_store": self.online_store, "run_id": self.run_id,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class FeatureSetVersion:
    id: str
    feature_set: str
    version: int
    source: str
    source_hash: str
    function_name: str
    module: str | None
    entity: list[str]
    timestamp: str
    ttl_ms: int | None
    schema: dict[str, str] | None  # column -> dtype of the last materialised output
    owner: str | None
    description: str | None
    tags: dict[str, str]
    created_at: int
    last_materialization: Materialization | None = None

    @property
    def label(self) -> str:
        return f"{self.feature_set}@v{self.version}"

    @property
    def features(self) -> list[str]:
        """The feature columns: every output column but the entity key(s) and timestamp."""
        if not self.schema:
            return []
        skip = {*self.entity, self.timestamp}
        return [c for c in self.schema if c not in skip]

    def to_json(self, source: bool = True) -> dict[str, Any]:
        doc = {
            "id": self.id, "feature_set": self.feature_set, "version": self.version,
            "source_hash": self.source_hash, "function_name": self.function_name,
            "module": self.module, "entity": list(self.entity), "timestamp": self.timestamp,
            "ttl_ms": self.ttl_ms, "schema": self.schema, "features": self.features,
            "owner": self.owner, "description": self.description, "tags": dict(self.tags),
            "created_at": self.created_at,
            "last_materialization": (self.last_materialization.to_json()
                                     if self.last_materialization else None),
        }
        if source:
            doc["source"] = self.source
        return doc


@dataclass(frozen=True)
class FeatureSet:
    """A feature set with its newest version, the live one (materialised last) and how fresh
    the live data is. Its entity, features, owner, description and tags are those of the
    live version (`described`)."""

    id: int
    name: str
    created_at: int
    latest: FeatureSetVersion
    live_version: int | None
    version_count: int
    live: Materialization | None = None  # the live version's newest materialisation
    sources: list[str] = field(default_factory=list)  # labels of snapshots it was built from
    versions: list[FeatureSetVersion] = field(default_factory=list)  # filled by `get`
    live_definition: FeatureSetVersion | None = None

    @property
    def described(self) -> FeatureSetVersion:
        """The version that describes the set: the live one (what unpinned references read,
        also after a rollback), or the newest while none was materialised."""
        return self.live_definition or self.latest

    @property
    def features(self) -> list[str]:
        return self.described.features

    @property
    def freshness(self) -> dict[str, Any]:
        m = self.live
        return {
            "version": m.version if m else None,
            "last_materialized": m.created_at if m else None,
            "newest_event_time": m.max_event_time if m else None,
            "row_count": m.row_count if m else None,
            "entity_count": m.entity_count if m else None,
        }

    def to_json(self, versions: bool = False) -> dict[str, Any]:
        doc = {
            "id": self.id, "name": self.name, "created_at": self.created_at,
            "latest_version": self.latest.version, "live_version": self.live_version,
            "version_count": self.version_count, "entity": list(self.described.entity),
            "timestamp": self.described.timestamp, "features": self.features,
            "owner": self.described.owner, "description": self.described.description,
            "tags": dict(self.described.tags), "sources": list(self.sources),
            "freshness": self.freshness,
        }
        if versions:
            doc["versions"] = [v.to_json(source=True) for v in self.versions]
        return doc
