"""Tables of monitoring: monitors and their runs, labels that arrive after predictions, alert
rules, alerts, webhooks and each delivery to them. Created by migration 0016.

JSON columns are documents read whole (never queried inside): a monitor's reference profile
(the reference statistics, computed once), its window and thresholds, a run's results."""

from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, String,
                        Table, Text, UniqueConstraint)

from .base import metadata

# What to watch (a model alias), against what (a reference snapshot's statistics) and over
# which window of current data (the server's prediction log, or a snapshot).
monitors = Table(
    "monitors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("model_name", String(500), nullable=False),
    Column("alias", String(200), nullable=False),
    Column("reference_ref", String(500), nullable=True),  # None: the version's training data
    Column("reference_version", Integer, nullable=True),  # the version the profile is of
    Column("reference_profile", Text, nullable=True),
    Column("current", Text, nullable=False),
    Column("thresholds", Text, nullable=True),
    Column("label_metric", String(40), nullable=True),
    Column("schedule", String(200), nullable=True),  # cron, run by the scheduler
    Column("next_run_at", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("created_by", String(200), nullable=True),
    Index("ix_monitors_model_alias", "model_name", "alias"),
    Index("ix_monitors_next_run_at", "next_run_at"),
)

# One row per run of a monitor: when, on which version, what it found.
monitor_runs = Table(
    "monitor_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("monitor_id", Integer, ForeignKey("monitors.id", ondelete="CASCADE"), nullable=False),
    Column("model_version", Integer, nullable=True),
    Column("trigger", String(40), nullable=False),  # manual | schedule
    Column("status", String(40), nullable=False),  # running | ok | drift | no data | failed
    Column("started_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=True),
    Column("rows_current", Integer, nullable=True),
    Column("drift_share", Float, nullable=True),
    Column("result", Text, nullable=True),
    Column("error", Text, nullable=True),
    Index("ix_monitor_runs_monitor_started_id", "monitor_id", "started_at", "id"),
)

# Ground truth that arrives after the prediction: one row per predicted row of a request.
prediction_labels = Table(
    "prediction_labels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(32), nullable=False),
    Column("row", Integer, nullable=False),
    Column("label", Text, nullable=False),  # JSON: a class or a number
    Column("logged_at", BigInteger, nullable=False),
    UniqueConstraint("request_id", "row", name="uq_prediction_labels_request_row"),
)

# A condition on a monitor's figures (or on pipeline runs) that opens an alert.
alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("monitor_id", Integer, ForeignKey("monitors.id", ondelete="CASCADE"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("params", Text, nullable=False),
    Column("cooldown_s", Integer, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# An alert, one row per dedup key (model, alias, monitor, rule, feature): seen again it is
# counted, not repeated; resolved and seen again it re-opens.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(1000), nullable=False, unique=True),
    Column("rule_id", Integer, ForeignKey("alert_rules.id", ondelete="SET NULL"), nullable=True),
    Column("monitor_id", Integer, ForeignKey("monitors.id", ondelete="SET NULL"), nullable=True),
    Column("model_name", String(500), nullable=True),
    Column("alias", String(200), nullable=True),
    Column("feature", String(500), nullable=True),
    Column("state", String(20), nullable=False),  # open | acknowledged | resolved
    Column("severity", String(20), nullable=False),
    Column("message", Text, nullable=False),
    Column("figures", Text, nullable=True),
    Column("opened_at", BigInteger, nullable=False),
    Column("last_seen_at", BigInteger, nullable=False),
    Column("times_seen", Integer, nullable=False),
    Column("times_reopened", Integer, nullable=False),
    Column("acknowledged_by", String(200), nullable=True),
    Column("acknowledged_at", BigInteger, nullable=True),
    Column("resolved_by", String(200), nullable=True),
    Column("resolved_at", BigInteger, nullable=True),
    Column("note", Text, nullable=True),
    # When webhooks were last told of it: a re-open within the rule's cooldown is not sent.
    Column("notified_at", BigInteger, nullable=True),
    Index("ix_alerts_state_last_seen_id", "state", "last_seen_at", "id"),
    Index("ix_alerts_last_seen_id", "last_seen_at", "id"),
)

# Where alerts are sent. The secret signs each body (HMAC) and is never answered back.
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# One row per (webhook, event of an alert or of the model registry): the delivery log, and the
# queue a receiver that is down is retried from (status pending with its next attempt's time).
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", Integer, ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    # None for a test or registry event (`mlops-lab webhooks test`, models/events.py).
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=True),
    # opened | reopened | resolved | test | model_version.registered | alias.moved
    Column("event", String(40), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(20), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=True),
    Column("last_status", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("delivered_at", BigInteger, nullable=True),
    Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_alert", "alert_id"),
)
