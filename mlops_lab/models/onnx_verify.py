"""Verifying an ONNX export before it is kept: the same rows scored by scikit-learn and by
onnxruntime must give the same labels, and probabilities (or a regressor's values) within a
stated tolerance. The rows are the version's input example and a sample of its training
snapshot; the figures are stored with the ONNX record and shown in the model card.

Tolerances (skl2onnx computes in float32, scikit-learn in float64; trees agree exactly since
scikit-learn's trees compare float32 too):
- classifiers: every label equal; every probability within 1e-4 (absolute);
- regressors: every value within 1e-5 relative, i.e. |onnx - sklearn| <= 1e-5 * max(1, |sklearn|).
"""

from __future__ import annotations

from ..errors import InvalidInput
from ..serving.runtime.onnx_model import OnnxModel

PROBABILITY_ABS_TOLERANCE = 1e-4
VALUE_REL_TOLERANCE = 1e-5
SAMPLE_ROWS = 1000


def compare(model, data: bytes, batches: list[tuple[str, object]], signature: dict) -> dict:
    """The verification figures of ONNX file `data` against `model` on `batches` (a list of
    (where the rows came from, a DataFrame or 2-d array)). InvalidInput says what disagreed
    when it fails; nothing is stored then."""
    import numpy as np

    if not batches:
        raise InvalidInput(
            "No rows to verify the ONNX export on: the version has no input example at hand "
            "and no training snapshot in its lineage. Export it with an input example "
            "(ml.export_onnx(ref, input_example=X_test)) or register it with onnx=True and "
            "input_example=... .")
    onnx_model = OnnxModel(data)
    names = [c["name"] for c in signature["inputs"]]
    labels_equal, rows, max_diff, worst_rel = 0, 0, 0.0, 0.0
    classifier = hasattr(onnx_model, "classes_")
    for source, rows_in in batches:
        columns = _columns(rows_in, names)
        expected = np.asarray(model.predict(rows_in))
        got = np.asarray(onnx_model.predict(columns))
        if got.shape != expected.shape:
            raise InvalidInput(f"ONNX verification failed on the {source}: scikit-learn gives "
                               f"predictions of shape {expected.shape}, the ONNX file "
                               f"{got.shape}. Nothing was stored.")
        rows += len(expected)
        if classifier:
            labels_equal += int((got.astype(str) == expected.astype(str)).sum())
            diff = np.abs(np.asarray(model.predict_proba(rows_in), dtype=float)
                          - onnx_model.predict_proba(columns).astype(float))
            max_diff = max(max_diff, float(diff.max()) if diff.size else 0.0)
        else:
            expected, got = expected.astype(float), got.astype(float)
            diff = np.abs(got - expected)
            max_diff = max(max_diff, float(diff.max()) if diff.size else 0.0)
            rel = diff / np.maximum(1.0, np.abs(expected))
            worst_rel = max(worst_rel, float(rel.max()) if rel.size else 0.0)
    figures = {"rows_compared": rows, "sources": [s for s, _ in batches],
               "max_abs_difference": max_diff}
    if classifier:
        figures.update(label_agreement=labels_equal / rows if rows else 1.0,
                       compared="labels and class probabilities",
                       tolerance={"probabilities_abs": PROBABILITY_ABS_TOLERANCE},
                       passed=labels_equal == rows and max_diff <= PROBABILITY_ABS_TOLERANCE)
    else:
        figures.update(label_agreement=None, compared="predicted values",
                       max_rel_difference=worst_rel,
                       tolerance={"values_rel": VALUE_REL_TOLERANCE},
                       passed=worst_rel <= VALUE_REL_TOLERANCE)
    if not figures["passed"]:
        raise InvalidInput(_failure(figures, classifier) + " Nothing was stored.")
    return figures


def _columns(rows, names: list[str]) -> dict:
    """{column: values} of a DataFrame or a 2-d array, in the signature's names."""
    import numpy as np

    if hasattr(rows, "columns"):
        return {n: rows[n].to_numpy() for n in names}
    array = np.asarray(rows)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    return {n: array[:, i] for i, n in enumerate(names)}


def _failure(figures: dict, classifier: bool) -> str:
    head = f"ONNX verification failed on {figures['rows_compared']} rows: "
    if classifier:
        parts = []
        if figures["label_agreement"] < 1:
            parts.append(f"labels agree on {figures['label_agreement']:.2%} of rows only")
        if figures["max_abs_difference"] > PROBABILITY_ABS_TOLERANCE:
            parts.append(f"probabilities differ by up to {figures['max_abs_difference']:.3g} "
                         f"(tolerance {PROBABILITY_ABS_TOLERANCE:g})")
        return head + "; ".join(parts) + "."
    return (head + f"values differ by up to {figures['max_rel_difference']:.3g} relative "
            f"(tolerance {VALUE_REL_TOLERANCE:g}).")


def sample(frame, n: int = SAMPLE_ROWS, seed: int = 0):
    """At most `n` rows of a snapshot, drawn reproducibly."""
    return frame if len(frame) <= n else frame.sample(n=n, random_state=seed)
