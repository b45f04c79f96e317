"""Run links: what a run read (inputs) and made (outputs) — snapshots, feature sets, training
sets, model versions — one table every part writes to, so lineage is one query.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_links",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("direction", sa.String(6), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("label", sa.String(1000), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "direction", "kind", "ref", name="pk_run_links"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_run_links_run_id_runs", ondelete="CASCADE"
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_run_links_kind_ref", "run_links", ["kind", "ref"])


def downgrade() -> None:
    op.drop_table("run_links")
