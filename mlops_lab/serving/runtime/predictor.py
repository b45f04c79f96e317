"""A loaded model version ready to score: the model, what it takes, and its answer as JSON."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

from .errors import RequestError
from .validation import InputColumn, example_request, frame_from_request, input_columns

_NUMERIC = ("float", "integer", "boolean")
# What scikit-learn says when given an array after being fitted on a frame. Harmless once the
# columns were checked against the signature (in its order), which is that very check.
_NO_NAMES = "X does not have valid feature names"
# ... and when given a frame after being fitted on an array (the example's frame, below).
_HAS_NAMES = "X has feature names, but"


def accepts_missing(model: Any) -> bool:
    """Whether the model handles missing values itself (scikit-learn's `allow_nan` tag)."""
    try:
        return bool(model.__sklearn_tags__().input_tags.allow_nan)
    except Exception:  # not a scikit-learn estimator, or an older one: be strict
        return False


@dataclass
class Predictor:
    name: str
    version: int
    model: Any
    signature: dict = field(default_factory=dict)

    def __post_init__(self):
        # An ONNX model takes the validated columns as they are (no DataFrame, no pandas).
        self.takes_columns = bool(getattr(self.model, "takes_columns", False))
        self.columns: list[InputColumn] | None = input_columns(self.signature)
        self.allow_missing = accepts_missing(self.model)
        self.takes_array = self._takes_array()

    def _takes_array(self) -> bool:
        """Whether the model gives the same answer for a plain numeric array as for a frame.

        scikit-learn spends most of a small prediction checking a DataFrame (about 4/5 of it
        for a linear model); an all-numeric signature in the order the model was fitted on
        can skip that. Checked once here on an example: a model that needs the frame (a
        column transformer selecting by name, ...) fails or differs and keeps getting frames.
        """
        if self.takes_columns:
            return False
        import numpy as np

        columns = self.columns
        if not columns or any(c.kind not in _NUMERIC for c in columns):
            return False
        names = getattr(self.model, "feature_names_in_", None)
        if names is not None and [str(n) for n in names] != [c.name for c in columns]:
            return False
        frame = frame_from_request(example_request(columns), columns)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                expected = np.asarray(self.model.predict(frame))
                got = np.asarray(self.model.predict(_matrix(frame[c.name].to_numpy()
                                                            for c in columns)))
        except Exception:
            return False
        if any(not str(w.message).startswith((_NO_NAMES, _HAS_NAMES)) for w in caught):
            return False
        if expected.shape != got.shape or not (expected == got).all():
            return False
        if names is not None:
            warnings.filterwarnings("ignore", message=_NO_NAMES, category=UserWarning)
        return True

    @property
    def runtime(self) -> str:
        """What scores: "onnx" (onnxruntime) or "skops" (the scikit-learn model itself)."""
        return "onnx" if self.takes_columns else "skops"

    @property
    def gives_probabilities(self) -> bool:
        """Whether the model is a classifier that can say how sure it is (`predict_proba`
        and its `classes_`); an SVC without `probability=True` cannot."""
        return _has(self.model, "predict_proba") and _has(self.model, "classes_")

    def check_probabilities(self) -> None:
        """Refuses (422) to promise probabilities this model cannot give."""
        if not self.gives_probabilities:
            raise RequestError(
                f"Model {self.name} version {self.version} ({type(self.model).__name__}) gives "
                "no class probabilities: only classifiers with predict_proba do. Ask without "
                '"probabilities".', 422, "NoProbabilities")

    def predict_arrays(self, arrays: dict, probabilities: bool = False) -> dict:
        """The answer for validated columns ({name: array}, in the signature's order):
        {"predictions": [...]}, plus "classes" and "probabilities" (one list per row, in
        the order of "classes") when asked."""
        if self.takes_columns:
            return self._answer(arrays, probabilities)
        if self.takes_array:
            return self._answer(_matrix(arrays.values()), probabilities)
        import pandas as pd

        return self._answer(pd.DataFrame(arrays, copy=False), probabilities)

    def predict(self, frame, probabilities: bool = False) -> dict:
        """The same answer for a validated DataFrame (batch scoring, "Try it")."""
        if self.takes_array:
            return self._answer(_matrix(frame[c.name].to_numpy() for c in self.columns),
                                probabilities)
        return self._answer(frame, probabilities)

    def call(self, method: str, frame):
        """`method` ("predict", "predict_proba") of the model on a validated DataFrame, as
        the model answers it (arrays, not JSON: model evaluation scores many rows)."""
        if self.takes_array:
            return self._call(method, _matrix(frame[c.name].to_numpy() for c in self.columns))
        return self._call(method, frame)

    def _answer(self, inputs, probabilities: bool) -> dict:
        if probabilities:
            self.check_probabilities()
        answer = {"predictions": to_json_values(self._call("predict", inputs))}
        if probabilities:
            answer["classes"] = to_json_values(self.model.classes_)
            answer["probabilities"] = to_json_values(self._call("predict_proba", inputs))
        return answer

    def _call(self, method: str, inputs):
        """A model that refuses the inputs (ValueError/TypeError from its checks) is the
        caller's problem to fix: a 422 with the model's own first line. Anything else
        propagates (500)."""
        try:
            return getattr(self.model, method)(inputs)
        except (ValueError, TypeError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:500]
            raise RequestError(f"The model could not score these inputs: {first}", 422,
                               "PredictionFailed") from None

    def describe(self) -> dict:
        return {"name": self.name, "version": self.version,
                "inputs": [c.to_json() for c in self.columns or []],
                "outputs": list((self.signature or {}).get("outputs") or []),
                "accepts_missing_values": self.allow_missing,
                "gives_probabilities": self.gives_probabilities,
                "runtime": self.runtime,
                "model_class": getattr(self.model, "model_class", None)
                or f"{type(self.model).__module__}.{type(self.model).__qualname__}"}


def _has(model, attribute: str) -> bool:
    """hasattr that also says no when scikit-learn's `available_if` refuses (AttributeError)
    or the model is not fitted."""
    try:
        return hasattr(model, attribute)
    except Exception:
        return False


def _matrix(columns):
    import numpy as np

    return np.column_stack(list(columns))


def to_json_values(result) -> list:
    """numpy/pandas output as plain lists; non-finite floats become null (JSON has no NaN)."""
    import numpy as np

    arr = np.asarray(result)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        arr = arr.astype(object)
        arr[~np.isfinite(np.asarray(result, dtype=float))] = None
    elif arr.dtype.kind == "M":
        arr = np.datetime_as_string(arr)
    return arr.tolist()
