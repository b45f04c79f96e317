"""A model version's ONNX export: the content-addressed file and the record of how it was made
and verified (rows compared, label agreement, largest difference, tolerance).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("model_versions") as batch:
        batch.add_column(sa.Column("onnx_blob", sa.String(64), nullable=True))
        batch.add_column(sa.Column("onnx", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_column("onnx")
        batch.drop_column("onnx_blob")
