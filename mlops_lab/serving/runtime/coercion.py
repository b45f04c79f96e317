"""One column of a request as a numpy array of its signature's dtype, or the error that names
the column, the row and what was expected instead."""

from __future__ import annotations

import math
from typing import Any

from .columns import _KINDS, InputColumn
from .errors import RequestError


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


def _refuse(column: InputColumn, row: int, value: Any, what: str | None = None):
    expected = what or f"{_KINDS[column.kind]} ({column.dtype})"
    return RequestError(f"Column {column.name!r}, row {row}: expected {expected}, got "
                        f"{describe(value)}.")


def _missing(column: InputColumn, row: int, value: Any, allow_missing: bool):
    """A missing value where it is allowed, else the error that says why it is not."""
    if allow_missing and column.kind not in ("integer", "boolean"):
        return None
    why = ("integer and bool columns cannot hold missing values" if allow_missing else
           "this model does not accept missing values")
    return RequestError(f"Column {column.name!r}, row {row}: missing value ({describe(value)}"
                        f"); {why}.")


def coerce(column: InputColumn, values: list, allow_missing: bool = False):
    """The column's values as a numpy array of its dtype, or a RequestError naming the row."""
    import numpy as np

    kind = column.kind
    out: list = []
    append = out.append
    if kind == "float":
        for i, v in enumerate(values):
            t = type(v)
            if t is float:
                if v != v:
                    if (err := _missing(column, i, v, allow_missing)) is not None:
                        raise err
                elif v == math.inf or v == -math.inf:
                    raise _refuse(column, i, v, f"a finite number ({column.dtype})")
                append(v)
            elif t is int:
                try:
                    append(float(v))
                except OverflowError:
                    raise _refuse(column, i, v, f"a finite number ({column.dtype})") from None
            elif v is None:
                if (err := _missing(column, i, v, allow_missing)) is not None:
                    raise err
                append(math.nan)
            else:
                raise _refuse(column, i, v)
        dtype = column.dtype.lower() if column.dtype.lower() in ("float32", "float16") else "float64"
        return np.array(out, dtype=dtype)
    if kind == "integer":
        for i, v in enumerate(values):
            t = type(v)
            if t is int:
                append(v)
            elif t is float and v.is_integer():
                append(int(v))
            elif v is None or (t is float and v != v):
                raise _missing(column, i, v, allow_missing)
            else:
                raise _refuse(column, i, v)
        dtype = column.dtype.lower() if column.dtype.lower() != "int" else "int64"
        try:
            return np.array(out, dtype=dtype)
        except OverflowError:
            raise RequestError(f"Column {column.name!r}: a value is out of range for "
                               f"{column.dtype}.") from None
    if kind == "boolean":
        for i, v in enumerate(values):
            if type(v) is bool:
                append(v)
            elif v is None or (type(v) is float and v != v):
                raise _missing(column, i, v, allow_missing)
            else:
                raise _refuse(column, i, v)
        return np.array(out, dtype=bool)
    if kind == "datetime":
        import pandas as pd

        for i, v in enumerate(values):
            if type(v) is str:
                try:
                    append(pd.Timestamp(v))
                except ValueError:
                    raise _refuse(column, i, v) from None
            elif v is None or (type(v) is float and v != v):
                if (err := _missing(column, i, v, allow_missing)) is not None:
                    raise err
                append(pd.NaT)
            else:
                raise _refuse(column, i, v)
        return pd.DatetimeIndex(out).tz_localize(None) if out else np.array(out)
    for i, v in enumerate(values):  # string, category, object
        t = type(v)
        if t is str:
            append(v)
        elif v is None or (t is float and v != v):
            if (err := _missing(column, i, v, allow_missing)) is not None:
                raise err
            append(None)
        elif kind == "object" and t in (int, float, bool):
            if t is float and (v == math.inf or v == -math.inf):
                raise _refuse(column, i, v, "a finite number or text")
            append(v)
        else:
            raise _refuse(column, i, v)
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    return arr
