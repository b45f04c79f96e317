"""Tables of pipelines: pipeline runs (a notebook executed by papermill), the values notebooks
record with `ml.output`, cron schedules, the ticks they fired and the scheduler's lease.
Created by migration 0007 in store/migrations/versions/."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, String, Table, Text

from .base import metadata

# One execution of a notebook. The input notebook is kept as a blob (its hash is the snapshot),
# so a run can be reproduced from exactly what ran even after the file changed.
pipeline_runs = Table(
    "pipeline_runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("notebook", Text, nullable=False),
    Column("notebook_blob", String(64), nullable=True, info={"blob": True}),
    Column("kernel_name", String(255), nullable=True),
    Column("cwd", Text, nullable=True),
    Column("parameters", Text, nullable=False),  # JSON object: the values given
    # JSON: {name: {"value" | "expression", "from": "given" | "default" | "not declared"}}
    Column("effective_parameters", Text, nullable=True),
    Column("status", String(16), nullable=False),
    Column("error", Text, nullable=True),
    Column("failing_cell", Text, nullable=True),  # JSON: index, source, ename, evalue, traceback
    Column("output_path", Text, nullable=True),  # the copy users open in JupyterLab
    Column("output_blob", String(64), nullable=True, info={"blob": True}),
    Column("log_blob", String(64), nullable=True, info={"blob": True}),
    Column("log_tail", Text, nullable=True),  # the log's end while running; then the blob
    Column("run_id", String(32), nullable=True),  # its tracking run
    Column("parent_run_id", String(32), nullable=True),  # tracking run it is a child of
    Column("schedule_id", String(32), nullable=True),
    Column("fire_time", BigInteger, nullable=True),
    Column("reproduce_of", String(32), nullable=True),
    Column("experiment", String(500), nullable=True),
    Column("tags", Text, nullable=True),  # JSON object
    Column("timeout", Float, nullable=True),
    Column("retries", Integer, nullable=False),
    Column("retry_backoff", Float, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("started_at", BigInteger, nullable=True),
    Column("ended_at", BigInteger, nullable=True),
    Column("heartbeat_at", BigInteger, nullable=True),
    Column("host", String(255), nullable=True),
    Column("pid", Integer, nullable=True),
    Index("ix_pipeline_runs_status", "status"),
    Index("ix_pipeline_runs_created_id", "created_at", "id"),
    Index("ix_pipeline_runs_schedule_created_id", "schedule_id", "created_at", "id"),
    Index("ix_pipeline_runs_run", "run_id"),
)

# `ml.output(name, value)` from inside the notebook: one JSON value per name.
pipeline_outputs = Table(
    "pipeline_outputs",
    metadata,
    Column("pipeline_run_id", String(32), ForeignKey("pipeline_runs.id", ondelete="CASCADE"),
           primary_key=True),
    Column("name", String(250), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

schedules = Table(
    "schedules",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(500), nullable=False, unique=True),
    Column("notebook", Text, nullable=False),
    Column("parameters", Text, nullable=False),
    Column("cron", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("missed", String(16), nullable=False),  # "skip" | "run_once"
    Column("keep_last", Integer, nullable=True),
    Column("timeout", Float, nullable=True),
    Column("retries", Integer, nullable=False),
    Column("experiment", String(500), nullable=True),
    # At most this many of its runs waiting in the queue: a tick finding them is skipped.
    Column("max_queued", Integer, nullable=False, server_default="1"),
    Column("next_fire_at", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# Each tick of each schedule fired at most once, whatever the number of schedulers: the
# primary key is the backstop behind the lease.
schedule_fires = Table(
    "schedule_fires",
    metadata,
    Column("schedule_id", String(32), ForeignKey("schedules.id", ondelete="CASCADE"),
           primary_key=True),
    Column("fire_time", BigInteger, primary_key=True),
    Column("fired_at", BigInteger, nullable=False),
    Column("pipeline_run_id", String(32), nullable=True),
)

# Which scheduler (server extension or `mlops-lab scheduler`) fires ticks now, until when.
scheduler_leases = Table(
    "scheduler_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(255), nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)
