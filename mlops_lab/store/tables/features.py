"""Tables of the feature store: feature sets, their versions (one per distinct definition) and
materialisations (each a Parquet blob of the offline store). Created by migration 0005."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from .base import metadata

# One row per feature-set name. `live_version_id` is the version materialised last: what
# training sets and online lookups read unless a reference pins a version (`name@v2:feature`).
feature_sets = Table(
    "feature_sets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(500), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("live_version_id", String(32), nullable=True),
)

# A definition: the function's source and what it promises (entity key(s), timestamp column,
# TTL). Same definition -> same version; a changed one -> the next number, never reused.
feature_set_versions = Table(
    "feature_set_versions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("feature_set_id", Integer, ForeignKey("feature_sets.id", ondelete="CASCADE"),
           nullable=False),
    Column("version", Integer, nullable=False),
    Column("definition_hash", String(64), nullable=False),
    Column("source_hash", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("function_name", String(500), nullable=False),
    Column("module", String(500), nullable=True),
    Column("entity", Text, nullable=False),  # JSON list of the entity key columns
    Column("timestamp_column", String(500), nullable=False),
    Column("ttl_ms", BigInteger, nullable=True),
    Column("schema", Text, nullable=True),  # JSON {column: dtype} of the last materialised output
    Column("owner", String(255), nullable=True),
    Column("description", Text, nullable=True),
    Column("tags", Text, nullable=False),  # JSON {key: value}
    Column("created_at", BigInteger, nullable=False),
    Index("ix_feature_set_versions_feature_set_id_version", "feature_set_id", "version",
          unique=True),
    Index("ix_feature_set_versions_feature_set_id_definition_hash", "feature_set_id",
          "definition_hash", unique=True),
)

# Each run of a version's function over a source: the output as Parquet (the offline store),
# and what freshness shows (rows, entities, event-time range, when).
feature_materializations = Table(
    "feature_materializations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("version_id", String(32),
           ForeignKey("feature_set_versions.id", ondelete="CASCADE"), nullable=False),
    Column("blob", String(64), nullable=False, info={"blob": True}),  # counted by gc
    Column("size", BigInteger, nullable=False),
    Column("row_count", BigInteger, nullable=False),
    Column("entity_count", BigInteger, nullable=False),
    Column("min_event_time", BigInteger, nullable=True),
    Column("max_event_time", BigInteger, nullable=True),
    Column("source_kind", String(20), nullable=False),  # "dataframe" or "snapshot"
    Column("source_ref", String(200), nullable=True),  # the snapshot's id
    Column("source_label", String(1000), nullable=True),  # "orders@3"
    Column("online_store", String(20), nullable=True),  # "sqlite" / "redis"
    Column("run_id", String(32), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_feature_materializations_version_id_created_at", "version_id", "created_at"),
    Index("ix_feature_materializations_blob", "blob"),
)
