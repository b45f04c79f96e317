"""The metric of each scored version with its interval, and how much better one version is
than another with a paired interval, all from one set of resamples (so the numbers agree)."""

from __future__ import annotations

import numpy as np

from .metrics import Metric
from .scoring import Scored, positive_labels
from .statistics import Interval, bootstrap_means, delong, normal_interval, percentile_interval


class Comparison:
    """Versions scored on the same rows, compared on one metric."""

    def __init__(self, metric: Metric, y: np.ndarray, scored: list[Scored], *,
                 confidence: float, resamples: int, seed: int):
        self.metric, self.confidence = metric, confidence
        self.sign = 1.0 if metric.higher_is_better else -1.0
        if metric.reduce is None:  # ROC AUC: DeLong
            positive = positive_labels(y, scored[0].classes)
            scores = np.vstack([s.probabilities[:, 1] for s in scored])
            self.values, self.covariance = delong(positive, scores)
            self.draws = None
        else:
            parts = [metric.columns(y, s.predictions, s.probabilities, s.classes)
                     for s in scored]
            self.width = parts[0].shape[1]
            table = np.hstack(parts)
            self.values = self._reduce(table.mean(axis=0)[None, :])[0]
            self.draws = self._reduce(bootstrap_means(table, resamples, seed))

    def _reduce(self, means: np.ndarray) -> np.ndarray:
        """means (r × versions·width) -> each version's metric (r × versions)."""
        w = self.width
        return np.column_stack([self.metric.reduce(means[:, i:i + w])
                                for i in range(0, means.shape[1], w)])

    def value(self, i: int) -> Interval:
        if self.draws is None:
            return normal_interval(self.values[i], self.covariance[i, i], self.confidence)
        return percentile_interval(self.values[i], self.draws[:, i], self.confidence)

    def improvement(self, better: int, than: int) -> Interval:
        """How much better version `better` is than version `than` (positive = better, in the
        metric's units, whichever way the metric points)."""
        value = self.sign * (self.values[better] - self.values[than])
        if self.draws is None:
            c = self.covariance
            variance = c[better, better] + c[than, than] - 2 * c[better, than]
            return normal_interval(value, variance, self.confidence)
        return percentile_interval(value, self.sign * (self.draws[:, better]
                                                       - self.draws[:, than]), self.confidence)

    @property
    def method(self) -> str:
        return "delong" if self.draws is None else "bootstrap"

    def ranking(self) -> list[int]:
        """Version positions, best first."""
        return list(np.argsort(-self.sign * np.asarray(self.values), kind="stable"))
