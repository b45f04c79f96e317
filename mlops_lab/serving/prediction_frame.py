"""The prediction log read back as one frame, for monitoring: the model's inputs column by
column, its answer (`prediction`), and where each row came from (`request_id`, `row` within the
request, `created_at`). Chunks are read newest first until the window is covered, so a count
stops reading as soon as it has enough."""

from __future__ import annotations

import json
from itertools import chain

import pandas as pd
import pyarrow as pa
from sqlalchemy import select

from ..store.tables import serving as t
from . import prediction_chunks as chunks

SOURCE_COLUMNS = ["request_id", "row", "created_at"]


def read(db, name: str, version: int | None, since_ms: int | None, last: int | None,
         max_rows: int) -> pd.DataFrame:
    """The newest logged rows (at most `last`, all since `since_ms`), oldest first."""
    wanted = min(last or max_rows, max_rows)
    newer = _chunks(db, name, version, since_ms, wanted)
    older = _older(db, name, version, since_ms, wanted - len(newer)) \
        if len(newer) < wanted else _empty()
    frame = pd.concat([older, newer], ignore_index=True) if len(older) else newer
    if since_ms is not None and len(frame):
        frame = frame[frame["created_at"] >= since_ms]
    return frame.iloc[max(0, len(frame) - wanted):].reset_index(drop=True)


def _chunks(db, name, version, since_ms, wanted: int) -> pd.DataFrame:
    k = t.prediction_chunks.c
    query = chunks.query([k.data, k.row_count], name, version, since_ms)
    tables, rows = [], 0
    with db.read() as conn:
        for found in conn.execute(query.order_by(k.id.desc())):
            tables.append(chunks.decode(found.data))
            rows += found.row_count
            if rows >= wanted:
                break
    if not tables:
        return _empty()
    tables.reverse()
    table = pa.concat_tables(tables, promote_options="permissive")
    frame = table.to_pandas()
    return frame.rename(columns=chunks.FRAME_NAMES)


def _older(db, name, version, since_ms, wanted: int) -> pd.DataFrame:
    """Rows written one JSON document per request, by servers before the chunked log."""
    c = t.prediction_logs.c
    query = select(c.request_id, c.created_at, c.row_count, c.inputs, c.outputs).where(
        c.model_name == name)
    if version is not None:
        query = query.where(c.model_version == int(version))
    if since_ms is not None:
        query = query.where(c.created_at >= int(since_ms))
    requests, rows = [], 0
    with db.read() as conn:
        for found in conn.execute(query.order_by(c.id.desc())):
            requests.append(found)
            rows += found.row_count
            if rows >= wanted:
                break
    requests.reverse()
    return _decode(requests)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=SOURCE_COLUMNS + ["prediction"])


def _decode(requests) -> pd.DataFrame:
    if not requests:
        return _empty()
    inputs = [json.loads(r.inputs) for r in requests]
    outputs = [json.loads(r.outputs) for r in requests]
    counts = [len(o) for o in outputs]
    columns: dict[str, list] = {}
    for name in dict.fromkeys(chain.from_iterable(inputs)):
        # A request that lacked a column (an older signature) gives missing values for it.
        columns[name] = list(chain.from_iterable(
            doc.get(name, [None] * n) for doc, n in zip(inputs, counts)))
    frame = pd.DataFrame(columns)
    frame["prediction"] = list(chain.from_iterable(outputs))
    frame["request_id"] = list(chain.from_iterable([r.request_id] * n
                                                   for r, n in zip(requests, counts)))
    frame["row"] = list(chain.from_iterable(range(n) for n in counts))
    frame["created_at"] = list(chain.from_iterable([r.created_at] * n
                                                   for r, n in zip(requests, counts)))
    return frame
