"""The offline store: each materialisation's output as one Parquet blob, and the
point-in-time join that builds training sets from them.

Event times are compared as int64 nanoseconds since the epoch, UTC (naive datetimes are taken
as UTC), so frames with different datetime resolutions or time zones join correctly.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InvalidInput

TS = "__mlops_lab_event_ns"  # the join column; a user column of this name is refused
_NAT = np.iinfo(np.int64).min


def event_ns(column: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(int64 ns since the epoch, mask of rows that have a time) of a datetime column."""
    if not (pd.api.types.is_datetime64_any_dtype(column)):
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            raise InvalidInput(
                f"{what} holds numbers ({column.dtype}), not datetimes: convert it first, e.g. "
                "pd.to_datetime(df[col], unit='s')."
            )
        try:
            column = pd.to_datetime(column, utc=True, format="mixed")
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"{what} is not a datetime column and could not be read as "
                               f"one ({exc}).") from None
    if getattr(column.dt, "tz", None) is not None:
        column = column.dt.tz_convert("UTC").dt.tz_localize(None)
    values = column.to_numpy(dtype="datetime64[ns]").view(np.int64)
    return values, values != _NAT


def ns_to_ms(value: int | None) -> int | None:
    return None if value is None else int(value // 1_000_000)


def prepare_output(out: pd.DataFrame, entity: list[str], timestamp: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The function's output as stored: sorted by entity then event time, one row per entity
    and time (when a function emits two, the later row wins). Returns it with its event ns."""
    ts, has_time = event_ns(out[timestamp], f"The timestamp column {timestamp!r}")
    missing = int((~has_time).sum())
    if missing:
        raise InvalidInput(f"{missing} output row(s) have no {timestamp!r}: every feature row "
                           "needs an event time.")
    nulls = [k for k in entity if out[k].isna().any()]
    if nulls:
        raise InvalidInput(f"Output rows without an entity key in {nulls}: drop or fill them in "
                           "the feature set's function.")
    frame = out.reset_index(drop=True)
    frame[TS] = ts
    frame = frame.sort_values([*entity, TS], kind="stable")
    frame = frame.drop_duplicates(subset=[*entity, TS], keep="last")
    ts_sorted = frame.pop(TS).to_numpy()
    return frame.reset_index(drop=True), ts_sorted


def to_parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


@dataclass(frozen=True)
class OfflineFrame:
    """A materialisation read back, ready to join: sorted by event time."""

    frame: pd.DataFrame  # entity columns + TS + features


_cache: OrderedDict[str, OfflineFrame] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 8


def load(artifacts, blob: str, entity: list[str], timestamp: str) -> OfflineFrame:
    """The Parquet blob as a join-ready frame; blobs are immutable (content-addressed), so the
    few used last are kept in memory."""
    with _cache_lock:
        hit = _cache.get(blob)
        if hit is not None:
            _cache.move_to_end(blob)
            return hit
    import pyarrow.parquet as pq

    with artifacts.open(blob) as f:
        frame = pq.read_table(f).to_pandas()
    ts, _ = event_ns(frame[timestamp], f"The stored timestamp column {timestamp!r}")
    frame = frame.drop(columns=[timestamp])
    frame[TS] = ts
    frame = frame.sort_values(TS, kind="stable").reset_index(drop=True)
    loaded = OfflineFrame(frame)
    with _cache_lock:
        _cache[blob] = loaded
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return loaded


@dataclass(frozen=True)
class JoinPart:
    """One feature set's share of a training set."""

    offline: OfflineFrame
    entity: list[str]
    features: list[str]  # columns of the stored frame
    columns: list[str]  # their names in the result
    ttl_ns: int | None


def point_in_time_join(entity_df: pd.DataFrame, timestamp: str, parts: list[JoinPart]) -> pd.DataFrame:
    """entity_df with each part's features as of each row's time: the latest value with event
    time <= the row's time (and within the TTL), never a later one. Rows keep their order and
    index; a row without a match, an entity key or a time gets missing values."""
    if timestamp not in entity_df.columns:
        raise InvalidInput(f"The entity frame has no {timestamp!r} column: it needs the time "
                           "each row's features are wanted at (pass timestamp='...').")
    n = len(entity_df)
    left_ts, has_time = event_ns(entity_df[timestamp], f"The entity frame's {timestamp!r}")
    order = np.argsort(left_ts, kind="stable")
    result = entity_df.copy(deep=False)
    for part in parts:
        missing = [k for k in part.entity if k not in entity_df.columns]
        if missing:
            raise InvalidInput(f"The entity frame has no column {missing} (the entity key of "
                               f"features {part.columns[:3]}...).")
        valid = has_time.copy()
        for k in part.entity:
            valid &= entity_df[k].notna().to_numpy()
        rows = order[valid[order]] if not valid.all() else order
        right = part.offline.frame[[*part.entity, TS, *part.features]]
        left = pd.DataFrame({k: _align_key(entity_df[k].iloc[rows], right[k].dtype, k)
                             for k in part.entity})
        left[TS] = left_ts[rows]
        try:
            merged = pd.merge_asof(left, right, on=TS, by=part.entity, direction="backward",
                                   allow_exact_matches=True, tolerance=part.ttl_ns)
        except (pd.errors.MergeError, ValueError, TypeError) as exc:
            raise InvalidInput(f"The entity frame's key columns {part.entity} cannot be matched "
                               f"with the feature set's ({exc}); give them the same type.") from None
        # Row i of the result takes merged row inverse[i] (or a missing value when -1).
        inverse = np.full(n, -1, dtype=np.int64)
        inverse[rows] = np.arange(len(rows))
        for source, column in zip(part.features, part.columns):
            values = merged[source].array
            result[column] = pd.Series(values.take(inverse, allow_fill=True), index=entity_df.index)
    return result


def _align_key(values: pd.Series, dtype, name: str):
    """An entity key column in the feature set's key type when that loses nothing (float or
    nullable-integer customer ids against int64 ones, object text against strings)."""
    values = values.reset_index(drop=True)
    if values.dtype == dtype:
        return values.to_numpy()
    if pd.api.types.is_numeric_dtype(values) and pd.api.types.is_integer_dtype(dtype):
        as_float = values.to_numpy(dtype="float64", na_value=np.nan)
        if np.all(np.isfinite(as_float)) and np.all(as_float == np.round(as_float)):
            return as_float.astype(dtype)
    if pd.api.types.is_numeric_dtype(values) and pd.api.types.is_float_dtype(dtype):
        return values.to_numpy(dtype=dtype, na_value=np.nan)
    if pd.api.types.is_string_dtype(dtype) and pd.api.types.is_string_dtype(values):
        return values.astype(dtype).to_numpy()
    return values.to_numpy()
