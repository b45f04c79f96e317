"""A monitor's reference: the data the version was trained on (the snapshot its run read, as
its lineage records) or a snapshot the user names, reduced once to statistics that are stored
with the monitor, so a monitor run never reads the reference data again."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...errors import InvalidInput, NotFound

PREDICTION = "prediction"


def input_columns(version) -> list[str]:
    return [c["name"] for c in (version.signature or {}).get("inputs") or []]


def training_snapshot(version) -> str | None:
    """The id of the first snapshot the version's run read, from the version's lineage."""
    for link in version.inputs or []:
        if link.get("kind") == "snapshot" and link.get("ref"):
            return link["ref"]
    return None


def load(datasets, version, reference_ref: str | None) -> tuple[Any, pd.DataFrame]:
    """The reference snapshot and its data, restricted to the version's input columns (and the
    label column when the snapshot has it)."""
    columns = input_columns(version)
    if not columns:
        raise InvalidInput(f"Version {version.ref} has no signature (it was registered without "
                           "an input example), so there are no columns to monitor. Register a "
                           "version with input_example=X.")
    ref = reference_ref or training_snapshot(version)
    if ref is None:
        raise InvalidInput(f"Version {version.ref} has no recorded training data (its run read "
                           "no snapshot). Name the reference: reference='customers@3'.")
    try:
        snapshot = datasets.resolve(ref)
    except NotFound:
        raise InvalidInput(f"The reference snapshot {ref!r} of version {version.ref} is gone; "
                           "name another: reference='customers@3'.") from None
    names = [c["name"] for c in snapshot.schema]
    missing = [c for c in columns if c not in names]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise InvalidInput(f"The reference snapshot {snapshot.ref} lacks the model's input "
                           f"column(s) {shown}. Name a snapshot with them: reference=….")
    _, frame = datasets.load(snapshot.id)
    return snapshot, frame


def build(model, version, snapshot, frame: pd.DataFrame, label: str | None) -> dict[str, Any]:
    """The stored reference: statistics of the inputs and of the model's predictions on them
    (for prediction drift), and when the label is known, how well the model's probabilities are
    calibrated there (an estimate of performance without labels relies on it)."""
    from ..drift import ReferenceProfile
    from . import performance

    columns = input_columns(version)
    inputs = frame[columns]
    predictions = pd.DataFrame({PREDICTION: performance.predict(model, inputs)})
    doc: dict[str, Any] = {
        "snapshot": snapshot.ref, "snapshot_id": snapshot.id,
        "snapshot_created_at": snapshot.created_at, "version": version.version,
        "rows": len(frame),
        "features": ReferenceProfile.from_frame(inputs).to_json(),
        "prediction": ReferenceProfile.from_frame(
            predictions, kinds={PREDICTION: performance.prediction_kind(model)}).to_json(),
        "calibration": None,
    }
    if label and label in frame.columns:
        doc["calibration"] = performance.calibration(model, inputs, frame[label])
    return doc
