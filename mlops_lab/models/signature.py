"""A version's signature: input columns and dtypes from the input example, and the output the
model gives on a few of its rows."""

from __future__ import annotations

import sys

from ..errors import InvalidInput

EXAMPLE_ROWS = 5


def dtype_word(dtype) -> str:
    """One word per dtype: float64, int64, bool, string, datetime64[ns], category, …"""
    kind = getattr(dtype, "kind", None)
    name = str(dtype)
    if name in ("category",) or name.startswith("datetime64"):
        return name
    if kind in ("O", "U", "S") or name in ("string", "str") or name.startswith("string"):
        return "string"
    if kind == "b" or name == "boolean":
        return "bool"
    return name.lower()  # float64, int64, Int64 → int64, …


def infer(model, input_example) -> dict:
    """{"inputs": [{"name", "dtype"}], "outputs": [{"name", "dtype"}], "example": [{column:
    value}]} (empty lists without an example). `example` is the input example's first row,
    what "Try it" starts from."""
    if input_example is None:
        return {"inputs": [], "outputs": []}
    rows, inputs = _inputs(input_example)
    return {"inputs": inputs, "outputs": _outputs(model, rows), "example": _first_row(rows, inputs)}


def _inputs(example):
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(example, pd.DataFrame):
        if example.empty or not len(example.columns):
            raise InvalidInput("The input example is an empty DataFrame: give a few rows.")
        return example.head(EXAMPLE_ROWS), [
            {"name": str(c), "dtype": dtype_word(t)} for c, t in example.dtypes.items()]
    if pd is not None and isinstance(example, pd.Series):
        return _inputs(example.to_frame())
    import numpy as np

    array = np.asarray(example)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2 or array.shape[0] == 0:
        raise InvalidInput("The input example must be a DataFrame or a 2-d array with rows "
                           f"(got shape {array.shape}).")
    word = dtype_word(array.dtype)
    return array[:EXAMPLE_ROWS], [{"name": f"f{i}", "dtype": word} for i in range(array.shape[1])]


def _first_row(rows, inputs: list[dict]) -> list[dict]:
    """The first row as a JSON record by input name (NaN as null, times in ISO 8601), as a
    prediction request takes it."""
    import json

    pd = sys.modules.get("pandas")  # an array example does not need pandas imported
    if pd is not None and isinstance(rows, pd.DataFrame):
        frame = rows.head(1).set_axis([c["name"] for c in inputs], axis=1)
        return json.loads(frame.to_json(orient="records", date_format="iso"))
    values = [v.item() if hasattr(v, "item") else v for v in rows[0]]
    return [{c["name"]: None if isinstance(v, float) and v != v else v
             for c, v in zip(inputs, values)}]


def _outputs(model, rows) -> list[dict]:
    predict = getattr(model, "predict", None)
    if predict is None:
        return []
    try:
        import numpy as np

        out = np.asarray(predict(rows))
    except Exception as exc:
        raise InvalidInput(f"The model could not predict on the input example "
                           f"({type(exc).__name__}: {exc}); pass rows shaped like its "
                           "training data.") from None
    if out.ndim <= 1:
        return [{"name": "prediction", "dtype": dtype_word(out.dtype)}]
    return [{"name": f"prediction_{i}", "dtype": dtype_word(out.dtype)}
            for i in range(out.shape[1])]


class SignatureChangeWarning(UserWarning):
    """A new version takes other input columns than the version before it."""


SHOWN_COLUMNS = 8


def difference(before: list[dict], after: list[dict]) -> dict | None:
    """{"added", "removed", "retyped": [{"name", "from", "to"}]} between two signatures'
    inputs, by column name; None when they agree or either is unknown (no input example)."""
    if not before or not after:
        return None
    old = {c["name"]: c["dtype"] for c in before}
    new = {c["name"]: c["dtype"] for c in after}
    change = {
        "added": [n for n in new if n not in old],
        "removed": [n for n in old if n not in new],
        "retyped": [{"name": n, "from": old[n], "to": new[n]}
                    for n in new if n in old and old[n] != new[n]],
    }
    return change if any(change.values()) else None


def describe(change: dict, version: int) -> str:
    """One sentence naming the columns added, removed and retyped since `version`."""
    parts = []
    for key in ("added", "removed"):
        if change[key]:
            parts.append(f"{key} {_some(change[key])}")
    if change["retyped"]:
        parts.append("retyped " + _some([f"{c['name']} ({c['from']} → {c['to']})"
                                         for c in change["retyped"]]))
    return f"The input columns differ from version {version}'s: {'; '.join(parts)}."


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_COLUMNS])
    more = len(names) - SHOWN_COLUMNS
    return f"{shown} and {more} more" if more > 0 else shown
