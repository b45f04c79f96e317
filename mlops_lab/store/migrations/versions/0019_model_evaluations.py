"""Model evaluations: gates and benchmarks scored on a labelled snapshot, and the gate that
moved an alias in its history.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_evaluations",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("model_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("passed", sa.Boolean, nullable=True),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("snapshot_id", sa.String(32), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model_evaluations"),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE",
                                name="fk_model_evaluations_model_id_models"),
    )
    op.create_index("ix_model_evaluations_model_created", "model_evaluations",
                    ["model_id", "created_at", "id"])
    with op.batch_alter_table("model_alias_history") as batch:
        batch.add_column(sa.Column("evaluation_id", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_alias_history") as batch:
        batch.drop_column("evaluation_id")
    op.drop_index("ix_model_evaluations_model_created", "model_evaluations")
    op.drop_table("model_evaluations")
