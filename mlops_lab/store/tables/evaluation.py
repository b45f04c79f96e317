"""Tables of model evaluation: gates (challenger against champion) and benchmarks (any number
of versions), each scored on one labelled snapshot. Created by migration 0019."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from .base import metadata

# One row per gate or benchmark. `version` is the gate's challenger (the version the result is
# kept with; null for a benchmark); `result` is the whole record as JSON (metrics, intervals,
# guardrails, the data used), read whole and never queried inside.
model_evaluations = Table(
    "model_evaluations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model_id", Integer, ForeignKey("models.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # gate | benchmark
    Column("version", Integer, nullable=True),
    Column("passed", Boolean, nullable=True),
    Column("metric", String(64), nullable=False),
    Column("snapshot_id", String(32), nullable=False),
    Column("result", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(255), nullable=False),
    Index("ix_model_evaluations_model_created", "model_id", "created_at", "id"),
)
