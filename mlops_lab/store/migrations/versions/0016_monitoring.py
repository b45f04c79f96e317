"""Tables of monitoring: monitors and their runs, labels, alert rules, alerts, webhooks and
their deliveries.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("monitors",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("model_name", sa.String(length=500), nullable=False),
    sa.Column("alias", sa.String(length=200), nullable=False),
    sa.Column("reference_ref", sa.String(length=500), nullable=True),
    sa.Column("reference_version", sa.Integer(), nullable=True),
    sa.Column("reference_profile", sa.Text(), nullable=True),
    sa.Column("current", sa.Text(), nullable=False),
    sa.Column("thresholds", sa.Text(), nullable=True),
    sa.Column("label_metric", sa.String(length=40), nullable=True),
    sa.Column("schedule", sa.String(length=200), nullable=True),
    sa.Column("next_run_at", sa.BigInteger(), nullable=True),
    sa.Column("created_at", sa.BigInteger(), nullable=False),
    sa.Column("updated_at", sa.BigInteger(), nullable=False),
    sa.Column("created_by", sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint("id", name="pk_monitors"),
    sa.UniqueConstraint("name", name="uq_monitors_name")
    )
    op.create_index("ix_monitors_model_alias", "monitors", ["model_name", "alias"])
    op.create_index("ix_monitors_next_run_at", "monitors", ["next_run_at"])
    op.create_table("prediction_labels",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("request_id", sa.String(length=32), nullable=False),
    sa.Column("row", sa.Integer(), nullable=False),
    sa.Column("label", sa.Text(), nullable=False),
    sa.Column("logged_at", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("id", name="pk_prediction_labels"),
    sa.UniqueConstraint("request_id", "row", name="uq_prediction_labels_request_row")
    )
    op.create_table("webhooks",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("url", sa.Text(), nullable=False),
    sa.Column("secret", sa.Text(), nullable=True),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("id", name="pk_webhooks"),
    sa.UniqueConstraint("name", name="uq_webhooks_name")
    )
    op.create_table("alert_rules",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("monitor_id", sa.Integer(), nullable=True),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("kind", sa.String(length=40), nullable=False),
    sa.Column("params", sa.Text(), nullable=False),
    sa.Column("cooldown_s", sa.Integer(), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(["monitor_id"], ["monitors.id"], name="fk_alert_rules_monitor_id_monitors", ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name="pk_alert_rules")
    )
    op.create_table("monitor_runs",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("monitor_id", sa.Integer(), nullable=False),
    sa.Column("model_version", sa.Integer(), nullable=True),
    sa.Column("trigger", sa.String(length=40), nullable=False),
    sa.Column("status", sa.String(length=40), nullable=False),
    sa.Column("started_at", sa.BigInteger(), nullable=False),
    sa.Column("finished_at", sa.BigInteger(), nullable=True),
    sa.Column("rows_current", sa.Integer(), nullable=True),
    sa.Column("drift_share", sa.Float(), nullable=True),
    sa.Column("result", sa.Text(), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["monitor_id"], ["monitors.id"], name="fk_monitor_runs_monitor_id_monitors", ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name="pk_monitor_runs")
    )
    op.create_index("ix_monitor_runs_monitor_started_id", "monitor_runs", ["monitor_id", "started_at", "id"])
    op.create_table("alerts",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("key", sa.String(length=1000), nullable=False),
    sa.Column("rule_id", sa.Integer(), nullable=True),
    sa.Column("monitor_id", sa.Integer(), nullable=True),
    sa.Column("model_name", sa.String(length=500), nullable=True),
    sa.Column("alias", sa.String(length=200), nullable=True),
    sa.Column("feature", sa.String(length=500), nullable=True),
    sa.Column("state", sa.String(length=20), nullable=False),
    sa.Column("severity", sa.String(length=20), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("figures", sa.Text(), nullable=True),
    sa.Column("opened_at", sa.BigInteger(), nullable=False),
    sa.Column("last_seen_at", sa.BigInteger(), nullable=False),
    sa.Column("times_seen", sa.Integer(), nullable=False),
    sa.Column("times_reopened", sa.Integer(), nullable=False),
    sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
    sa.Column("acknowledged_at", sa.BigInteger(), nullable=True),
    sa.Column("resolved_by", sa.String(length=200), nullable=True),
    sa.Column("resolved_at", sa.BigInteger(), nullable=True),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("notified_at", sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(["monitor_id"], ["monitors.id"], name="fk_alerts_monitor_id_monitors", ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["rule_id"], ["alert_rules.id"], name="fk_alerts_rule_id_alert_rules", ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id", name="pk_alerts"),
    sa.UniqueConstraint("key", name="uq_alerts_key")
    )
    op.create_index("ix_alerts_last_seen_id", "alerts", ["last_seen_at", "id"])
    op.create_index("ix_alerts_state_last_seen_id", "alerts", ["state", "last_seen_at", "id"])
    op.create_table("webhook_deliveries",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("webhook_id", sa.Integer(), nullable=False),
    sa.Column("alert_id", sa.Integer(), nullable=True),
    sa.Column("event", sa.String(length=40), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", sa.BigInteger(), nullable=True),
    sa.Column("last_status", sa.Integer(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("created_at", sa.BigInteger(), nullable=False),
    sa.Column("delivered_at", sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name="fk_webhook_deliveries_alert_id_alerts", ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["webhook_id"], ["webhooks.id"], name="fk_webhook_deliveries_webhook_id_webhooks", ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries")
    )
    op.create_index("ix_webhook_deliveries_alert", "webhook_deliveries", ["alert_id"])
    op.create_index("ix_webhook_deliveries_status_next", "webhook_deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    for table in ("webhook_deliveries", "alerts", "alert_rules", "webhooks", "prediction_labels",
                  "monitor_runs", "monitors"):
        op.drop_table(table)
