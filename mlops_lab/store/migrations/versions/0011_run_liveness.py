"""Run liveness: each run keeps the heartbeat interval its process promised and that process's
start time (a pid reused by another process is not taken for the run's), and the sweep for
dead runs finds the RUNNING ones through an index.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("process_started_at", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("heartbeat_ms", sa.Integer, nullable=True))
        batch.create_index("ix_runs_status_heartbeat", ["status", "heartbeat_at"])


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_status_heartbeat")
        batch.drop_column("heartbeat_ms")
        batch.drop_column("process_started_at")
