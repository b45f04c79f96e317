"""What a prediction request may contain, checked against the model version's signature.

The one place these rules live: the model server, batch scoring and the Jupyter "Try it" route
all call it. A request body is a JSON object with exactly one of

    {"records": [{"column": value, ...}, ...]}        one object per row
    {"columns": {"column": [value, ...], ...}}        one list per column

and optionally `"probabilities": true` (a classifier's class probabilities besides its
predictions; the server may make it the default).

Rules, per column of the signature (dtype words as the registry records them):
- float columns take numbers (whole numbers become floats); integer columns take whole numbers
  (3.0 is 3, 2.5 is refused); bool columns take true/false; string and category columns take
  text; datetime columns take ISO 8601 text; object columns take any scalar.
- A missing value (an explicit null, or NaN) is accepted only when the model says it handles
  missing values (scikit-learn's `allow_nan` tag), and never in integer or bool columns.
  Infinity is always refused.
- Every signature column must be given, in every record: a record without a column is refused
  (a column left out is a mistake far more often than a deliberate missing value; send null
  for that). A column the signature does not name is refused (batch scoring ignores extra
  columns of a file and says which).
- At most `max_rows` rows; the body size is checked by the caller before it is read.
Every refusal names the column and, where it applies, the row (counting from 0).
"""

from __future__ import annotations

import json
import math
from typing import Any

from .coercion import coerce, describe as _describe
from .columns import InputColumn, input_columns, kind_of  # noqa: F401 - this module's API
from .errors import RequestError

MAX_ROWS = 10_000
MAX_BODY_BYTES = 8 << 20
SHAPES = {"records", "columns"}
OPTIONS = {"probabilities"}

def parse_json(body: bytes) -> Any:
    """The body as JSON. NaN is read as a missing value (then judged per column); a body
    nested too deeply for the parser is refused like any other malformed body."""
    try:
        return json.loads(body)
    except RecursionError:
        raise RequestError("The request body is nested too deeply to be read.", 400,
                           "InvalidJSON") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestError(f"The request body is not valid JSON ({exc}).", 400,
                           "InvalidJSON") from None


def request_doc(body: bytes, max_body_bytes: int = MAX_BODY_BYTES) -> Any:
    """The parsed JSON of a request body within the size limit (nothing loaded yet)."""
    if len(body) > max_body_bytes:
        raise too_large(max_body_bytes)
    return parse_json(body)


def frame_from_body(body: bytes, columns: list[InputColumn] | None, *,
                    allow_missing: bool = False, max_rows: int = MAX_ROWS,
                    max_body_bytes: int = MAX_BODY_BYTES):
    return frame_from_request(request_doc(body, max_body_bytes), columns,
                              allow_missing=allow_missing, max_rows=max_rows)


def too_large(limit: int) -> RequestError:
    return RequestError(f"The request body is over the limit of {limit} bytes; send fewer "
                        "rows per request (or use `mlops-lab predict` for files).", 413,
                        "BodyTooLarge")


def frame_from_request(doc: Any, columns: list[InputColumn] | None, *,
                       allow_missing: bool = False, max_rows: int = MAX_ROWS):
    """A pandas DataFrame with the signature's columns, in its order and dtypes."""
    return _frame(arrays_from_request(doc, columns, allow_missing=allow_missing,
                                      max_rows=max_rows))


def arrays_from_request(doc: Any, columns: list[InputColumn] | None, *,
                        allow_missing: bool = False, max_rows: int = MAX_ROWS) -> dict:
    """{column: values} in the signature's order, each a numpy array of its dtype (a list of
    scalars for a model without signature): what `frame_from_request` builds its frame of."""
    values = _columns_of(doc, columns, max_rows)
    if columns is None:
        return {name: _scalars(name, vals) for name, vals in values.items()}
    return {c.name: coerce(c, values[c.name], allow_missing) for c in columns}


def wants_probabilities(doc: Any, default: bool = False) -> bool:
    """The request's `"probabilities"` choice (true/false), else the server's default."""
    value = doc.get("probabilities", default) if isinstance(doc, dict) else default
    if type(value) is not bool:
        raise RequestError('"probabilities" must be true or false.')
    return value


def _columns_of(doc: Any, columns: list[InputColumn] | None, max_rows: int) -> dict[str, list]:
    """{column: [values]} from either request shape, with the shape's own checks."""
    if not isinstance(doc, dict):
        raise RequestError('The request body must be a JSON object: {"records": [...]} or '
                           '{"columns": {...}}.')
    keys = set(doc) & SHAPES
    extra = sorted(set(doc) - SHAPES - OPTIONS)
    if len(keys) != 1 or extra:
        hint = f" (not {', '.join(map(repr, extra))})" if extra else ""
        raise RequestError('The request body must have exactly one key, "records" or '
                           f'"columns"{hint}, and may have "probabilities".')
    names = None if columns is None else [c.name for c in columns]
    if "records" in doc:
        records = doc["records"]
        if not isinstance(records, list) or not records:
            raise RequestError('"records" must be a non-empty list of objects, one per row.')
        _check_rows(len(records), max_rows)
        for i, record in enumerate(records):
            if not isinstance(record, dict):
                raise RequestError(f'"records" row {i} is not an object of column: value.')
        if names is None:  # every column any record names, in the order first seen
            names = list(dict.fromkeys(k for r in records for k in r))
            if not names:
                raise RequestError('"records" name no column: give each row as '
                                   '{"column": value, ...}.')
        _check_names({k for r in records for k in r}, names, columns is not None)
        # every key of a record is one of `names` now, so a shorter record lacks a column
        for i, record in enumerate(records):
            if len(record) != len(names):
                absent = [n for n in names if n not in record]
                raise RequestError(f"Row {i} has no column(s) {_quoted(absent)}; every row "
                                   f"must give each of {_quoted(names)} (null for a missing "
                                   "value, where the model accepts one).")
        return {n: [r[n] for r in records] for n in names}
    given = doc["columns"]
    if not isinstance(given, dict) or not given:
        raise RequestError('"columns" must be a non-empty object of column: [values].')
    for name, vals in given.items():
        if not isinstance(vals, list):
            raise RequestError(f'"columns" {name!r} must be a list of values, one per row.')
    lengths = {len(v) for v in given.values()}
    if len(lengths) != 1:
        raise RequestError('Every list in "columns" must have the same length (one value per '
                           f"row); got lengths {sorted(lengths)}.")
    rows = lengths.pop()
    if rows == 0:
        raise RequestError('"columns" has no rows.')
    _check_rows(rows, max_rows)
    if names is None:
        names = list(given)
    _check_names(set(given), names, columns is not None)
    missing = [n for n in names if n not in given]
    if missing:
        raise RequestError(f"Missing column(s) {_quoted(missing)}; the model takes "
                           f"{_quoted(names)}.")
    return {n: given[n] for n in names}


def _check_rows(rows: int, max_rows: int) -> None:
    if rows > max_rows:
        raise RequestError(f"{rows} rows is more than the {max_rows} rows one request may "
                           "hold; split it (or use `mlops-lab predict` for files).")


def _check_names(given: set, names: list[str], strict: bool) -> None:
    unknown = sorted(given - set(names))
    if strict and unknown:
        raise RequestError(f"Unknown column(s) {_quoted(unknown)}: the model takes "
                           f"{_quoted(names)}.")


def _quoted(names) -> str:
    shown = [repr(n if len(str(n)) <= 80 else str(n)[:77] + "...") for n in list(names)[:20]]
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""
    return ", ".join(shown) + more


def _scalars(name: str, values: list) -> list:
    """A column of a model without signature: scalars only, passed through."""
    for i, v in enumerate(values):
        if isinstance(v, (list, dict)):
            raise RequestError(f"Column {name!r}, row {i}: expected a scalar, got "
                               f"{_describe(v)}.")
        if isinstance(v, float) and (v == math.inf or v == -math.inf):
            raise RequestError(f"Column {name!r}, row {i}: expected a finite number, got {v}.")
    return values


def _frame(data: dict):
    import pandas as pd

    return pd.DataFrame(data, copy=False)


def check_frame(frame, columns: list[InputColumn] | None, *, allow_missing: bool = False,
                first_row: int = 0):
    """A DataFrame read from a file (batch scoring), held to the same rules as a request.
    Returns (frame with the signature's columns in order, columns ignored)."""
    import numpy as np

    if columns is None:
        return frame, []
    names = [c.name for c in columns]
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise RequestError(f"Missing column(s) {_quoted(missing)}; the model takes "
                           f"{_quoted(names)}.")
    ignored = [str(c) for c in frame.columns if c not in set(names)]
    data = {}
    for column in columns:
        series = frame[column.name]
        dtype = series.dtype
        kind = getattr(dtype, "kind", "O")
        fast = None
        if column.kind == "float" and kind in "iuf":
            arr = series.to_numpy(dtype="float64", na_value=np.nan)
            if not np.isinf(arr).any() and (allow_missing or not np.isnan(arr).any()):
                fast = arr.astype(column.dtype.lower()) if column.dtype.lower() in (
                    "float32", "float16") else arr
        elif column.kind == "integer" and kind in "iu":
            fast = series.to_numpy().astype(column.dtype.lower() if column.dtype != "int"
                                            else "int64")
        elif column.kind == "boolean" and kind == "b":
            fast = series.to_numpy()
        if fast is None:  # the per-value rules, which name the row that breaks them
            values = series.tolist()
            try:
                fast = coerce(column, values, allow_missing)
            except RequestError as exc:
                raise _shift_rows(exc, first_row) from None
        data[column.name] = fast
    out = _frame(data)
    out.index = frame.index
    return out, ignored


def _shift_rows(exc: RequestError, first_row: int) -> RequestError:
    """The same error with the row counted from the start of the file, not of the chunk."""
    if not first_row:
        return exc
    import re

    text = re.sub(r", row (\d+):", lambda m: f", row {int(m.group(1)) + first_row}:", str(exc),
                  count=1)
    return RequestError(text, exc.status, exc.error)


def example_request(columns: list[InputColumn] | None, example: list[dict] | None = None) -> dict:
    """A one-row request that fits the signature (the "Try it" form starts from it): the
    version's input example when it was kept, else a placeholder value per column."""
    samples = {"float": 0.0, "integer": 0, "boolean": False, "string": "",
               "datetime": "2024-01-01T00:00:00", "object": ""}
    if not columns:
        return {"records": [{}]}
    if example:
        return {"records": example}
    return {"records": [{c.name: samples[c.kind] for c in columns}]}
