"""Converting a registered scikit-learn model to ONNX with skl2onnx, from its signature.

The ONNX graph's inputs follow the signature (the columns and dtypes recorded at registration):
- all-numeric columns, for a model that does not select columns by name, become one float
  matrix input named ``input`` (shape [N, columns], in the signature's order);
- otherwise (text columns, or a ColumnTransformer that picks columns by name) every column is
  its own input of shape [N, 1], named as the column: float for numbers, string for text.
Classifiers give their probabilities as a plain [N, classes] tensor (no ZipMap), so a client
needs onnxruntime and nothing else.

skl2onnx works in float32, as scikit-learn's trees do themselves; a linear model's answers
differ from scikit-learn's in the last digits, which verification (onnx_verify.py) bounds.
"""

from __future__ import annotations

import json

from ..errors import InvalidInput
# The file's metadata keys are the runtime's (it reads what is written here); the runtime is
# self-contained (copied into container contexts), so it owns them.
from ..serving.runtime.onnx_model import (COLUMNS, MATRIX, META_CLASSES, META_COLUMNS,
                                          META_LAYOUT, META_MODEL_CLASS)

# The opset of the default ONNX domain the files target: recent enough for every converter
# skl2onnx has, old enough for onnxruntime builds a year old.
TARGET_OPSET = 17
MATRIX_INPUT = "input"

_NUMERIC = ("float", "int", "uint", "bool")


def is_numeric(dtype: str) -> bool:
    return str(dtype).lower().startswith(_NUMERIC)


def input_layout(model, signature: dict) -> str:
    """MATRIX or COLUMNS (see the module's docstring) for this model and signature."""
    columns = (signature or {}).get("inputs") or []
    if not columns:
        raise InvalidInput("This version has no signature (it was registered without an input "
                           "example), so the ONNX inputs are unknown. Register it again with "
                           "input_example=... to export it.")
    unsupported = [c for c in columns if str(c["dtype"]).startswith(("datetime", "timedelta"))]
    if unsupported:
        raise InvalidInput("ONNX export takes number and text columns only; "
                           + ", ".join(f"{c['name']!r} is {c['dtype']}" for c in unsupported)
                           + ". Turn them into numbers before fitting to export this model.")
    if all(is_numeric(c["dtype"]) for c in columns) and not _selects_by_name(model):
        return MATRIX
    return COLUMNS


def _selects_by_name(model) -> bool:
    from sklearn.compose import ColumnTransformer

    return any(isinstance(step, ColumnTransformer) for step in _steps(model))


def _steps(model):
    """The model and every estimator inside it (pipeline steps, transformers)."""
    yield model
    for attribute in ("steps", "transformers", "transformer_list"):
        for item in getattr(model, attribute, None) or []:
            inner = item[1] if isinstance(item, tuple) else item
            if hasattr(inner, "fit"):
                yield from _steps(inner)


def final_estimator(model):
    while hasattr(model, "steps"):
        model = model.steps[-1][1]
    return model


def convert(model, signature: dict) -> tuple[bytes, dict]:
    """(the ONNX file's bytes, what a runtime needs to feed it: layout, inputs, outputs).
    InvalidInput names the step skl2onnx cannot convert."""
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    layout = input_layout(model, signature)
    columns = signature["inputs"]
    if layout == MATRIX:
        initial_types = [(MATRIX_INPUT, FloatTensorType([None, len(columns)]))]
    else:
        initial_types = [(c["name"], FloatTensorType([None, 1]) if is_numeric(c["dtype"])
                          else StringTensorType([None, 1])) for c in columns]
    last = final_estimator(model)
    options = {id(last): {"zipmap": False}} if hasattr(last, "predict_proba") else None
    try:
        onx = to_onnx(model, initial_types=initial_types, target_opset=TARGET_OPSET,
                      options=options)
    except Exception as exc:  # skl2onnx says which class it has no converter for
        raise InvalidInput(_unsupported_message(model, exc)) from None
    classifier = hasattr(last, "predict_proba") and hasattr(last, "classes_")
    # What a runtime needs to feed the graph travels inside the file (onnx_model.py reads it).
    meta = {META_LAYOUT: layout,
            META_MODEL_CLASS: f"{type(model).__module__}.{type(model).__qualname__}",
            META_COLUMNS: json.dumps([{"name": c["name"], "numeric": is_numeric(c["dtype"])}
                                      for c in columns])}
    if classifier:
        meta[META_CLASSES] = json.dumps(_plain(model.classes_))
    for key, value in meta.items():
        entry = onx.metadata_props.add()
        entry.key, entry.value = key, value
    return onx.SerializeToString(), {
        "layout": layout, "opset": TARGET_OPSET, "classifier": classifier,
        "inputs": [name for name, _ in initial_types],
        "outputs": [o.name for o in onx.graph.output],
    }


def _plain(values) -> list:
    """Class labels as JSON values (numpy scalars become Python ones)."""
    return [v.item() if hasattr(v, "item") else v for v in list(values)]


def _unsupported_message(model, exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
    names = [f"{type(s).__module__}.{type(s).__qualname__}" for s in _steps(model)]
    culprit = next((n for n in names if n.rsplit(".", 1)[-1] in text or n in text), None)
    step = f"the step {culprit}" if culprit else f"a step of this {type(model).__name__}"
    return (f"Cannot export this model to ONNX: skl2onnx has no converter for {step} "
            f"({type(exc).__name__}: {text}). Nothing was stored. Models made of "
            "scikit-learn's own estimators and transformers export; a custom step needs its "
            "own skl2onnx converter.")
