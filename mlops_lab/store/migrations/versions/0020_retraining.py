"""Retraining rules (trigger -> notebook pipeline -> gate -> alias) and their firings.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retraining_rules",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("model", sa.String(500), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("monitor", sa.String(200), nullable=True),
        sa.Column("dataset", sa.String(500), nullable=True),
        sa.Column("cron", sa.String(200), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("notebook", sa.Text, nullable=False),
        sa.Column("parameters", sa.Text, nullable=False),
        sa.Column("gate", sa.Text, nullable=True),
        sa.Column("alias", sa.String(64), nullable=False),
        sa.Column("keep_previous", sa.String(64), nullable=True),
        sa.Column("cooldown_s", sa.Integer, nullable=False),
        sa.Column("timeout_s", sa.Float, nullable=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("cursor", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_retraining_rules"),
        sa.UniqueConstraint("name", name="uq_retraining_rules_name"),
    )
    op.create_table(
        "retraining_firings",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.Integer, nullable=False),
        sa.Column("fired_at", sa.BigInteger, nullable=False),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("pipeline_run_id", sa.String(32), nullable=True),
        sa.Column("dag_run_id", sa.String(32), nullable=True),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("evaluation_id", sa.Integer, nullable=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("ended_at", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_retraining_firings"),
        sa.ForeignKeyConstraint(["rule_id"], ["retraining_rules.id"], ondelete="CASCADE",
                                name="fk_retraining_firings_rule_id_retraining_rules"),
    )
    op.create_index("ix_retraining_firings_rule_fired", "retraining_firings",
                    ["rule_id", "fired_at", "id"])
    op.create_index("ix_retraining_firings_status", "retraining_firings", ["status"])


def downgrade() -> None:
    op.drop_index("ix_retraining_firings_status", "retraining_firings")
    op.drop_index("ix_retraining_firings_rule_fired", "retraining_firings")
    op.drop_table("retraining_firings")
    op.drop_table("retraining_rules")
