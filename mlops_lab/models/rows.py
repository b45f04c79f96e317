"""A model version's row as a `ModelVersion`, and the JSON documents in its text columns."""

from __future__ import annotations

import json

from ..jsonvalues import named_number
from .entities import ModelVersion

def dump(doc) -> str:
    return json.dumps(doc, default=str)


def load(text: str | None, default):
    return json.loads(text) if text else default


VERSION_FIELDS = ("name", "version", "format", "model_class", "blob", "size", "created_at",
                   "created_by", "description", "signature", "trusted_types", "requirements",
                   "run_id", "artifact", "source", "inputs", "params", "metrics", "card", "onnx")


def version_from_row(name: str, row, aliases: list[str]) -> ModelVersion:
    metrics = load(row.metrics, {})
    return ModelVersion(
        name=name, version=row.version, format=row.format, model_class=row.model_class,
        blob=row.blob, size=row.size, created_at=row.created_at, created_by=row.created_by,
        aliases=aliases, description=row.description,
        signature=load(row.signature, {"inputs": [], "outputs": []}),
        trusted_types=load(row.trusted_types, []), requirements=load(row.requirements, {}),
        run_id=row.run_id, artifact=row.artifact, source=load(row.source, {}),
        inputs=load(row.inputs, []), params=load(row.params, {}),
        metrics={k: named_number(x) for k, x in metrics.items()}, card=row.card,
        onnx=load(row.onnx, None),
    )
