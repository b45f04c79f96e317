"""Tables of features: feature sets, versions, materialisations.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feature_sets",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("live_version_id", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_feature_sets"),
        sa.UniqueConstraint("name", name="uq_feature_sets_name"),
    )
    op.create_table(
        "feature_set_versions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("feature_set_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("definition_hash", sa.String(64), nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("function_name", sa.String(500), nullable=False),
        sa.Column("module", sa.String(500), nullable=True),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("timestamp_column", sa.String(500), nullable=False),
        sa.Column("ttl_ms", sa.BigInteger, nullable=True),
        sa.Column("schema", sa.Text, nullable=True),
        sa.Column("owner", sa.String(255), nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feature_set_versions"),
        sa.ForeignKeyConstraint(["feature_set_id"], ["feature_sets.id"],
                                name="fk_feature_set_versions_feature_set_id_feature_sets",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_feature_set_versions_feature_set_id_version", "feature_set_versions",
                    ["feature_set_id", "version"], unique=True)
    op.create_index("ix_feature_set_versions_feature_set_id_definition_hash",
                    "feature_set_versions", ["feature_set_id", "definition_hash"], unique=True)
    op.create_table(
        "feature_materializations",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("version_id", sa.String(32), nullable=False),
        sa.Column("blob", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("row_count", sa.BigInteger, nullable=False),
        sa.Column("entity_count", sa.BigInteger, nullable=False),
        sa.Column("min_event_time", sa.BigInteger, nullable=True),
        sa.Column("max_event_time", sa.BigInteger, nullable=True),
        sa.Column("source_kind", sa.String(20), nullable=False),
        sa.Column("source_ref", sa.String(200), nullable=True),
        sa.Column("source_label", sa.String(1000), nullable=True),
        sa.Column("online_store", sa.String(20), nullable=True),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feature_materializations"),
        sa.ForeignKeyConstraint(["version_id"], ["feature_set_versions.id"],
                                name="fk_feature_materializations_version_id_feature_set_versions",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_feature_materializations_version_id_created_at",
                    "feature_materializations", ["version_id", "created_at"])
    op.create_index("ix_feature_materializations_blob", "feature_materializations", ["blob"])


def downgrade() -> None:
    op.drop_table("feature_materializations")
    op.drop_table("feature_set_versions")
    op.drop_table("feature_sets")
