"""detect_drift: each column compared by the test its kind calls for, p-values adjusted across
the columns (Benjamini-Hochberg), a column drifted only when the difference is both real and
big enough to matter. Degenerate columns get a status, never an exception or a false alarm."""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from .categorical import compare_categories, noise_floor
from .numeric import compare_numbers
from .profile import ColumnProfile, NumericProfile, ReferenceProfile, profile_frame
from .report import DriftReport, FeatureDrift
from .thresholds import DriftThresholds
from .values import Categories, Numbers, read_categories, read_numbers


def detect_drift(reference: pd.DataFrame | ReferenceProfile, current: pd.DataFrame, *,
                 columns: Iterable[str] | None = None,
                 thresholds: DriftThresholds | None = None,
                 per_feature: dict[str, DriftThresholds] | None = None,
                 kinds: dict[str, str] | None = None) -> DriftReport:
    """Compare `current` with `reference` (a frame, or a stored ReferenceProfile of one) column
    by column. `kinds` forces "numeric" or "categorical" per column (e.g. a model's integer
    class labels); `per_feature` replaces `thresholds` for the columns it names (the dataset's
    verdict always uses `thresholds.dataset_share`). Columns of `current` that the reference
    does not have are not compared."""
    thresholds = thresholds or DriftThresholds()
    per_feature = dict(per_feature or {})
    if not isinstance(current, pd.DataFrame):
        raise TypeError(f"current must be a pandas DataFrame, got {type(current).__name__}")
    columns = None if columns is None else list(columns)
    raw: dict[str, np.ndarray] = {}
    if isinstance(reference, pd.DataFrame):
        _unique_names(reference, "reference")
    if isinstance(reference, ReferenceProfile):
        profiles = _chosen(reference, None if columns is None else [str(c) for c in columns], kinds)
    else:
        built = profile_frame(reference, columns, kinds)
        profiles = {name: profile for name, (profile, _) in built.items()}
        raw = {name: numbers.values for name, (_, numbers) in built.items() if numbers is not None}
    unknown = set(per_feature) - set(profiles)
    if unknown:
        raise ValueError(f"per_feature names columns that are not compared: {sorted(unknown)}")

    _unique_names(current, "current")
    by_name = {str(c): c for c in current.columns}
    features = []
    for name, profile in profiles.items():
        limits = per_feature.get(name, thresholds)
        series = current[by_name[name]] if name in by_name and len(current) else None
        feature = compare_column(name, profile, series, len(current), raw.get(name), limits)
        features.append(feature)
    _decide(features, [per_feature.get(f.name, thresholds) for f in features])
    return DriftReport(features, thresholds)


def _unique_names(frame: pd.DataFrame, side: str) -> None:
    names = pd.Index([str(c) for c in frame.columns])
    if names.has_duplicates:
        raise ValueError(f"the {side} frame has several columns named "
                         f"{sorted(set(names[names.duplicated()]))}; give each column one name")


def _chosen(profile: ReferenceProfile, columns: list[str] | None,
            kinds: dict[str, str] | None) -> dict[str, ColumnProfile]:
    names = list(profile.columns) if columns is None else columns
    missing = [n for n in names if n not in profile.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the reference profile "
                       f"(it has {list(profile.columns)[:20]})")
    for name, kind in (kinds or {}).items():
        if name in profile.columns and profile.columns[name].kind != kind:
            raise ValueError(f"the reference profile holds column {name!r} as "
                             f"{profile.columns[name].kind}, not {kind}; build the profile "
                             f"with kinds={{{name!r}: {kind!r}}}")
    return {n: profile.columns[n] for n in names}


def compare_column(name: str, ref: ColumnProfile, series: pd.Series | None, n_current_rows: int,
                   ref_values: np.ndarray | None, limits: DriftThresholds) -> FeatureDrift:
    feature = FeatureDrift(name, ref.kind, "ok", "ok", n_reference=ref.n,
                           threshold=limits.floor_for(ref.kind),
                           missing_share_ref=_share(ref.n_rows - ref.n, ref.n_rows))
    if n_current_rows == 0:
        return _status(feature, "not enough data", "the current data has no rows")
    if series is None:
        return _status(feature, "column missing", f"column {name!r} is not in the current data")
    cur = read_numbers(series) if ref.kind == "numeric" else read_categories(series)
    n_cur = len(cur.values) if isinstance(cur, Numbers) else cur.n_rows - cur.n_missing
    feature.n_current = n_cur
    feature.missing_share_cur = _share(cur.n_rows - n_cur, cur.n_rows)
    if ref.n == 0:
        return _status(feature, "all null", "every value of the reference is missing")
    if n_cur == 0:
        reasons = ((getattr(cur, "n_not_numbers", 0), "are not numbers"),
                   (getattr(cur, "n_inf", 0), "are infinite"))
        why = [f"{count} {what}" for count, what in reasons if count]
        text = f" ({', '.join(why)})" if why else ""
        return _status(feature, "all null", f"no usable value in the current data{text}")
    if min(ref.n, n_cur) < limits.min_rows:
        return _status(feature, "not enough data",
                       f"{min(ref.n, n_cur)} values on one side; at least {limits.min_rows} needed")
    if ref.single_value:
        return _single_value(feature, ref, cur, limits)
    if isinstance(ref, NumericProfile):
        _fill(feature, compare_numbers(ref, cur, ref_values))
    else:
        _fill(feature, compare_categories(ref, cur.counts))
    _mixed(feature, ref, cur)
    return feature


def _single_value(feature: FeatureDrift, ref: ColumnProfile, cur: Numbers | Categories,
                  limits: DriftThresholds) -> FeatureDrift:
    """A constant reference has no spread to compare with: the question is whether the current
    data holds other values, in a share that matters (Fisher's exact test for "real")."""
    if isinstance(ref, NumericProfile):
        value = ref.min
        total = len(cur.values) + cur.n_inf
        different = int(np.count_nonzero(cur.values != value)) + cur.n_inf
        feature.out_of_range_share = different / total
    else:
        (value,) = ref.counts
        total = sum(cur.counts.values())
        different = total - cur.counts.get(value, 0)
        new = sorted((k for k in cur.counts if k != value), key=lambda k: -cur.counts[k])
        feature.new_categories, feature.new_categories_share = new[:20], different / total
    share = different / total
    p_value = stats.fisher_exact([[ref.n, 0], [total - different, different]]).pvalue
    _fill(feature, dict(
        status="single value", method="fisher exact", statistic=share, p_value=float(p_value),
        effect_size=share, effect_method="share of values not in the reference",
        threshold=limits.new_values_floor,
        message=f"the reference holds a single value ({value!r}); {share:.1%} of current "
                "values differ from it"))
    return feature


def _mixed(feature: FeatureDrift, ref: ColumnProfile, cur: Numbers | Categories) -> None:
    if ref.mixed_types:
        feature.status = "mixed types"
        feature.message = ("the reference column holds values of several types; compared as "
                           "text categories" if ref.kind == "categorical" else
                           "the reference column holds some values that are not numbers; "
                           "they count as missing")
    elif getattr(cur, "n_not_numbers", 0):
        feature.status = "mixed types"
        feature.message = (f"{cur.n_not_numbers} current values are not numbers; they count "
                           "as missing")


def _decide(features: list[FeatureDrift], limits: list[DriftThresholds]) -> None:
    """Benjamini-Hochberg across the columns tested, then both conditions per column."""
    tested = [i for i, f in enumerate(features) if f.p_value is not None]
    if not tested:
        return
    adjusted = stats.false_discovery_control([features[i].p_value for i in tested], method="bh")
    for i, p in zip(tested, adjusted):
        f, lim = features[i], limits[i]
        f.p_value_adjusted = float(p)
        f.threshold = max(f.threshold, _noise_floor(f, lim))
        f.drifted = bool(p < lim.alpha and f.effect_size >= f.threshold
                         and (lim.psi_floor is None or (f.psi or 0.0) >= lim.psi_floor))


def _noise_floor(f: FeatureDrift, lim: DriftThresholds) -> float:
    """The effect size sampling noise alone reaches about once in a thousand at these sizes
    (small samples need a larger change to count; large ones are held by the fixed floor)."""
    if not lim.noise_multiple or not (f.n_reference and f.n_current):
        return 0.0
    if f.kind == "numeric":
        return lim.noise_multiple * math.sqrt(1 / f.n_reference + 1 / f.n_current)
    if f.degrees_of_freedom:
        return noise_floor(f.degrees_of_freedom, f.n_reference, f.n_current)
    return 0.0


def _fill(feature: FeatureDrift, figures: dict) -> None:
    for name, value in figures.items():
        setattr(feature, name, value)


def _status(feature: FeatureDrift, status: str, message: str) -> FeatureDrift:
    feature.status, feature.message = status, message
    return feature


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
