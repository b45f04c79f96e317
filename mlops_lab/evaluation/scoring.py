"""Scoring model versions on one labelled snapshot: every version sees the same rows, held to
the model server's input rules, and what each answers is kept as arrays for the statistics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InvalidInput
from ..serving.runtime.errors import RequestError
from ..serving.runtime.validation import check_frame
from .metrics import Metric


@dataclass
class Scored:
    ref: str
    version: int
    predictor: object
    predictions: np.ndarray
    probabilities: np.ndarray | None
    classes: np.ndarray | None

    @property
    def is_classifier(self) -> bool:
        return self.classes is not None


def labelled_rows(frame: pd.DataFrame, label: str, where: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The snapshot's rows and their labels; a missing label column or an empty label is an
    error (a row without a label cannot say which model was right)."""
    if not isinstance(label, str) or not label.strip():
        raise InvalidInput("Name the label column (label=\"...\"): the column of true answers.")
    if label not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:12]))
        raise InvalidInput(f"Snapshot {where} has no column {label!r}; its columns are "
                           f"{shown}. Name the column of true answers with label=.")
    y = frame[label]
    empty = int(y.isna().sum())
    if empty:
        raise InvalidInput(f"Column {label!r} of snapshot {where} has {empty:,} empty "
                           "label(s); score only labelled rows: snapshot them without those.")
    if len(frame) < 2:
        raise InvalidInput(f"Snapshot {where} has {len(frame)} row(s); a comparison needs "
                           "labelled rows (hundreds at least).")
    return frame.drop(columns=[label]), y.to_numpy()


def score(predictor, ref: str, inputs: pd.DataFrame, where: str,
          probabilities: bool) -> Scored:
    """`predictor`'s answers for `inputs` (checked against its signature first)."""
    try:
        frame, _ = check_frame(inputs, predictor.columns, allow_missing=predictor.allow_missing)
    except RequestError as exc:
        raise InvalidInput(f"Snapshot {where} does not fit {ref} (version "
                           f"{predictor.version}): {exc}") from None
    classes = None
    if getattr(predictor.model, "classes_", None) is not None:
        classes = np.asarray(predictor.model.classes_)
    proba = None
    try:
        predictions = np.asarray(predictor.call("predict", frame))
        if probabilities:
            if not predictor.gives_probabilities:
                raise InvalidInput(f"{ref} (version {predictor.version}, "
                                   f"{type(predictor.model).__name__}) gives no class "
                                   "probabilities; compare it on accuracy instead.")
            proba = np.asarray(predictor.call("predict_proba", frame), dtype=np.float64)
    except RequestError as exc:
        raise InvalidInput(f"{ref} could not score snapshot {where}: {exc}") from None
    return Scored(ref, predictor.version, predictor, predictions, proba, classes)


def check_task(metric: Metric, scored: list[Scored], y: np.ndarray) -> None:
    """The metric fits the models and the label: a classification metric for classifiers
    with the same classes, a regression metric for numbers."""
    if metric.task == "classification":
        for s in scored:
            if not s.is_classifier:
                raise InvalidInput(f"{metric.name} compares classifiers; {s.ref} is a "
                                   f"regressor: use rmse, mae, mse or r2.")
        first = scored[0]
        for s in scored[1:]:
            if len(s.classes) != len(first.classes) or (s.classes != first.classes).any():
                raise InvalidInput(f"{s.ref} and {first.ref} know different classes "
                                   f"({list(map(str, s.classes))[:6]} and "
                                   f"{list(map(str, first.classes))[:6]}); they cannot be "
                                   "compared on one label.")
        if metric.name == "roc_auc" and len(first.classes) != 2:
            raise InvalidInput(f"roc_auc compares a label with two classes; this one has "
                               f"{len(first.classes)}: use accuracy or log_loss.")
    else:
        if any(s.is_classifier for s in scored):
            raise InvalidInput(f"{metric.name} compares regressors; use accuracy, roc_auc, "
                               "log_loss or brier for classifiers.")
        if not np.issubdtype(np.asarray(y).dtype, np.number):
            raise InvalidInput(f"{metric.name} needs a numeric label.")


def positive_labels(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    return (np.asarray(y) == classes[1]).astype(np.int8)
