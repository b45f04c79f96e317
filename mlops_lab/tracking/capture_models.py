"""Fitted scikit-learn models a tracked cell left in the namespace.

A model is captured when its variable is new or rebound by the cell, or the cell calls a fit
method on it (``clf.fit(X, y)``), and it is a fitted ``sklearn.base.BaseEstimator``. Its
``get_params(deep=False)`` become params prefixed by the variable name (``clf.C``), with nested
estimators by their structure (``clf.steps = ["scaler: StandardScaler", "svc: SVC"]``) and their
own params as dotted keys (``clf.svc.C``); callables by qualified name, never a repr with a
memory address, so two identical runs record identical params. The model is saved with skops
(never pickle) as ``models/<variable>.skops``, with the list of types it needs beyond skops's
defaults kept on the artifact's row (what registering it later trusts).
"""

from __future__ import annotations

import json
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
    """Scalars (and None) as they are, for the service to write; anything else as short,
    stable text: the same for two identical runs (no memory addresses), cut at
    ``MAX_PARAM_REPR`` characters."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    text = stable_text(value)
    return text if len(text) <= MAX_PARAM_REPR else text[: MAX_PARAM_REPR - 1] + "\u2026"


def stable_text(value) -> str:
    """One line that says what a value is and is the same in every process: callables by
    qualified name, estimators by class name, lists/dicts as JSON of those."""
    return json.dumps(_plain(value), default=str) if isinstance(
        value, (list, tuple, dict)) else str(_plain(value))


def qualified_name(obj) -> str:
    """``module.qualname`` of a function, class or method (what a callable param is)."""
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__name__
    return f"{module}.{name}" if module and module != "builtins" else name


_ADDRESS = re.compile(r" (object )?at 0x[0-9a-fA-F]+")


def _plain(value, depth: int = 0):
    """The value as JSON-able data whose text is the same in every process."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth > 4:
        return "\u2026"
    if is_estimator(value):
        return type(value).__name__
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if _is_named_step(value):
            return _step_text(value)
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, type) or callable(value) and hasattr(value, "__qualname__"):
        return qualified_name(value)  # functions, classes, methods: their names
    import functools

    if isinstance(value, functools.partial):
        return f"partial({qualified_name(value.func)})"
    if hasattr(value, "tolist") and getattr(value, "ndim", 1) == 0:  # numpy scalars
        return value.tolist()
    return _ADDRESS.sub("", re.sub(r"\s+", " ", repr(value)).strip())


def is_estimator(value) -> bool:
    return hasattr(value, "get_params") and hasattr(value, "fit") and not isinstance(value, type)


def _is_named_step(value) -> bool:
    """``(name, estimator)`` of a Pipeline/Voting*, ``(name, transformer, columns)`` of a
    ColumnTransformer; ``"drop"``/``"passthrough"`` stand for an estimator there."""
    return (isinstance(value, tuple) and len(value) in (2, 3) and isinstance(value[0], str)
            and (is_estimator(value[1]) or isinstance(value[1], str)
                 and value[1] in ("drop", "passthrough")))


def _step_text(step: tuple) -> str:
    name, member = step[0], step[1]
    text = f"{name}: {member if isinstance(member, str) else type(member).__name__}"
    if len(step) == 3:  # a ColumnTransformer's columns
        text += f" {json.dumps(_plain(step[2], 1), default=str)}" if not callable(step[2]) else (
            f" {qualified_name(step[2])}")
    return text


MAX_DEPTH = 3  # levels of nested estimators whose params are recorded as dotted keys


def estimator_params(variable: str, estimator) -> dict:
    """``variable.param`` -> value of the estimator's own params, and of the estimators nested
    in it (a Pipeline's steps, a VotingRegressor's members, a search's ``estimator``) as dotted
    keys under their step name or param name (``clf.svc.C``, ``search.estimator.C``)."""
    found: dict = {}
    _collect(variable, estimator, found, 0)
    return found


def _collect(prefix: str, estimator, found: dict, depth: int) -> None:
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # a third-party estimator with a broken get_params: skip its params
        return
    nested = []
    for key, value in sorted(params.items()):
        found[f"{prefix}.{key}"] = param_value(value)
        if is_estimator(value):
            nested.append((f"{prefix}.{key}", value))
        elif isinstance(value, (list, tuple)):
            nested += [(f"{prefix}.{step[0]}", step[1]) for step in value
                       if _is_named_step(step) and is_estimator(step[1])]
    if depth < MAX_DEPTH:
        for key, member in nested:
            inner: dict = {}
            _collect(key, member, inner, depth + 1)
            # a step named like one of the outer params never overwrites it
            found.update({k: v for k, v in inner.items() if k not in found})


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
    # list(): the writer of a cell's files may add one meanwhile, on the background thread
    return [blob for blob, state in list(_saved_states.items())
            if now is not None and state == now]


def _state(model) -> str | None:
    """A digest of the model's pickled state (written only, never unpickled)."""
    import pickle

    from blake3 import blake3

    try:
        return blake3(pickle.dumps(model, protocol=4)).hexdigest()
    except Exception:  # an attribute pickle cannot write (a lambda, a lock)
        return None
