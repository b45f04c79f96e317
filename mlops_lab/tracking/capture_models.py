"""Fitted scikit-learn models a tracked cell left in the namespace.

A model is captured when its variable is new or rebound by the cell, or the cell calls a fit
method on it (``clf.fit(X, y)``), and it is a fitted ``sklearn.base.BaseEstimator``. Its
``get_params(deep=False)`` become params prefixed by the variable name (``clf.C``) and the model
is saved with skops (never pickle) as ``models/<variable>.skops``.
"""

from __future__ import annotations

import re
import sys
from typing import Iterable

MAX_PARAM_REPR = 500


def fitted_estimators(namespace: dict, names: Iterable[str]) -> dict:
    """variable -> fitted estimator, for the given names (in the order given)."""
    if "sklearn.base" not in sys.modules:
        return {}  # scikit-learn never imported: no estimator can exist (and importing costs)
    from sklearn.base import BaseEstimator
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    found = {}
    for name in names:
        obj = namespace.get(name)
        if not isinstance(obj, BaseEstimator) or name.startswith("_"):
            continue
        try:
            check_is_fitted(obj)
        except (NotFittedError, TypeError, AttributeError, ValueError):
            continue
        found[name] = obj
    return found


def param_value(value):
    """Scalars (and None) as they are, for the service to write; anything else as a short
    one-line repr, since a model's params may hold other models, arrays or functions."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    text = re.sub(r"\s+", " ", repr(value)).strip()
    return text if len(text) <= MAX_PARAM_REPR else text[: MAX_PARAM_REPR - 1] + "\u2026"


def estimator_params(variable: str, estimator) -> dict:
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # a third-party estimator with a broken get_params: skip its params
        return {}
    return {f"{variable}.{key}": param_value(value) for key, value in sorted(params.items())}


def model_artifact_path(variable: str) -> str:
    return f"models/{variable}.skops"


def serialize_estimator(estimator) -> bytes:
    """The estimator as skops bytes (loadable later with an explicit list of trusted types)."""
    from ..skops_import import skops_io

    return skops_io().dumps(estimator)
