"""Tables of dags: DAG runs and their steps.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dag_runs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=True),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.Column("host", sa.String(255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dag_runs"),
    )
    op.create_index("ix_dag_runs_created", "dag_runs", ["created_at"])
    op.create_index("ix_dag_runs_status", "dag_runs", ["status"])
    op.create_table(
        "dag_steps",
        sa.Column("dag_run_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=True),
        sa.Column("parameters", sa.Text(), nullable=True),
        sa.Column("outputs", sa.Text(), nullable=True),
        sa.Column("pipeline_run_id", sa.String(32), nullable=True),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.BigInteger(), nullable=True),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["dag_run_id"], ["dag_runs.id"], ondelete="CASCADE",
                                name="fk_dag_steps_dag_run_id_dag_runs"),
        sa.PrimaryKeyConstraint("dag_run_id", "name", name="pk_dag_steps"),
    )


def downgrade() -> None:
    op.drop_table("dag_steps")
    op.drop_index("ix_dag_runs_status", table_name="dag_runs")
    op.drop_index("ix_dag_runs_created", table_name="dag_runs")
    op.drop_table("dag_runs")
