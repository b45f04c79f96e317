"""Tables of the model registry: models, their versions, aliases and the audited history of
every alias move. Created by migration 0006 in store/migrations/versions/."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from .base import metadata

# One row per model name. `latest_version` is the version counter: a registration bumps it
# with one UPDATE … RETURNING inside its write transaction, which takes the row lock on
# PostgreSQL (SQLite's BEGIN IMMEDIATE serialises writers anyway), so two processes
# registering at once get contiguous, distinct numbers.
models = Table(
    "models",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(500), nullable=False, unique=True),
    Column("description", Text, nullable=True),
    Column("latest_version", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Index("ix_models_updated_name", "updated_at", "name"),  # the models list's order (0015)
)

# What a registered version is. The JSON columns are documents read whole (never queried
# inside): signature, trusted types, requirements, the run's source cell, its input links,
# params and metrics as they were at registration, so the version's record never changes
# when the run does.
model_versions = Table(
    "model_versions",
    metadata,
    Column("model_id", Integer, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("description", Text, nullable=True),
    Column("format", String(16), nullable=False),
    Column("model_class", String(500), nullable=False),
    Column("blob", String(64), nullable=False, info={"blob": True}),  # counted by gc
    Column("size", BigInteger, nullable=False),
    Column("trusted_types", Text, nullable=False),
    Column("signature", Text, nullable=False),
    Column("requirements", Text, nullable=False),
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="SET NULL"), nullable=True),
    Column("artifact", String(1000), nullable=True),
    Column("source", Text, nullable=True),
    Column("inputs", Text, nullable=True),
    Column("params", Text, nullable=True),
    Column("metrics", Text, nullable=True),
    Column("card", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(255), nullable=False),
    # The version's ONNX export (0018): its content-addressed file, and the record of how it
    # was made and verified (a JSON document; null while the version has no ONNX file).
    Column("onnx_blob", String(64), nullable=True, info={"blob": True}),  # counted by gc
    Column("onnx", Text, nullable=True),
    Index("ix_model_versions_run_id", "run_id"),
)

# Where each alias of a model points now.
model_aliases = Table(
    "model_aliases",
    metadata,
    Column("model_id", Integer, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True),
    Column("alias", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("updated_by", String(255), nullable=False),
)

# Every alias move, kept forever: who, when, from which version to which (None = the alias
# did not exist before / was deleted), and why.
model_alias_history = Table(
    "model_alias_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model_id", Integer, ForeignKey("models.id", ondelete="CASCADE"), nullable=False),
    Column("alias", String(64), nullable=False),
    Column("from_version", Integer, nullable=True),
    Column("to_version", Integer, nullable=True),
    Column("reason", Text, nullable=True),
    Column("moved_by", String(255), nullable=False),
    Column("moved_at", BigInteger, nullable=False),
    # The gate whose evidence moved the alias (0019; a model_evaluations id, null for a move
    # by hand). No foreign key: both rows go only when their model does.
    Column("evaluation_id", Integer, nullable=True),
    Index("ix_model_alias_history_model_id_moved_at_id", "model_id", "moved_at", "id"),
)
