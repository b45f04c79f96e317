"""Tables of serving: the prediction log. Created by migrations 0009 and 0017."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, String, Table, Text

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

# The prediction log since 0017: one row per batch the server's log writer stores, per model
# version, holding every predicted row of the batch column by column (an Arrow IPC stream:
# request id, row within the request, time, the inputs and the prediction). Monitoring reads a
# million logged rows from a few hundred of these in well under a second, where decoding as
# many JSON documents took tens of seconds. `prediction_logs` above keeps what older servers
# wrote; readers read both.
prediction_chunks = Table(
    "prediction_chunks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model_name", String(500), nullable=False),
    Column("model_version", Integer, nullable=False),
    Column("first_at", BigInteger, nullable=False),
    Column("last_at", BigInteger, nullable=False),
    Column("requests", Integer, nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Index("ix_prediction_chunks_model_name_version_last_at", "model_name", "model_version",
          "last_at"),
)

