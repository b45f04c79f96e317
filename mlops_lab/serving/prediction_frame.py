"""The prediction log read back as one frame, for monitoring: the model's inputs column by
column, its answer (`prediction`), and where each row came from (`request_id`, `row` within the
request, `created_at`)."""

from __future__ import annotations

import json
from itertools import chain

import pandas as pd
from sqlalchemy import select

from ..store.tables import serving as t

SOURCE_COLUMNS = ["request_id", "row", "created_at"]


def read(db, name: str, version: int | None, since_ms: int | None, last: int | None,
         max_rows: int) -> pd.DataFrame:
    """The newest logged rows (at most `last`, all since `since_ms`), oldest first."""
    c = t.prediction_logs.c
    query = select(c.request_id, c.created_at, c.row_count, c.inputs, c.outputs).where(
        c.model_name == name)
    if version is not None:
        query = query.where(c.model_version == int(version))
    if since_ms is not None:
        query = query.where(c.created_at >= int(since_ms))
    wanted = min(last or max_rows, max_rows)
    requests, rows = [], 0
    with db.read() as conn:
        # Newest first, so a count stops reading as soon as it has enough.
        for found in conn.execute(query.order_by(c.id.desc())).yield_per(500):
            requests.append(found)
            rows += found.row_count
            if rows >= wanted:
                break
    requests.reverse()
    frame = _decode(requests)
    return frame.iloc[len(frame) - wanted:].reset_index(drop=True) if len(frame) > wanted \
        else frame


def _decode(requests) -> pd.DataFrame:
    if not requests:
        return pd.DataFrame(columns=SOURCE_COLUMNS + ["prediction"])
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
