"""Numeric columns: Kolmogorov-Smirnov for "is it real", normed Wasserstein for "does it matter",
PSI reported. Computed from the reference's quantile bins, so a stored profile is enough; exact
on raw values when both samples are small and the reference values are at hand."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .profile import NumericProfile, bin_numbers
from .values import Numbers

EXACT_LIMIT = 5_000  # both samples at most this big (and raw reference at hand): exact KS
PICTURE_BINS = 30
PSI_BINS = 10
PSI_FLOOR_SHARE = 1e-4  # an empty bin counts as this share, so PSI stays finite


def compare_numbers(ref: NumericProfile, cur: Numbers,
                    ref_values: np.ndarray | None = None) -> dict:
    """The figures of one numeric column (reference with at least two distinct values)."""
    cuts = np.asarray(ref.cuts, dtype=np.float64)
    ref_counts = np.asarray(ref.counts, dtype=np.float64)
    values = cur.values
    cur_counts = bin_numbers(values, cuts).astype(np.float64)
    n_r, n_c = ref.n, len(values)
    below = values[values < ref.min] if cur_counts[0] else values[:0]
    above = values[values > ref.max] if cur_counts[-1] else values[:0]
    f_ref = np.cumsum(ref_counts)[:-1] / n_r  # CDFs at each cut
    f_cur = np.cumsum(cur_counts)[:-1] / n_c

    if ref_values is not None and n_r <= EXACT_LIMIT and n_c <= EXACT_LIMIT:
        ks = stats.ks_2samp(ref_values, values)
        statistic, p_value, method = float(ks.statistic), float(ks.pvalue), "ks (exact)"
        distance = stats.wasserstein_distance(ref_values, values)
    else:
        statistic = float(np.max(np.abs(f_ref - f_cur)))
        n_eff = n_r * n_c / (n_r + n_c)
        p_value = float(stats.kstwo.sf(statistic, max(1, round(n_eff))))
        method = "ks (binned)"
        distance = _binned_wasserstein(cuts, f_ref, f_cur)
        distance += (float(np.sum(ref.min - below)) + float(np.sum(above - ref.max))) / n_c
    out_of_range = (len(below) + len(above) + cur.n_inf) / (n_c + cur.n_inf)
    return {
        "method": method,
        "statistic": statistic,
        "p_value": p_value,
        "effect_size": distance / ref.std,
        "effect_method": "wasserstein / reference std",
        "psi": _psi(ref_counts, cur_counts),
        "out_of_range_share": out_of_range,
        "picture": _histogram(ref, cuts, f_ref, f_cur, len(below) / n_c),
    }


def _binned_wasserstein(cuts: np.ndarray, f_ref: np.ndarray, f_cur: np.ndarray) -> float:
    """Integral of |F_ref - F_cur| over [min, max], both CDFs linear between the cuts."""
    a, b = (f_ref - f_cur)[:-1], (f_ref - f_cur)[1:]
    width = np.diff(cuts)
    same_sign = a * b >= 0
    total = np.abs(a) + np.abs(b)
    crossing = np.divide(a * a + b * b, total, out=np.zeros_like(total), where=total > 0)
    return float(np.sum(width * np.where(same_sign, total, crossing)) / 2)


def _psi(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """PSI over reference deciles (merged from the fine quantile bins)."""
    fine = len(ref_counts) - 2  # bins between min and max
    group = np.empty(len(ref_counts), dtype=np.int64)
    group[0], group[-1] = 0, PSI_BINS - 1
    group[1:-1] = np.minimum(np.arange(fine) * PSI_BINS // max(fine, 1), PSI_BINS - 1)
    return psi(np.bincount(group, ref_counts, PSI_BINS), np.bincount(group, cur_counts, PSI_BINS))


def psi(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Population stability index of two count vectors over the same bins."""
    p = np.maximum(ref_counts / ref_counts.sum(), PSI_FLOOR_SHARE)
    q = np.maximum(cur_counts / cur_counts.sum(), PSI_FLOOR_SHARE)
    return float(np.sum((q - p) * np.log(q / p)))


def _histogram(ref: NumericProfile, cuts: np.ndarray, f_ref: np.ndarray, f_cur: np.ndarray,
               below_cur: float) -> dict:
    """Shares of each side in equal-width bins over the reference range (read off the binned
    CDFs); current values outside the range are left out of the bars."""
    last = np.r_[cuts[1:] != cuts[:-1], True]  # the CDF at a repeated cut is its last value
    edges = np.linspace(ref.min, ref.max, PICTURE_BINS + 1)

    def shares(f: np.ndarray, below: float) -> list[float]:
        at_edges = np.interp(edges, cuts[last], f[last])
        at_edges[0] = below
        return np.round(np.diff(at_edges), 6).tolist()

    return {"edges": edges.tolist(), "reference": shares(f_ref, 0.0),
            "current": shares(f_cur, below_cur)}
