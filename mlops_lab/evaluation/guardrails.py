"""Guardrails a gate checks beside its metric: no slice of the data much worse, predictions
not much slower, inputs the champion's callers already send."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InvalidInput
from ..models.signature import describe, difference
from ..serving.runtime.validation import check_frame
from .metrics import Metric
from .scoring import Scored, positive_labels
from .statistics import delong

# A slice needs this many rows to be judged (fewer: its metric is mostly noise); at most this
# many slices per column are judged (the largest); a numeric column with more distinct values
# is cut into this many quantile bins.
MIN_SLICE_ROWS = 30
MAX_SLICES = 20
NUMERIC_BINS = 4
# Rows and repetitions timed for the latency guardrail (medians of alternating calls).
LATENCY_ROWS, LATENCY_REPEATS = 2_000, 5


@dataclass
class Guardrail:
    name: str
    passed: bool
    detail: str
    # False when there was nothing to compare (no signature, no slice big enough): it does
    # not stop the gate, and it is not reported as a check that held.
    checked: bool = True

    def to_json(self) -> dict:
        return {"name": self.name, "passed": self.passed, "checked": self.checked,
                "detail": self.detail}


def signature(challenger: Scored, champion: Scored) -> Guardrail:
    """The challenger takes no column the champion did not (its callers send only those) and
    retypes none."""
    before = (champion.predictor.signature or {}).get("inputs") or []
    after = (challenger.predictor.signature or {}).get("inputs") or []
    if not before or not after:
        return Guardrail("signature", True, "Cannot tell: a version has no input signature "
                         "(registered without an input example); not checked.", checked=False)
    change = difference(before, after)
    if change is None:
        return Guardrail("signature", True, "Same input columns and types.")
    ok = not change["added"] and not change["retyped"]
    note = "" if ok else " Callers of the champion would be refused."
    return Guardrail("signature", ok, describe(change, champion.version) + note)


def latency(challenger: Scored, champion: Scored, inputs: pd.DataFrame,
            max_increase: float) -> Guardrail:
    """Median time to score the same rows, alternating the two versions."""
    sample = inputs.iloc[:LATENCY_ROWS]
    frames = {}
    for s in (challenger, champion):
        frames[s.version] = check_frame(sample, s.predictor.columns,
                                        allow_missing=s.predictor.allow_missing)[0]
    times: dict[int, list[float]] = {challenger.version: [], champion.version: []}
    for _ in range(LATENCY_REPEATS):
        for s in (challenger, champion):
            start = time.perf_counter()
            s.predictor.call("predict", frames[s.version])
            times[s.version].append(time.perf_counter() - start)
    per_k = 1000 / len(sample)
    new = statistics.median(times[challenger.version]) * per_k * 1000
    old = statistics.median(times[champion.version]) * per_k * 1000
    change = new / old - 1 if old > 0 else 0.0
    ok = change <= max_increase
    return Guardrail("latency", ok, f"{new:.2f} ms against {old:.2f} ms per 1,000 rows "
                     f"({change:+.0%}; at most {max_increase:+.0%} allowed).")


def slices(metric: Metric, y: np.ndarray, challenger: Scored, champion: Scored,
           frame: pd.DataFrame, columns: list[str], max_drop: float,
           where: str) -> list[Guardrail]:
    """One guardrail per slice column: on no slice (value, or quantile bin of a number) is the
    challenger worse than the champion by more than `max_drop` of the metric."""
    found = []
    for column in columns:
        if column not in frame.columns:
            raise InvalidInput(f"Snapshot {where} has no column {column!r} to slice by.")
        groups = _groups(frame[column])
        worst, judged = None, 0
        for value, rows in groups:
            drop = _drop(metric, y, challenger, champion, rows)
            if drop is None:
                continue
            judged += 1
            if worst is None or drop > worst[1]:
                worst = (value, drop, int(rows.sum()))
        if worst is None:
            found.append(Guardrail(f"slices by {column}", True, f"Cannot tell: no slice of "
                                   f"{column!r} has {MIN_SLICE_ROWS} rows with a metric; "
                                   "not checked.", checked=False))
            continue
        value, drop, size = worst
        ok = drop <= max_drop
        found.append(Guardrail(
            f"slices by {column}", ok,
            f"{judged} slice(s); the worst for the challenger is {column}={value} "
            f"({size:,} rows): {metric.name} {'worse' if drop > 0 else 'better'} by "
            f"{abs(drop):.4f} (at most {max_drop:.4f} worse allowed)."))
    return found


def _groups(series: pd.Series):
    if pd.api.types.is_numeric_dtype(series) and series.nunique() > MAX_SLICES:
        series = pd.qcut(series, NUMERIC_BINS, duplicates="drop").astype(str)
    counts = series.value_counts()
    for value in counts.index[:MAX_SLICES]:
        rows = (series == value).to_numpy()
        if rows.sum() >= MIN_SLICE_ROWS:
            yield value, rows


def _drop(metric: Metric, y, challenger: Scored, champion: Scored, rows) -> float | None:
    """How much worse the challenger is on `rows` (negative: better); None if unmeasurable."""
    values = []
    for s in (challenger, champion):
        if metric.reduce is None:
            positive = positive_labels(y[rows], s.classes)
            if positive.min() == positive.max():
                return None
            values.append(delong(positive, s.probabilities[rows, 1][None, :])[0][0])
        else:
            proba = None if s.probabilities is None else s.probabilities[rows]
            parts = metric.columns(y[rows], s.predictions[rows], proba, s.classes)
            values.append(float(metric.reduce(parts.mean(axis=0)[None, :])[0]))
    sign = 1.0 if metric.higher_is_better else -1.0
    drop = sign * (values[1] - values[0])
    return None if not np.isfinite(drop) else float(drop)
