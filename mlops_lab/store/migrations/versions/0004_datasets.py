"""Tables of datasets: datasets (name, validation rules) and snapshots (their versions).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("rules", sa.Text, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_datasets"),
        sa.UniqueConstraint("name", name="uq_datasets_name"),
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("dataset_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("blob", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("row_count", sa.BigInteger, nullable=False),
        sa.Column("column_count", sa.Integer, nullable=False),
        sa.Column("schema", sa.Text, nullable=False),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("validation", sa.Text, nullable=True),
        sa.Column("valid", sa.Boolean, nullable=True),
        sa.Column("source", sa.Text, nullable=True),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_snapshots"),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"],
                                name="fk_snapshots_dataset_id_datasets", ondelete="CASCADE"),
        sa.UniqueConstraint("dataset_id", "version", name="uq_snapshots_dataset_id_version"),
    )
    op.create_index("ix_snapshots_content_hash", "snapshots", ["content_hash"])
    op.create_index("ix_snapshots_blob", "snapshots", ["blob"])


def downgrade() -> None:
    op.drop_table("snapshots")
    op.drop_table("datasets")
