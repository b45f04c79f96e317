"""Tables of DAGs: a run of a pipeline file (a graph of notebook steps) and the state of each
of its steps. Created by migration 0008 in store/migrations/versions/."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from .base import metadata

# One run of a pipeline file. The checked definition is kept whole (JSON), so a resume runs
# exactly the graph that ran first, whatever became of the file since.
dag_runs = Table(
    "dag_runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("file", Text, nullable=False),  # absolute path of the pipeline file, for display
    Column("definition", Text, nullable=False),  # JSON: steps, notebooks, parameters, edges
    Column("status", String(16), nullable=False),  # RUNNING | SUCCEEDED | FAILED
    Column("attempt", Integer, nullable=False),
    Column("concurrency", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("started_at", BigInteger, nullable=True),
    Column("ended_at", BigInteger, nullable=True),
    Column("host", String(255), nullable=True),  # the process running the attempt
    Column("pid", Integer, nullable=True),
    Index("ix_dag_runs_created_id", "created_at", "id"),
    Index("ix_dag_runs_status", "status"),
)

# Each step's latest state; a resumed attempt overwrites the steps it runs again.
dag_steps = Table(
    "dag_steps",
    metadata,
    Column("dag_run_id", String(32), ForeignKey("dag_runs.id", ondelete="CASCADE"),
           primary_key=True),
    Column("name", String(100), primary_key=True),
    # PENDING | RUNNING | SUCCEEDED | FAILED | SKIPPED
    Column("status", String(16), nullable=False),
    Column("attempt", Integer, nullable=True),  # the DAG run attempt that last ran it
    Column("parameters", Text, nullable=True),  # JSON: what it ran with (outputs resolved)
    Column("outputs", Text, nullable=True),  # JSON: its `ml.output` values
    Column("pipeline_run_id", String(32), nullable=True),
    Column("run_id", String(32), nullable=True),  # the pipeline run's tracking run
    Column("error", Text, nullable=True),
    Column("started_at", BigInteger, nullable=True),
    Column("ended_at", BigInteger, nullable=True),
)
