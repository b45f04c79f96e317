"""Confidence intervals for metrics scored on one set of labelled rows: a seeded paired
bootstrap for metrics that are means of per-row values (accuracy, log loss, squared error…),
and DeLong's paired test for ROC AUC (exact variance, no resampling).

"Paired" means every resample takes the same rows for every version, so what the interval
measures is the difference the models make, not the luck of which rows were drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np

# Resamples are drawn this many at a time (memory: BATCH × rows × 4 bytes per column).
BATCH = 50
# A per-row table with at most this many distinct rows is resampled by counting how often
# each distinct row is drawn (one multinomial draw per resample: exact and nearly free);
# accuracy's per-row values are 0/1, so this is the usual case for it.
FEW_DISTINCT = 4096


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    def to_json(self) -> dict:
        return {"value": self.value, "low": self.low, "high": self.high}


def bootstrap_means(columns: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """The column means of `resamples` paired bootstrap resamples of the rows of `columns`
    (rows × k): an array resamples × k. Every column is resampled with the same rows."""
    rows = len(columns)
    rng = np.random.default_rng(seed)
    distinct, counts = _distinct_rows(columns)
    if distinct is not None:
        drawn = rng.multinomial(rows, counts / rows, size=resamples)  # resamples × distinct
        return drawn @ distinct / rows
    table = np.ascontiguousarray(columns, dtype=np.float32).T  # k × rows, rows contiguous
    means = np.empty((resamples, table.shape[0]))
    for start in range(0, resamples, BATCH):
        size = min(BATCH, resamples - start)
        picks = rng.integers(0, rows, size=(size, rows), dtype=np.int32)
        for k, column in enumerate(table):
            means[start:start + size, k] = column[picks].mean(axis=1, dtype=np.float64)
    return means


def _distinct_rows(columns: np.ndarray):
    """(distinct rows, how often each occurs), or (None, None) when there are many."""
    if len(columns) == 0:
        return None, None
    if columns.shape[1] == 1:
        values, counts = np.unique(columns[:, 0], return_counts=True)
        distinct = values[:, None]
    else:
        distinct, counts = np.unique(columns, axis=0, return_counts=True)
    if len(distinct) > FEW_DISTINCT:
        return None, None
    return distinct.astype(np.float64), counts.astype(np.float64)


def percentile_interval(value: float, draws: np.ndarray, confidence: float) -> Interval:
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return Interval(float(value), float(low), float(high))


# ---- ROC AUC: DeLong et al. (1988), computed as in Sun & Xu (2014), "Fast implementation of
# DeLong's algorithm", IEEE Signal Processing Letters 21(11): midranks instead of the
# O(m·n) comparison of every positive with every negative.

def delong(positive: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The AUC of each row of `scores` (k × rows) against the 0/1 labels `positive`, and
    their k × k covariance matrix."""
    from scipy.stats import rankdata

    is_pos = positive.astype(bool)
    pos, neg = scores[:, is_pos], scores[:, ~is_pos]
    m, n = pos.shape[1], neg.shape[1]
    if m < 2 or n < 2:
        raise ValueError("ROC AUC needs at least two rows of each class.")
    ranked_pos = rankdata(pos, axis=1)
    ranked_neg = rankdata(neg, axis=1)
    ranked_all = rankdata(np.concatenate([pos, neg], axis=1), axis=1)
    aucs = ranked_all[:, :m].sum(axis=1) / m / n - (m + 1.0) / 2.0 / n
    v01 = (ranked_all[:, :m] - ranked_pos) / n
    v10 = 1.0 - (ranked_all[:, m:] - ranked_neg) / m
    covariance = np.atleast_2d(np.cov(v01)) / m + np.atleast_2d(np.cov(v10)) / n
    return aucs, covariance


def normal_interval(value: float, variance: float, confidence: float) -> Interval:
    from scipy.stats import norm

    half = float(norm.ppf(0.5 + confidence / 2)) * float(np.sqrt(max(variance, 0.0)))
    return Interval(float(value), float(value - half), float(value + half))
