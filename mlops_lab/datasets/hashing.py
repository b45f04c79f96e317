"""The content hash of a table: equal data gives an equal hash, whatever its memory layout.

Each column's values are hashed with blake3 (multithreaded) over one canonical byte layout:

- numpy dtypes (numbers, bools, datetimes): the values as one contiguous array of that dtype
  (C or Fortran order, slices and consolidated blocks all become the same bytes);
- strings and other extension types: their Arrow form, with offsets rebased to zero, the data
  bytes actually used and the validity as one byte per row (so an Arrow slice of a larger buffer
  hashes like a fresh array);
- anything else (Python objects of mixed types): pandas' stable per-row hash (fixed key).

The table's hash covers the column names, their dtypes, each column's hash, the row count and
the index when it is not the default RangeIndex(0..n).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from blake3 import blake3

_VERSION = b"mlops-lab table hash v1\n"


def _hasher():
    return blake3(max_threads=blake3.AUTO)


def _update_array(h, values: np.ndarray) -> None:
    values = np.ascontiguousarray(values)
    if values.dtype.hasobject:
        raise TypeError("object array")
    if values.dtype.kind in "mM":  # datetime64/timedelta64 have no buffer format: same bytes
        values = values.view(np.int64)
    h.update(memoryview(values.reshape(-1)).cast("B"))


def _arrow_array(values):
    import pyarrow as pa

    array = pa.array(values, from_pandas=True) if not isinstance(values, (pa.Array, pa.ChunkedArray)) else values
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    return array


def _fixed_width(typ) -> bool:
    try:
        return typ.bit_width % 8 == 0 and typ.bit_width > 0
    except ValueError:  # variable-width types have no bit width
        return False


def _update_arrow(h, array) -> None:
    """Canonical bytes of an Arrow array: what a fresh, unsliced copy of it would hold."""
    import pyarrow.types as pt

    n, offset = len(array), array.offset
    h.update(f"{array.type}|{n}|{array.null_count}\n".encode())
    if array.null_count:
        _update_array(h, array.is_valid().to_numpy(zero_copy_only=False))
    typ = array.type
    if pt.is_dictionary(typ):
        _update_arrow(h, array.indices)
        _update_arrow(h, array.dictionary)
    elif pt.is_boolean(typ):
        _update_array(h, array.fill_null(False).to_numpy(zero_copy_only=False))
    elif pt.is_string(typ) or pt.is_binary(typ) or pt.is_large_string(typ) or pt.is_large_binary(typ):
        width = np.int64 if (pt.is_large_string(typ) or pt.is_large_binary(typ)) else np.int32
        buffers = array.buffers()
        offsets = np.frombuffer(buffers[1], dtype=width)[offset:offset + n + 1]
        start, end = (int(offsets[0]), int(offsets[-1])) if n else (0, 0)
        _update_array(h, (offsets - offsets[0]).astype(np.int64, copy=False) if n else offsets)
        if buffers[2] is not None and end > start:
            h.update(memoryview(buffers[2])[start:end])
    elif _fixed_width(typ) and typ.num_buffers == 2:
        width = typ.bit_width // 8
        data = array.buffers()[1]
        if data is not None and n:
            h.update(memoryview(data)[offset * width:(offset + n) * width])
    else:  # nested and other types: their Python values, in a stable text form
        h.update(json.dumps(array.to_pylist(), default=str, sort_keys=True).encode())


def _update_values(h, values) -> None:
    """The canonical bytes of one column's (or index level's) values."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and not dtype.hasobject:
        h.update(b"numpy\n")
        _update_array(h, np.asarray(values))
        return
    try:
        array = _arrow_array(values)
    except Exception:  # noqa: BLE001 - mixed Python objects Arrow cannot type
        array = None
    if array is not None:
        h.update(b"arrow\n")
        _update_arrow(h, array)
        return
    h.update(b"pandas\n")
    _update_array(h, pd.util.hash_pandas_object(pd.Series(values), index=False).to_numpy())


def column_hash(values) -> str:
    h = _hasher()
    _update_values(h, values)
    return h.hexdigest()


def _is_default_index(index: pd.Index, n: int) -> bool:
    return (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
            and index.stop == n and index.name is None)


def table_hash(df: pd.DataFrame) -> tuple[str, list[dict]]:
    """(hash of the whole table, [{"name", "dtype", "hash"} per column])."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError("table_hash takes a pandas DataFrame")
    columns = []
    for position in range(df.shape[1]):
        series = df.iloc[:, position]
        label = df.columns[position]
        columns.append({"name": label if isinstance(label, str) else repr(label),
                        "dtype": str(series.dtype),
                        "hash": column_hash(series.array if not isinstance(series.dtype, np.dtype)
                                            else series.to_numpy())})
    h = _hasher()
    h.update(_VERSION)
    h.update(json.dumps({"rows": len(df), "columns": columns}).encode())
    if not _is_default_index(df.index, len(df)):
        h.update(b"index\n")
        for level in range(df.index.nlevels):
            values = df.index.get_level_values(level)
            h.update(json.dumps([str(values.name), str(values.dtype)]).encode())
            _update_values(h, values.array if not isinstance(values.dtype, np.dtype)
                           else values.to_numpy())
    return h.hexdigest(), columns
