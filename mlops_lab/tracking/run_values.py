"""What is logged to a run: params (fixed once logged), metrics (with steps) and tags."""

from __future__ import annotations

import json
import math
from numbers import Real
from typing import Any

from ..clock import now_ms
from ..errors import Conflict, InvalidInput, NotFound
from ..naming import clean_key
from ..store.tables import tracking as t
from ..store.upsert import upsert_for
from .rows import MissingRunIsNotFound

PARAM_VALUE_MAX = 64_000


class RunValues:
    """The logging methods of TrackingService."""

    def log_params(self, run_id: str, params: dict[str, Any]) -> None:
        rows = {}
        for key, value in params.items():
            key = clean_key(key, "param name")
            value = param_text(value)
            if key in rows and rows[key] != value:
                raise Conflict(f"Param {key!r} appears twice with different values.")
            rows[key] = value
        if not rows:
            return
        new = [{"run_id": run_id, "key": k, "value": v} for k, v in rows.items()]
        try:
            with self.db.raw_write() as cursor:
                cursor.executemany(self._sql.insert_param_if_new, new)
                if cursor.rowcount != len(new):  # some were logged before: same values?
                    cursor.execute(self._sql.run_params, {"run_id": run_id})
                    stored = dict(cursor.fetchall())
                    for key, value in rows.items():
                        if stored.get(key, value) != value:
                            raise Conflict(
                                f"Param {key!r} of run {run_id} is already {stored[key]!r}; it "
                                f"cannot become {value!r}. Params are fixed once logged: log a "
                                "metric or start a new run instead."
                            )  # raising rolls the whole batch back
        except self.db.integrity_error:
            raise NotFound(f"No run with id {run_id!r}.") from None

    def log_metrics(self, run_id: str, metrics: dict[str, Any], step: int | None = None,
                    timestamp: int | None = None) -> None:
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
            raise InvalidInput(f"A metric step must be a whole number, not {step!r}.")
        step = 0 if step is None else step
        timestamp = now_ms() if timestamp is None else int(timestamp)
        rows = []
        for key, value in metrics.items():
            key = (_metric_keys.get(key) if type(key) is str else None) or _remember_key(key)
            value = _metric_value(key, value)
            nan = math.isnan(value)
            rows.append({"run_id": run_id, "key": key, "step": step, "timestamp": timestamp,
                         "value": 0.0 if nan else value, "is_nan": nan})
        if not rows:
            return
        try:
            self.db.write_rows([(sql, rows) for sql in self._metric_sql])
        except self.db.integrity_error:
            raise NotFound(f"No run with id {run_id!r}.") from None

    def set_tags(self, run_id: str, tags: dict[str, Any]) -> None:
        rows = self._tag_rows(run_id, tags)
        if not rows:
            return
        upsert = upsert_for(self._dialect)(t.tags)
        with self._on_run(run_id), self.db.write() as conn:
            conn.execute(upsert.on_conflict_do_update(
                index_elements=[t.tags.c.run_id, t.tags.c.key], set_={"value": upsert.excluded.value}
            ), rows)

    def _tag_rows(self, run_id: str, tags: dict[str, Any]) -> list[dict]:
        return [{"run_id": run_id, "key": clean_key(k, "tag name"), "value": param_text(v)}
                for k, v in tags.items()]

    def _on_run(self, run_id: str):
        """Turns the foreign-key failure of a write to an unknown run into NotFound."""
        return MissingRunIsNotFound(run_id)


def param_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value) if isinstance(
        value, (bool, type(None))) else str(value)
    if "\x00" in text:
        raise InvalidInput("Param and tag values must not contain a NUL character.")
    if len(text) > PARAM_VALUE_MAX:
        raise InvalidInput(f"Param and tag values may be at most {PARAM_VALUE_MAX} characters.")
    return text


# Metric names repeat on every step of a training loop: clean each one once.
_metric_keys: dict[str, str] = {}


def _remember_key(key) -> str:
    cleaned = clean_key(key, "metric name")
    if isinstance(key, str) and len(_metric_keys) < 10_000:
        _metric_keys[key] = cleaned
    return cleaned


def _metric_value(key: str, value: Any) -> float:
    if type(value) is float or type(value) is int:  # the usual case, without the ABC check
        return float(value)
    if isinstance(value, bool) or not isinstance(value, Real):
        try:
            import numpy as np  # numpy scalars are Real only through their own ABCs

            if isinstance(value, np.generic) and np.isreal(value) and not isinstance(value, np.bool_):
                return float(value)
        except ImportError:
            pass
        raise InvalidInput(f"Metric {key!r} must be a number, not {type(value).__name__} {value!r}.")
    return float(value)
