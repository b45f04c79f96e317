"""Fitted scikit-learn models a tracked cell left in the namespace.

A model is captured when its variable is new or rebound by the cell, or the cell calls a fit
method on it (``clf.fit(X, y)``), and it is a fitted ``sklearn.base.BaseEstimator``. Its
``get_params(deep=False)`` become params prefixed by the variable name (``clf.C``) and the model
is saved with skops (never pickle) as ``models/<variable>.skops``, with the list of types it
needs beyond skops's defaults kept on the artifact's row (what registering it later trusts).
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


def serialize_estimator(estimator) -> tuple[bytes, list[str]]:
    """(skops bytes, trusted types) of the estimator. The types are those outside skops's
    defaults that these bytes hold, listed here from the live object just saved: that is the
    reviewed list stored with the file (`log_artifact_bytes(trusted_types=...)`), the only
    list a later load of the file trusts. Never derive it from a file read back later.

    The estimator's state when saved is remembered for this process under the file's blob id,
    so `saved_from(blob, model)` can tell later whether a model is still the one saved."""
    from blake3 import blake3

    from ..skops_import import skops_io

    skops = skops_io()
    data = skops.dumps(estimator)
    state = _state(estimator)
    if state is not None:
        _saved_states[blake3(data).hexdigest()] = state
    return data, sorted(skops.get_untrusted_types(data=data))


# blob id of a model file this process saved -> digest of the model's state at that moment.
_saved_states: dict[str, str] = {}


def saved_from(blob: str, model) -> bool | None:
    """Whether the model file with this blob id was saved by this process from `model` in its
    present state (None when this process did not save that file, or `model` cannot be
    pickled to compare). The live object is compared with itself then, not with the file
    loaded back: a reloaded tree differs in the padding bytes of its node array."""
    saved = _saved_states.get(blob)
    if saved is None:
        return None
    now = _state(model)
    return None if now is None else now == saved


def blobs_saved_from(model) -> list[str]:
    """Blob ids of the model files this process saved from `model` in its present state."""
    now = _state(model)
    return [blob for blob, state in _saved_states.items() if now is not None and state == now]


def _state(model) -> str | None:
    """A digest of the model's pickled state (written only, never unpickled)."""
    import pickle

    from blake3 import blake3

    try:
        return blake3(pickle.dumps(model, protocol=4)).hexdigest()
    except Exception:  # an attribute pickle cannot write (a lambda, a lock)
        return None
