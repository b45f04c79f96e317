"""Reading one column of a frame as numbers or as category counts, counting what is missing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

KINDS = ("numeric", "categorical")
_NUMBER_LIKE = {"integer", "floating", "mixed-integer-float", "decimal"}
_TEXT_LIKE = {"string", "categorical", "boolean", "empty", "bytes"}


def infer_kind(series: pd.Series) -> tuple[str, bool]:
    """("numeric" | "categorical", whether the values are of mixed types)."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return "categorical", False
    if pd.api.types.is_numeric_dtype(series.dtype) or _is_time(series):
        return "numeric", False
    if isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(series.dtype) \
            and not pd.api.types.is_object_dtype(series.dtype):
        return "categorical", False
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred in _NUMBER_LIKE:
        return "numeric", False
    if inferred in _TEXT_LIKE:
        return "categorical", False
    return "categorical", True  # mixed types: compared as text


def _is_time(series: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(series.dtype) or \
        pd.api.types.is_timedelta64_dtype(series.dtype)


def check_kind(name: str, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind of column {name!r} must be 'numeric' or 'categorical', "
                         f"got {kind!r}")
    return kind


@dataclass
class Numbers:
    """A column's finite values, and what was left out of them."""

    values: np.ndarray  # float64, finite only
    n_rows: int
    n_missing: int  # NaN / None
    n_positive_inf: int
    n_negative_inf: int
    n_not_numbers: int  # values that are not numbers at all (text in a numeric column)

    @property
    def n_inf(self) -> int:
        return self.n_positive_inf + self.n_negative_inf


def read_numbers(series: pd.Series) -> Numbers:
    """The column as float64: missing values and ±inf are dropped and counted; text that is not
    a number counts as missing and is reported apart."""
    n_not_numbers = 0
    if _is_time(series):  # instants and durations as nanoseconds
        nanoseconds = pd.Series(series.dt.as_unit("ns").array.asi8, dtype="float64")
        series = nanoseconds.where(~series.isna().to_numpy())
    elif (pd.api.types.is_bool_dtype(series.dtype)
          or not pd.api.types.is_numeric_dtype(series.dtype)):
        converted = pd.to_numeric(series, errors="coerce")
        n_not_numbers = int(converted.isna().sum() - series.isna().sum())
        series = converted
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(values)
    if finite.all():
        return Numbers(values, len(values), 0, 0, 0, 0)
    n_nan = int(np.isnan(values).sum())
    n_pos = int(np.count_nonzero(values == np.inf))
    n_neg = int(np.count_nonzero(values == -np.inf))
    return Numbers(values[finite], len(values), n_nan, n_pos, n_neg, n_not_numbers)


@dataclass
class Categories:
    """A column's category counts (categories as text), and what was left out of them."""

    counts: dict[str, int]
    n_rows: int
    n_missing: int


def read_categories(series: pd.Series) -> Categories:
    """Counts per category, each category spelled as text (so 1 and "1" are one category)."""
    try:
        counts = series.value_counts(dropna=True, sort=False)
    except TypeError:  # unhashable values (lists, dicts): counted by their text
        counts = series.map(str, na_action="ignore").value_counts(dropna=True, sort=False)
    counts = counts[counts > 0]
    as_text = pd.Series(counts.to_numpy(), index=counts.index.map(str)).groupby(level=0).sum()
    n_missing = int(len(series) - as_text.sum())
    # tolist() turns the whole index and counts into Python objects at once (iterating an
    # Arrow-backed index goes value by value).
    names, numbers = as_text.index.astype(str).tolist(), as_text.to_numpy().tolist()
    return Categories(dict(zip(names, map(int, numbers))), len(series), n_missing)
