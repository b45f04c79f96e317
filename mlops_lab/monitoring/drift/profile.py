"""The reference side of a drift check, computed once and stored as JSON: quantile bins and
summary figures for numeric columns, category counts for categorical ones."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from .values import Numbers, check_kind, infer_kind, read_categories, read_numbers

PROFILE_FORMAT = 1
QUANTILE_BINS = 1000  # fine enough that binned KS / Wasserstein match the exact ones closely
QUANTILE_SAMPLE = 50_000  # bin edges come from at most this many values; counts use them all
MAX_CATEGORIES = 10_000  # rarer categories beyond this are kept as one "other" count
CATEGORY_BUCKETS = 256  # past MAX_CATEGORIES, the test compares counts per hash bucket
GRID_CELLS = 1 << 17  # cells of the lookup grid that bins numbers without a search per value


@dataclass
class NumericProfile:
    """One numeric column: `cuts` are reference quantiles (duplicates kept, so cut i is always
    quantile i/QUANTILE_BINS); `counts[i]` counts values in (cuts[i-1], cuts[i]], with
    counts[0] the values <= min and the last the values > max (none in the reference)."""

    n_rows: int
    n_missing: int
    n_inf: int
    n_not_numbers: int
    n: int
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    std: float | None = None
    cuts: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    mixed_types: bool = False
    kind: str = "numeric"

    @property
    def single_value(self) -> bool:
        return self.n > 0 and self.min == self.max


@dataclass
class CategoricalProfile:
    """One categorical column: counts per category (as text)."""

    n_rows: int
    n_missing: int
    n: int
    counts: dict[str, int] = field(default_factory=dict)
    other: int = 0  # values of categories beyond MAX_CATEGORIES, not told apart
    mixed_types: bool = False
    kind: str = "categorical"
    # With `other`: counts of all categories per hash bucket (see category_buckets).
    buckets: list[int] | None = None

    @property
    def single_value(self) -> bool:
        return len(self.counts) == 1 and self.other == 0


ColumnProfile = NumericProfile | CategoricalProfile


def bin_numbers(values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Counts of `values` in the bins the reference `cuts` make (len(cuts) + 1 bins): value v
    goes to bin "number of cuts < v", as np.searchsorted(cuts, v, "left") says.

    A binary search per value is slow (branch misses). Instead each value's cell on a fine
    uniform grid between the second and the second-to-last cut (so far tails do not stretch
    it) is computed arithmetically: a cell without a cut gives the bin by table lookup, a cell
    with one distinct cut value (discrete data sits on them) by one comparison; only values in
    cells with several distinct cuts need the binary search."""
    bins = len(cuts) + 1
    inner = cuts[1:-1] if len(cuts) > 3 else cuts
    lo, hi = float(inner[0]), float(inner[-1])
    if len(values) < GRID_CELLS // 8 or not hi > lo or not np.isfinite(hi - lo):
        return np.bincount(np.searchsorted(cuts, values, side="left"), minlength=bins)
    scale = GRID_CELLS / (hi - lo)

    def cell(v: np.ndarray) -> np.ndarray:  # the same monotone arithmetic for cuts and values
        t = np.multiply(v, scale)
        t -= lo * scale - 1.0
        np.clip(t, 0, GRID_CELLS + 1, out=t)
        return t.astype(np.int32)  # truncation is floor here; 0: below the grid, last: above

    every = np.arange(GRID_CELLS + 2)
    cut_cells = cell(cuts)
    first = np.searchsorted(cut_cells, every, side="left")  # cuts in the cells before
    table = np.where(np.bincount(cut_cells, minlength=len(every)) > 0, bins, first).astype(np.int16)
    cells = cell(values)
    found = table[cells]
    counts = np.bincount(found, minlength=bins + 1)[:bins]
    closer = found == bins
    if not closer.any():
        return counts
    near, near_cells = values[closer], cells[closer]
    distinct, below, repeats = np.unique(cuts, return_index=True, return_counts=True)
    distinct_cells = cell(distinct)
    one = np.bincount(distinct_cells, minlength=len(every))[near_cells] == 1
    slots = np.searchsorted(distinct_cells, every, side="left").astype(np.int32)
    slot = slots[near_cells[one]]  # the cell's one distinct cut
    settled = below[slot] + (near[one] > distinct[slot]) * repeats[slot]
    counts += np.bincount(settled, minlength=bins)
    counts += np.bincount(np.searchsorted(cuts, near[~one], side="left"), minlength=bins)
    return counts


def profile_numbers(numbers: Numbers, *, mixed_types: bool = False,
                    bins: int = QUANTILE_BINS) -> NumericProfile:
    values = numbers.values
    profile = NumericProfile(numbers.n_rows, numbers.n_missing, numbers.n_inf,
                             numbers.n_not_numbers, len(values), mixed_types=mixed_types)
    if not len(values):
        return profile
    sample = values
    if len(values) > QUANTILE_SAMPLE:  # edges from a fixed-seed sample; counts stay exact
        sample = values[np.random.default_rng(0).integers(0, len(values), QUANTILE_SAMPLE)]
    cuts = _quantiles(np.sort(sample), bins)
    lo, hi = float(values.min()), float(values.max())
    cuts[0], cuts[-1] = lo, hi  # the sample may have missed the extremes
    cuts = np.maximum.accumulate(np.clip(cuts, lo, hi))
    profile.min, profile.max = lo, hi
    profile.mean, profile.std = _mean_std(values)
    profile.cuts = cuts.tolist()
    profile.counts = bin_numbers(values, cuts).tolist()
    return profile


def _mean_std(values: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation in one pass (no temporary array) unless the mean dwarfs the
    spread, where E[x²] - mean² loses precision and the two-pass formula is used."""
    mean = float(values.mean())
    variance = max(float(np.dot(values, values)) / len(values) - mean * mean, 0.0)
    if mean * mean > 1e6 * variance:
        centred = values - mean
        variance = float(np.dot(centred, centred)) / len(values)
    return mean, float(np.sqrt(variance))


def _quantiles(ordered: np.ndarray, bins: int) -> np.ndarray:
    """Quantiles i/bins (i = 0..bins) of sorted values, interpolated linearly as np.quantile
    does (which would partition the array once per quantile)."""
    position = np.linspace(0.0, len(ordered) - 1, bins + 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def profile_categories(series: pd.Series, *, mixed_types: bool = False) -> CategoricalProfile:
    read = read_categories(series)
    counts = read.counts
    other = 0
    buckets = None
    if len(counts) > MAX_CATEGORIES:
        buckets = category_buckets(counts).tolist()
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        counts = dict(ranked[:MAX_CATEGORIES])
        other = sum(v for _, v in ranked[MAX_CATEGORIES:])
    return CategoricalProfile(read.n_rows, read.n_missing, read.n_rows - read.n_missing,
                              counts, other, mixed_types, buckets=buckets)


def category_buckets(counts: dict[str, int]) -> np.ndarray:
    """Counts per bucket of a stable hash of each category's text. The most frequent categories
    of a sample are chosen by its noise (the same categories are rarer in the next sample), so a
    test over them alone finds drift in any two samples of many categories; buckets split the
    categories by a rule that does not look at the sample."""
    keys = np.array(list(counts), dtype=object)
    values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    bucket = (pd.util.hash_array(keys, categorize=False) % CATEGORY_BUCKETS).astype(np.int64)
    return np.bincount(bucket, weights=values, minlength=CATEGORY_BUCKETS).astype(np.int64)


def profile_column(series: pd.Series,
                   kind: str | None = None) -> tuple[ColumnProfile, Numbers | None]:
    """The profile of one column, and its numbers when numeric (for exact small-sample tests)."""
    inferred, mixed = infer_kind(series)
    kind = inferred if kind is None else kind
    if kind == "numeric":
        numbers = read_numbers(series)
        return profile_numbers(numbers, mixed_types=mixed or numbers.n_not_numbers > 0), numbers
    return profile_categories(series, mixed_types=mixed), None


class ReferenceProfile:
    """What a drift check needs to know of the reference data, per column; JSON-serialisable,
    so it is computed once (at training time) and the reference data is not read again."""

    def __init__(self, columns: dict[str, ColumnProfile]):
        self.columns = dict(columns)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, columns: Iterable[str] | None = None,
                   kinds: dict[str, str] | None = None) -> "ReferenceProfile":
        return cls({name: profile for name, (profile, _) in
                    profile_frame(df, columns, kinds).items()})

    @property
    def kinds(self) -> dict[str, str]:
        return {name: p.kind for name, p in self.columns.items()}

    def to_json(self) -> dict:
        return {"format": PROFILE_FORMAT,
                "columns": [{"name": name, **_finite(asdict(p))}
                            for name, p in self.columns.items()]}

    @classmethod
    def from_json(cls, data: dict) -> "ReferenceProfile":
        if not isinstance(data, dict) or data.get("format") != PROFILE_FORMAT:
            raise ValueError(f"not a reference profile of format {PROFILE_FORMAT}: expected a dict "
                             "made by ReferenceProfile.to_json()")
        columns: dict[str, ColumnProfile] = {}
        for entry in data["columns"]:
            entry = dict(entry)
            name = entry.pop("name")
            kind = check_kind(name, entry.get("kind"))
            shape = NumericProfile if kind == "numeric" else CategoricalProfile
            columns[name] = shape(**entry)
        return cls(columns)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReferenceProfile) and self.to_json() == other.to_json()

    def __repr__(self) -> str:
        return f"ReferenceProfile({len(self.columns)} columns: {self.kinds})"


def profile_frame(df: pd.DataFrame, columns: Iterable[str] | None = None,
                  kinds: dict[str, str] | None = None
                  ) -> dict[str, tuple[ColumnProfile, Numbers | None]]:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"the reference must be a pandas DataFrame or a ReferenceProfile, "
                        f"got {type(df).__name__}")
    names = list(df.columns if columns is None else columns)
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the reference frame "
                       f"(it has {list(df.columns)[:20]})")
    kinds = kinds or {}
    return {str(n): profile_column(df[n], check_kind(n, kinds[n]) if n in kinds else None)
            for n in names}


def _finite(values: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in values.items()}
