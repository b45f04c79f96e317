"""Ground truth that arrives after the prediction, keyed by the request id the model server
answered with (and the row within that request)."""

from __future__ import annotations

import json
import math

import pandas as pd
from sqlalchemy import select

from ...clock import now_ms
from ...errors import InvalidInput
from ...store.tables import monitoring as t
from ...store.upsert import upsert_for

MAX_LABELS = 1_000_000
_CHUNK = 500  # request ids per IN (...) when reading labels back


def _label(value):
    if hasattr(value, "item"):
        value = value.item()  # numpy scalars
    if isinstance(value, bool) or isinstance(value, (int, str)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise InvalidInput(f"A label must be a class (text, a whole number, true/false) or a finite "
                       f"number, not {value!r}.")


class Labels:
    """The label methods of MonitorService."""

    def log_labels(self, request_ids, labels, rows=None) -> int:
        """Records the true outcome of logged predictions: `request_ids[i]` (the server's
        X-Request-Id), row `rows[i]` of that request (default 0), was `labels[i]`. A label
        given again replaces the earlier one. Returns how many were recorded."""
        ids = [str(r) for r in request_ids]
        values = [_label(v) for v in labels]
        rows = [0] * len(ids) if rows is None else [int(r) for r in rows]
        if not (len(ids) == len(values) == len(rows)):
            raise InvalidInput(f"Give as many labels as request ids ({len(ids)} ids, "
                               f"{len(values)} labels, {len(rows)} rows).")
        if len(ids) > MAX_LABELS:
            raise InvalidInput(f"At most {MAX_LABELS:,} labels per call.")
        if any(not r or len(r) > 32 for r in ids) or any(r < 0 for r in rows):
            raise InvalidInput("Each request id is the server's X-Request-Id (1-32 characters) "
                               "and each row a number from 0.")
        now = now_ms()
        records = [{"request_id": r, "row": n, "label": json.dumps(v), "logged_at": now}
                   for r, n, v in zip(ids, rows, values)]
        if records:
            statement = upsert_for(self.db.dialect)(t.prediction_labels)
            statement = statement.on_conflict_do_update(
                index_elements=["request_id", "row"],
                set_={"label": statement.excluded.label, "logged_at": statement.excluded.logged_at})
            with self.db.write() as conn:
                conn.execute(statement, records)
        return len(records)

    def labels_for(self, request_ids) -> pd.DataFrame:
        """Labels of these requests: columns request_id, row, label, logged_at."""
        ids = list(dict.fromkeys(request_ids))
        found = []
        c = t.prediction_labels.c
        with self.db.read() as conn:
            for start in range(0, len(ids), _CHUNK):
                found += conn.execute(select(c.request_id, c.row, c.label, c.logged_at).where(
                    c.request_id.in_(ids[start:start + _CHUNK]))).all()
        return pd.DataFrame({"request_id": [r.request_id for r in found],
                             "row": [r.row for r in found],
                             "label": [json.loads(r.label) for r in found],
                             "logged_at": [r.logged_at for r in found]})
