"""Tables of pipelines: pipeline runs, their outputs, schedules, fired ticks, scheduler lease.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pipeline_runs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("notebook", sa.Text, nullable=False),
        sa.Column("notebook_blob", sa.String(64), nullable=True),
        sa.Column("kernel_name", sa.String(255), nullable=True),
        sa.Column("cwd", sa.Text, nullable=True),
        sa.Column("parameters", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("failing_cell", sa.Text, nullable=True),
        sa.Column("output_path", sa.Text, nullable=True),
        sa.Column("output_blob", sa.String(64), nullable=True),
        sa.Column("log_blob", sa.String(64), nullable=True),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("parent_run_id", sa.String(32), nullable=True),
        sa.Column("schedule_id", sa.String(32), nullable=True),
        sa.Column("fire_time", sa.BigInteger, nullable=True),
        sa.Column("reproduce_of", sa.String(32), nullable=True),
        sa.Column("experiment", sa.String(500), nullable=True),
        sa.Column("tags", sa.Text, nullable=True),
        sa.Column("timeout", sa.Float, nullable=True),
        sa.Column("retries", sa.Integer, nullable=False),
        sa.Column("retry_backoff", sa.Float, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("started_at", sa.BigInteger, nullable=True),
        sa.Column("ended_at", sa.BigInteger, nullable=True),
        sa.Column("heartbeat_at", sa.BigInteger, nullable=True),
        sa.Column("host", sa.String(255), nullable=True),
        sa.Column("pid", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pipeline_runs"),
    )
    op.create_index("ix_pipeline_runs_status", "pipeline_runs", ["status"])
    op.create_index("ix_pipeline_runs_created", "pipeline_runs", ["created_at"])
    op.create_index("ix_pipeline_runs_schedule_created", "pipeline_runs",
                    ["schedule_id", "created_at"])
    op.create_index("ix_pipeline_runs_run", "pipeline_runs", ["run_id"])
    op.create_table(
        "pipeline_outputs",
        sa.Column("pipeline_run_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("pipeline_run_id", "name", name="pk_pipeline_outputs"),
        sa.ForeignKeyConstraint(["pipeline_run_id"], ["pipeline_runs.id"],
                                name="fk_pipeline_outputs_pipeline_run_id_pipeline_runs",
                                ondelete="CASCADE"),
    )
    op.create_table(
        "schedules",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("notebook", sa.Text, nullable=False),
        sa.Column("parameters", sa.Text, nullable=False),
        sa.Column("cron", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("missed", sa.String(16), nullable=False),
        sa.Column("keep_last", sa.Integer, nullable=True),
        sa.Column("timeout", sa.Float, nullable=True),
        sa.Column("retries", sa.Integer, nullable=False),
        sa.Column("experiment", sa.String(500), nullable=True),
        sa.Column("next_fire_at", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_schedules"),
        sa.UniqueConstraint("name", name="uq_schedules_name"),
    )
    op.create_table(
        "schedule_fires",
        sa.Column("schedule_id", sa.String(32), nullable=False),
        sa.Column("fire_time", sa.BigInteger, nullable=False),
        sa.Column("fired_at", sa.BigInteger, nullable=False),
        sa.Column("pipeline_run_id", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("schedule_id", "fire_time", name="pk_schedule_fires"),
        sa.ForeignKeyConstraint(["schedule_id"], ["schedules.id"],
                                name="fk_schedule_fires_schedule_id_schedules", ondelete="CASCADE"),
    )
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(255), nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_scheduler_leases"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_leases")
    op.drop_table("schedule_fires")
    op.drop_table("schedules")
    op.drop_table("pipeline_outputs")
    op.drop_index("ix_pipeline_runs_run", table_name="pipeline_runs")
    op.drop_index("ix_pipeline_runs_schedule_created", table_name="pipeline_runs")
    op.drop_index("ix_pipeline_runs_created", table_name="pipeline_runs")
    op.drop_index("ix_pipeline_runs_status", table_name="pipeline_runs")
    op.drop_table("pipeline_runs")
