"""The prediction log, column by column: one row per batch of logged predictions.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prediction_chunks",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("model_name", sa.String(500), nullable=False),
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("first_at", sa.BigInteger, nullable=False),
        sa.Column("last_at", sa.BigInteger, nullable=False),
        sa.Column("requests", sa.Integer, nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prediction_chunks"),
    )
    op.create_index("ix_prediction_chunks_model_name_version_last_at", "prediction_chunks",
                    ["model_name", "model_version", "last_at"])


def downgrade() -> None:
    op.drop_table("prediction_chunks")
