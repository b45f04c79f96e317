"""Tables of serving: the prediction log of the model server.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prediction_logs",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("model_name", sa.String(500), nullable=False),
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("outputs", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prediction_logs"),
    )
    op.create_index(
        "ix_prediction_logs_model_name_version_created",
        "prediction_logs",
        ["model_name", "model_version", "created_at"],
    )
    op.create_index("ix_prediction_logs_request_id", "prediction_logs", ["request_id"])


def downgrade() -> None:
    op.drop_table("prediction_logs")
