"""Values made fit for JSON, written once for every part: floats JSON cannot hold
(NaN, ±Infinity) and numpy scalars."""

from __future__ import annotations

import math
from typing import Any


def json_number(value: float) -> float | str:
    """A float as JSON holds it: non-finite ones as "NaN", "Infinity" or "-Infinity"."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def named_number(value: Any) -> Any:
    """The float a "NaN"/"Infinity"/"-Infinity" string names (other values as they are)."""
    return float(value) if isinstance(value, str) else value


def finite_named(value: Any) -> Any:
    """`value` with every non-finite float, at any depth of dicts and lists, spelled by name
    (the REST contract's spelling)."""
    return _replace_non_finite(value, json_number)


def finite_or_none(value: Any) -> Any:
    """`value` with every non-finite float, at any depth of dicts and lists, as None (null)."""
    return _replace_non_finite(value, lambda _: None)


def _replace_non_finite(value: Any, replace) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return replace(value)
    if isinstance(value, dict):
        return {k: _replace_non_finite(v, replace) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_replace_non_finite(v, replace) for v in value]
    return value


def plain(value: Any) -> Any:
    """numpy scalars as the Python numbers they hold; anything else as it is."""
    return value.item() if hasattr(value, "item") else value
