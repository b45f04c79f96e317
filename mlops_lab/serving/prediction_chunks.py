"""The prediction log's storage: a batch of answered requests as Arrow columns (one chunk per
model version in the batch), and back. Reserved column names keep the request's own fields
apart from the model's input columns."""

from __future__ import annotations

import io
import json
from typing import Any

import pyarrow as pa
from sqlalchemy import select

from ..store.tables import serving as t

REQUEST_ID, ROW, CREATED_AT, PREDICTION = "__request_id", "__row", "__created_at", "__prediction"
# What the frame calls them (serving.prediction_frame.SOURCE_COLUMNS and "prediction").
FRAME_NAMES = {REQUEST_ID: "request_id", ROW: "row", CREATED_AT: "created_at",
               PREDICTION: "prediction"}


def encode(rows: list[dict]) -> list[dict]:
    """The table rows (prediction_chunks) for a batch of log rows: each with request_id,
    model_name, model_version, created_at, inputs ({column: values}, or that as JSON text) and
    outputs (a list, or JSON text)."""
    groups: dict[tuple[str, int], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["model_name"], int(row["model_version"])), []).append(row)
    return [_chunk(name, version, group) for (name, version), group in groups.items()]


def _chunk(name: str, version: int, rows: list[dict]) -> dict:
    tables = [_request_table(row) for row in rows]
    table = pa.concat_tables(tables, promote_options="permissive")
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    times = [int(row["created_at"]) for row in rows]
    return {"model_name": name, "model_version": version, "first_at": min(times),
            "last_at": max(times), "requests": len(rows), "row_count": table.num_rows,
            "data": sink.getvalue()}


def _request_table(row: dict) -> pa.Table:
    inputs = row["inputs"]
    outputs = row["outputs"]
    if isinstance(inputs, str):
        inputs = json.loads(inputs)
    if isinstance(outputs, str):
        outputs = json.loads(outputs)
    n = len(outputs)
    columns: dict[str, Any] = {REQUEST_ID: pa.array([row["request_id"]] * n, pa.string()),
                               ROW: pa.array(range(n), pa.int32()),
                               CREATED_AT: pa.array([int(row["created_at"])] * n, pa.int64())}
    for name, values in inputs.items():
        columns[str(name)] = _array(values)
    columns[PREDICTION] = _array(outputs)
    return pa.table(columns)


def _array(values) -> pa.Array:
    """Values as Arrow holds them; a column of mixed kinds (numbers and text) as text."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def query(columns, name: str, version: int | None, since_ms: int | None):
    """The chunks of a model (a version) that hold rows logged since `since_ms`."""
    k = t.prediction_chunks.c
    found = select(*columns).where(k.model_name == name)
    if version is not None:
        found = found.where(k.model_version == int(version))
    if since_ms is not None:
        found = found.where(k.last_at >= int(since_ms))
    return found


def decode(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


def request_docs(table: pa.Table, name: str, version: int) -> list[dict]:
    """The table's requests as the per-request documents `ServingService.prediction_logs`
    answers (inputs column-wise, outputs as a list)."""
    columns = table.to_pydict()
    ids = columns.pop(REQUEST_ID)
    columns.pop(ROW)
    times = columns.pop(CREATED_AT)
    outputs = columns.pop(PREDICTION)
    docs, start = [], 0
    for end in range(1, len(ids) + 1):
        if end == len(ids) or ids[end] != ids[start]:
            docs.append({"request_id": ids[start], "model": name, "version": version,
                         "created_at": times[start], "row_count": end - start,
                         "inputs": {c: v[start:end] for c, v in columns.items()},
                         "outputs": outputs[start:end]})
            start = end
    return docs
