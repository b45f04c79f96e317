"""Tables of serving: the prediction log. Created by migration 0009."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from .base import metadata

# One row per answered /predict request: what the model saw and said, for monitoring.
# Inputs are kept column-wise ({"column": [values]}) and outputs as a list, as JSON text:
# written in batches by the server's log writer, read whole by monitoring.
prediction_logs = Table(
    "prediction_logs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(32), nullable=False),
    Column("model_name", String(500), nullable=False),
    Column("model_version", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("inputs", Text, nullable=False),
    Column("outputs", Text, nullable=False),
    Index("ix_prediction_logs_model_name_version_created", "model_name", "model_version",
          "created_at"),
    Index("ix_prediction_logs_request_id", "request_id"),
)
