"""Tables of datasets: a dataset (a name, its validation rules) and its snapshots (immutable
versions: content hash, Parquet blob, schema, profile, validation result).
Created by migration 0004 in store/migrations/versions/."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from .base import metadata

# A dataset's name is free text (never a path); its rules are one JSON document checked at
# every snapshot.
datasets = Table(
    "datasets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(500), nullable=False, unique=True),
    Column("description", Text, nullable=True),
    Column("rules", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Index("ix_datasets_updated_id", "updated_at", "id"),  # the datasets list's order (0015)
)

# One row per version. `content_hash` identifies the data (equal data -> equal hash, whatever
# its memory layout); `blob` is the Parquet file in the artifact store. Version numbers are
# allocated in the inserting transaction; the unique constraint is the backstop.
snapshots = Table(
    "snapshots",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("dataset_id", Integer, ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("blob", String(64), nullable=False, info={"blob": True}),  # counted by gc
    Column("size", BigInteger, nullable=False),
    Column("row_count", BigInteger, nullable=False),
    Column("column_count", Integer, nullable=False),
    # JSON documents, read whole: columns with dtypes and hashes, per-column profile,
    # validation result, where the data came from.
    Column("schema", Text, nullable=False),
    Column("profile", Text, nullable=False),
    Column("validation", Text, nullable=True),
    Column("valid", Boolean, nullable=True),  # None: the dataset had no rules
    Column("source", Text, nullable=True),
    Column("run_id", String(32), nullable=True),  # the run that took it, if any
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("dataset_id", "version"),
    Index("ix_snapshots_content_hash", "content_hash"),
    Index("ix_snapshots_blob", "blob"),
)
