"""Tables of experiment tracking: experiments, runs, and what each run logged (params, tags,
metrics with their history and latest value, artifacts, links to snapshots and feature sets).
Created by migrations 0001-0003, 0011, 0013 and 0015 in store/migrations/versions/."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from .base import metadata

# Times are integer milliseconds since the epoch (UTC): exact, sortable, cheap to compare.
# Tables keyed by text are clustered on their key (WITHOUT ROWID on SQLite): a write then
# touches one b-tree less, and every logging call is a commit whose cost is the pages it writes.
# Indexes are only those a query uses.
experiments = Table(
    "experiments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(500), nullable=False, unique=True),
    Column("description", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("experiment_id", Integer, ForeignKey("experiments.id"), nullable=False),
    Column("name", String(500), nullable=False),
    Column("status", String(16), nullable=False),
    Column("start_time", BigInteger, nullable=False),
    Column("end_time", BigInteger, nullable=True),
    Column("heartbeat_at", BigInteger, nullable=True),
    Column("parent_run_id", String(32), ForeignKey("runs.id"), nullable=True),
    Column("error", Text, nullable=True),
    # What produced the run (cell source and hash, notebook, execution count) and where it ran
    # (python, packages, git, seeds), as JSON documents: read whole, never queried inside.
    Column("source", Text, nullable=True),
    Column("environment", Text, nullable=True),
    # Liveness: the process that runs it (host, pid and the process's start time, so a reused
    # pid is not taken for it) and the heartbeat interval that process promised.
    Column("host", String(255), nullable=True),
    Column("pid", Integer, nullable=True),
    Column("process_started_at", BigInteger, nullable=True),
    Column("heartbeat_ms", Integer, nullable=True),
    Index("ix_runs_experiment_start_id", "experiment_id", "start_time", "id"),
    Index("ix_runs_start_id", "start_time", "id"),
    Index("ix_runs_status_heartbeat", "status", "heartbeat_at"),
    sqlite_with_rowid=False,
)

params = Table(
    "params",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(250), primary_key=True),
    Column("value", Text, nullable=False),
    Index("ix_params_key_value", "key", "value"),
    sqlite_with_rowid=False,
)

tags = Table(
    "tags",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(250), primary_key=True),
    Column("value", Text, nullable=False),
    Index("ix_tags_key_value", "key", "value"),
    sqlite_with_rowid=False,
)

# Every logged value, for histories. NaN is kept as is_nan (SQLite turns a NaN REAL into NULL).
# Clustered on its key (WITHOUT ROWID on SQLite) and so are the latest values: each logged
# metric then touches three b-tree pages instead of five, which is most of a commit's cost.
# Logging the very same value at the same step and millisecond twice stores it once.
metrics = Table(
    "metrics",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(250), primary_key=True),
    Column("step", BigInteger, primary_key=True),
    Column("timestamp", BigInteger, primary_key=True),
    Column("value", Float(precision=53), primary_key=True),
    Column("is_nan", Boolean, primary_key=True),
    sqlite_with_rowid=False,
)

# The value at the highest step of each metric of each run: what search filters and sorts on.
latest_metrics = Table(
    "latest_metrics",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(250), primary_key=True),
    Column("step", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("value", Float(precision=53), nullable=False),
    Column("is_nan", Boolean, nullable=False),
    Index("ix_latest_metrics_key_value", "key", "value"),
    sqlite_with_rowid=False,
)

artifacts = Table(
    "artifacts",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("path", String(1000), primary_key=True),
    Column("blob", String(64), nullable=False, info={"blob": True}),  # counted by gc
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(255), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    # A model file saved by `%%track` or `register_model`: the JSON list of the types outside
    # skops's defaults it was saved with (reviewed then); NULL for any other file.
    Column("trusted_types", Text, nullable=True),
    Index("ix_artifacts_blob", "blob"),
    sqlite_with_rowid=False,
)

# What a run read (direction "input") and made ("output"): kind is the part's word
# ("snapshot", "feature_set", "training_set", "model_version", …), ref its id there, label
# what to show ("customers@3"). Every part links through the tracking service.
run_links = Table(
    "run_links",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("direction", String(6), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("ref", String(200), primary_key=True),
    Column("label", String(1000), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_run_links_kind_ref", "kind", "ref"),
    sqlite_with_rowid=False,
)
