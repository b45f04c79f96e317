"""How many runs of a schedule may wait in the queue at once: a tick that finds that many
still queued is skipped instead of piling up behind them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("max_queued", sa.Integer, nullable=False,
                                   server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("schedules") as batch:
        batch.drop_column("max_queued")
