"""Tables of the model registry: models, model versions, aliases and the alias history.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("latest_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_models"),
        sa.UniqueConstraint("name", name="uq_models_name"),
    )
    op.create_table(
        "model_versions",
        sa.Column("model_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("model_class", sa.String(500), nullable=False),
        sa.Column("blob", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("trusted_types", sa.Text, nullable=False),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("requirements", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("artifact", sa.String(1000), nullable=True),
        sa.Column("source", sa.Text, nullable=True),
        sa.Column("inputs", sa.Text, nullable=True),
        sa.Column("params", sa.Text, nullable=True),
        sa.Column("metrics", sa.Text, nullable=True),
        sa.Column("card", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("model_id", "version", name="pk_model_versions"),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"],
                                name="fk_model_versions_model_id_models", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"],
                                name="fk_model_versions_run_id_runs", ondelete="SET NULL"),
    )
    op.create_index("ix_model_versions_run_id", "model_versions", ["run_id"])
    op.create_table(
        "model_aliases",
        sa.Column("model_id", sa.Integer, nullable=False),
        sa.Column("alias", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("model_id", "alias", name="pk_model_aliases"),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"],
                                name="fk_model_aliases_model_id_models", ondelete="CASCADE"),
    )
    op.create_table(
        "model_alias_history",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("model_id", sa.Integer, nullable=False),
        sa.Column("alias", sa.String(64), nullable=False),
        sa.Column("from_version", sa.Integer, nullable=True),
        sa.Column("to_version", sa.Integer, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("moved_by", sa.String(255), nullable=False),
        sa.Column("moved_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model_alias_history"),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"],
                                name="fk_model_alias_history_model_id_models",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_model_alias_history_model_id_moved_at", "model_alias_history", ["model_id", "moved_at"])


def downgrade() -> None:
    op.drop_table("model_alias_history")
    op.drop_table("model_aliases")
    op.drop_table("model_versions")
    op.drop_table("models")
