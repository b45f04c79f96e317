"""The metrics a gate or benchmark can compare, each as per-row values and how their means
make the metric, so one paired bootstrap serves them all (ROC AUC uses DeLong instead)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import InvalidInput

# Probabilities are clipped before a log so that one confident mistake costs a large but
# finite amount (as scikit-learn's log_loss does).
EPS = 1e-15


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool
    task: str  # "classification" | "regression"
    needs_probabilities: bool
    # Per-row values (rows × k) from (labels, predictions, probabilities, classes) ...
    columns: Callable | None
    # ... and the metric from their means (r × k -> r); None: DeLong (ROC AUC).
    reduce: Callable[[np.ndarray], np.ndarray] | None


def _first(means: np.ndarray) -> np.ndarray:
    return means[:, 0]


def _correct(y, predicted, proba, classes):
    return (np.asarray(predicted) == np.asarray(y)).astype(np.float64)[:, None]


def _log_loss(y, predicted, proba, classes):
    index = _class_index(y, classes)
    p = proba[np.arange(len(index)), index]
    return -np.log(np.clip(p, EPS, 1.0))[:, None]


def _brier(y, predicted, proba, classes):
    if len(classes) != 2:
        raise InvalidInput("brier needs a label with two classes; use log_loss for more.")
    return ((proba[:, 1] - (_class_index(y, classes) == 1)) ** 2)[:, None]


def _errors(y, predicted):
    return np.asarray(predicted, dtype=np.float64) - np.asarray(y, dtype=np.float64)


def _absolute(y, predicted, proba, classes):
    return np.abs(_errors(y, predicted))[:, None]


def _squared(y, predicted, proba, classes):
    return (_errors(y, predicted) ** 2)[:, None]


def _r2_parts(y, predicted, proba, classes):
    y = np.asarray(y, dtype=np.float64)
    return np.column_stack([_errors(y, predicted) ** 2, y, y ** 2])


def _r2(means: np.ndarray) -> np.ndarray:
    variance = means[:, 2] - means[:, 1] ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - means[:, 0] / variance


def _class_index(y, classes) -> np.ndarray:
    """Each label's position in the model's classes; a label the model never saw is an error
    (it would otherwise count as a certain mistake without saying so)."""
    classes = np.asarray(classes)
    order = np.argsort(classes)
    y = np.asarray(y)
    at = np.searchsorted(classes, y, sorter=order)
    at = np.clip(at, 0, len(classes) - 1)
    found = order[at]
    unknown = classes[found] != y
    if unknown.any():
        raise InvalidInput(f"The label has values the model does not know: "
                           f"{sorted(set(map(str, y[unknown])))[:5]}; its classes are "
                           f"{[str(c) for c in classes][:10]}.")
    return found


METRICS: dict[str, Metric] = {m.name: m for m in [
    Metric("accuracy", True, "classification", False, _correct, _first),
    Metric("roc_auc", True, "classification", True, None, None),
    Metric("log_loss", False, "classification", True, _log_loss, _first),
    Metric("brier", False, "classification", True, _brier, _first),
    Metric("mae", False, "regression", False, _absolute, _first),
    Metric("mse", False, "regression", False, _squared, _first),
    Metric("rmse", False, "regression", False, _squared, lambda m: np.sqrt(m[:, 0])),
    Metric("r2", True, "regression", False, _r2_parts, _r2),
]}


def get_metric(name) -> Metric:
    found = METRICS.get(str(name).strip().lower()) if isinstance(name, str) else None
    if found is None:
        raise InvalidInput(f"No metric {name!r:.60}; a gate compares one of "
                           f"{', '.join(METRICS)}.")
    return found


def default_metric(is_classifier: bool) -> str:
    return "accuracy" if is_classifier else "rmse"
