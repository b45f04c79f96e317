"""How well the model does on current data: measured where labels have arrived, estimated
from its own probabilities where they have not (as NannyML's CBPE does; only for a binary
classifier whose probabilities were calibrated on the reference, and always said to be an
estimate)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

# Above this expected calibration error on the reference, probabilities are not trusted to
# estimate performance (the estimate would be confidently wrong).
MAX_CALIBRATION_ERROR = 0.1


def is_classifier(model) -> bool:
    return hasattr(model, "classes_") or getattr(model, "_estimator_type", None) == "classifier"


def prediction_kind(model) -> str:
    return "categorical" if is_classifier(model) else "numeric"


def predict(model, inputs: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict(inputs))


def positive_probabilities(model, inputs: pd.DataFrame) -> np.ndarray | None:
    """P(second class) for a binary classifier with predict_proba, else None."""
    if not hasattr(model, "predict_proba") or len(getattr(model, "classes_", [])) != 2:
        return None
    try:
        return np.asarray(model.predict_proba(inputs))[:, 1]
    except Exception:  # e.g. an SVC without probability=True
        return None


def calibration(model, inputs: pd.DataFrame, labels: pd.Series) -> dict[str, Any] | None:
    """Expected calibration error (10 equal-width bins) of the model's probabilities on
    labelled reference rows."""
    p = positive_probabilities(model, inputs)
    if p is None:
        return None
    y = (np.asarray(labels) == model.classes_[1]).astype(float)
    bins = np.minimum((p * 10).astype(int), 9)
    error = 0.0
    for b in range(10):
        inside = bins == b
        if inside.any():
            error += inside.mean() * abs(p[inside].mean() - y[inside].mean())
    return {"ece": float(error), "rows": int(len(p))}


def measured(metric: str, y_true, y_pred, scores=None, classes=None) -> float | None:
    """The metric on labelled rows (None when it cannot be computed, e.g. one class only)."""
    from sklearn import metrics as m

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) == 0:
        return None
    if metric == "accuracy":
        return float(m.accuracy_score(y_true, y_pred))
    if metric == "f1":
        binary = classes is not None and len(classes) == 2
        return float(m.f1_score(y_true, y_pred, pos_label=classes[1] if binary else 1,
                                average="binary" if binary else "macro", zero_division=0))
    if metric == "roc_auc":
        if scores is None or len(np.unique(y_true)) < 2:
            return None
        return float(m.roc_auc_score(y_true == classes[1], scores))
    if metric == "mae":
        return float(m.mean_absolute_error(y_true, y_pred))
    if metric == "rmse":
        return float(math.sqrt(m.mean_squared_error(y_true, y_pred)))
    raise ValueError(metric)


def estimated(metric: str, p: np.ndarray, classes) -> float | None:
    """The metric expected if the probabilities `p` are right (labels drawn from them)."""
    if len(p) == 0:
        return None
    predicted = p >= 0.5
    if metric == "accuracy":
        return float(np.mean(np.where(predicted, p, 1 - p)))
    if metric == "f1":
        tp = float(p[predicted].sum())
        fp = float((1 - p[predicted]).sum())
        fn = float(p[~predicted].sum())
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    if metric == "roc_auc":
        return _expected_auc(p)
    return None


def _expected_auc(p: np.ndarray) -> float | None:
    """E[pairs ranked right] / E[pairs] when row i is positive with probability p[i] and the
    score is p itself: one sort, no sampling (ties count half, as in ROC AUC)."""
    values, inverse = np.unique(p, return_inverse=True)
    pos = np.bincount(inverse, weights=p)          # expected positives per distinct score
    neg = np.bincount(inverse, weights=1 - p)      # expected negatives per distinct score
    below = np.cumsum(neg) - neg                   # negatives scored lower
    right = float(np.sum(pos * below) + 0.5 * np.sum(pos * neg - np.bincount(
        inverse, weights=p * (1 - p))))            # a row is never paired with itself
    pairs = float(p.sum() * (1 - p).sum() - np.sum(p * (1 - p)))
    return right / pairs if pairs > 0 else None


def training_value(metrics: dict[str, float], metric: str) -> tuple[str | None, float | None]:
    """The version's recorded training figure for `metric` ("roc_auc", or "test_roc_auc"…)."""
    for key in sorted(metrics, key=len):
        if key == metric or key.endswith(("_" + metric, "." + metric, "/" + metric)):
            value = metrics[key]
            if isinstance(value, (int, float)) and math.isfinite(value):
                return key, float(value)
    return None, None
