"""Categorical columns: chi-square for "is it real", Jensen-Shannon distance for "does it
matter", PSI reported; new categories named."""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

from .numeric import psi
from .profile import CategoricalProfile, category_buckets

OTHER = "(other)"
MIN_EXPECTED = 5  # categories expected fewer times than this are pooled for the chi-square
PICTURE_CATEGORIES = 20
NAMED_NEW = 20


def compare_categories(ref: CategoricalProfile, cur_counts: dict[str, int]) -> dict:
    """The figures of one categorical column (reference with at least two categories)."""
    names = list(ref.counts)
    known = set(names)
    new = {k: v for k, v in cur_counts.items() if k not in known}
    ref_row = np.array([ref.counts[k] for k in names], dtype=np.float64)
    cur_row = np.array([cur_counts.get(k, 0) for k in names], dtype=np.float64)
    if ref.other:  # unseen categories may be among the reference's pooled rare ones
        names.append(OTHER)
        ref_row = np.r_[ref_row, ref.other]
        cur_row = np.r_[cur_row, sum(new.values())]
        new = {}
    else:
        names += list(new)
        ref_row = np.r_[ref_row, np.zeros(len(new))]
        cur_row = np.r_[cur_row, list(new.values())]
    n_c = cur_row.sum()
    p, q = ref_row / ref_row.sum(), cur_row / n_c
    # Past MAX_CATEGORIES the reference kept its most frequent categories only: tested over
    # hash buckets of all categories instead (see category_buckets).
    tested_ref, tested_cur = ((np.asarray(ref.buckets, dtype=np.float64),
                               category_buckets(cur_counts).astype(np.float64))
                              if ref.buckets else (ref_row, cur_row))
    statistic, p_value, dof = _chi_square(tested_ref, tested_cur)
    ranked_new = sorted(new.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "method": "chi-square over category hash buckets" if ref.buckets else "chi-square",
        "statistic": statistic,
        "p_value": p_value,
        "degrees_of_freedom": dof,
        "effect_size": float(jensenshannon(tested_ref / tested_ref.sum(),
                                           tested_cur / tested_cur.sum(), base=2)),
        "effect_method": "jensen-shannon distance",
        "psi": psi(tested_ref, tested_cur),
        "new_categories": [k for k, _ in ranked_new[:NAMED_NEW]],
        "new_categories_share": float(sum(new.values()) / n_c),
        "picture": _bars(names, p, q),
    }


def noise_floor(dof: int, n_ref: int, n_cur: int, level: float = 0.999) -> float:
    """The Jensen-Shannon distance (base 2) two samples of one distribution exceed by chance
    with probability 1 - `level`: for small differences JSD = chi-square / (8 n ln 2), n the
    two sizes' harmonic half (the chi-square of homogeneity's own scale)."""
    n = n_ref * n_cur / (n_ref + n_cur)
    return float(np.sqrt(stats.chi2.ppf(level, dof) / (8 * n * np.log(2))))


def _chi_square(ref_row: np.ndarray, cur_row: np.ndarray) -> tuple[float, float, int]:
    """Chi-square test of homogeneity of the two rows, rare categories pooled so that the
    approximation holds (sparse tables otherwise give too small p-values)."""
    totals = ref_row + cur_row
    expected_low = totals * min(ref_row.sum(), cur_row.sum()) / totals.sum() < MIN_EXPECTED
    table = np.vstack([ref_row[~expected_low], cur_row[~expected_low]])
    if expected_low.any():
        pooled = np.array([[ref_row[expected_low].sum()], [cur_row[expected_low].sum()]])
        table = np.hstack([table, pooled])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return 0.0, 1.0, 0
    result = stats.chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue), int(result.dof)


def _bars(names: list[str], p: np.ndarray, q: np.ndarray) -> dict:
    top = np.argsort(-np.maximum(p, q), kind="stable")[:PICTURE_CATEGORIES]
    return {"categories": [names[i] for i in top],
            "reference": np.round(p[top], 6).tolist(), "current": np.round(q[top], 6).tolist()}
