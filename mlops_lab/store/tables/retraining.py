"""Tables of continuous training: retraining rules (a trigger tied to a notebook pipeline and a
gate) and the record of every firing. Created by migration 0020."""

from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, String,
                        Table, Text)

from .base import metadata

# What starts a retraining (`trigger`: alert | schedule | snapshot, with its monitor, cron or
# dataset), what runs (a notebook and its parameters, which may name the trigger), and what
# decides (the gate's settings as JSON; the alias a pass moves). `cursor` is how far the
# trigger has been read: the last alert event's time, the last snapshot version, the last
# scheduled time (ms) — moved by one conditional update, so two checkers fire once.
retraining_rules = Table(
    "retraining_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("model", String(500), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("monitor", String(200), nullable=True),
    Column("dataset", String(500), nullable=True),
    Column("cron", String(200), nullable=True),
    Column("timezone", String(64), nullable=True),
    Column("notebook", Text, nullable=False),
    Column("parameters", Text, nullable=False),
    Column("gate", Text, nullable=True),
    Column("alias", String(64), nullable=False),
    Column("keep_previous", String(64), nullable=True),
    Column("cooldown_s", Integer, nullable=False),
    Column("timeout_s", Float, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("cursor", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(255), nullable=False),
)

# Each time a rule's trigger fired: what fired it, the pipeline (or DAG) run it started (or why none
# started), and how it ended (the version it registered, the gate's evaluation, the alias
# move). status: running | judging (its gate runs) | promoted | kept | registered | failed |
# skipped.
retraining_firings = Table(
    "retraining_firings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule_id", Integer, ForeignKey("retraining_rules.id", ondelete="CASCADE"),
           nullable=False),
    Column("fired_at", BigInteger, nullable=False),
    Column("trigger", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("pipeline_run_id", String(32), nullable=True),
    Column("dag_run_id", String(32), nullable=True),  # when the rule runs a DAG file
    Column("version", Integer, nullable=True),
    Column("evaluation_id", Integer, nullable=True),
    Column("message", Text, nullable=True),
    Column("ended_at", BigInteger, nullable=True),
    Index("ix_retraining_firings_rule_fired", "rule_id", "fired_at", "id"),
    Index("ix_retraining_firings_status", "status"),
)
