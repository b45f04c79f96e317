"""A version's ONNX export: converted from its model and signature (onnx_export.py), verified
against scikit-learn on its input example and training snapshot (onnx_verify.py), then stored
content-addressed beside the version's model file and recorded on the version.

Nothing is stored unless conversion and verification both succeed. The file is read back only
through `onnx_file`, which checks it against the hash recorded on the version: a file changed
on disk is refused, and no other path is ever read.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import update

from ..clock import now_ms
from ..errors import InvalidInput, MlopsLabError, NotFound
from ..store.tables import models as t
from . import card as model_card
from . import onnx_export, onnx_verify
from . import serialization as model_files
from .entities import ModelVersion
from .names import user_name
from .rows import dump

SNAPSHOT_KIND = "snapshot"


class OnnxExports:
    """The ONNX methods of ModelService."""

    def export_onnx(self, ref: str, input_example: Any = None,
                    user: str | None = None) -> ModelVersion:
        """The version `ref` names with its ONNX file: made, verified and recorded now, or
        the one it has already."""
        return self._export(self.resolve(ref), input_example, user)

    def export_version(self, name: str, version, user: str | None = None) -> ModelVersion:
        """`export_onnx` of version `version` of the model named exactly `name`."""
        return self._export(self.get_version(name, version), None, user)

    def _export(self, mv: ModelVersion, input_example: Any, user: str | None) -> ModelVersion:
        if mv.onnx is not None:
            return mv
        # skops with its reviewed types; pickle is refused (ONNX is for models one can share)
        model = model_files.load_bytes(self.store.artifacts.read(mv.blob), mv.format,
                                       mv.trusted_types, what=f"model version {mv.ref}")
        prepared = self.prepare_onnx(model, mv.signature, input_example, mv.inputs)
        return self.attach_onnx(mv, prepared, user)

    def prepare_onnx(self, model, signature: dict, input_example: Any,
                     inputs: list[dict]) -> tuple[bytes, dict]:
        """(ONNX bytes, record) of a model, converted and verified; nothing stored yet."""
        data, info = onnx_export.convert(model, signature)
        batches = self._comparison_rows(signature, input_example, inputs)
        figures = onnx_verify.compare(model, data, batches, signature)
        return data, {**info, "verification": figures, "versions": _library_versions()}

    def attach_onnx(self, mv: ModelVersion, prepared: tuple[bytes, dict],
                    user: str | None = None) -> ModelVersion:
        """Stores the file (before its row, as every blob), then records it on the version."""
        data, record = prepared
        blob, size = self.store.artifacts.put_bytes(data)
        record = {**record, "blob": blob, "size": size, "created_at": now_ms(),
                  "created_by": user_name(user)}
        card = model_card.render({**asdict(mv), "onnx": record})
        v = t.model_versions
        with self.db.write() as conn:
            model_id = self._model_id(conn, mv.name)
            conn.execute(update(v).where(v.c.model_id == model_id, v.c.version == mv.version)
                         .values(onnx_blob=blob, onnx=dump(record), card=card))
        return self.get_version(mv.name, mv.version)

    def onnx_file(self, ref: str) -> tuple[ModelVersion, bytes]:
        """The version and its ONNX file, read from the store's own content-addressed blob
        and refused unless its bytes still hash to the recorded name."""
        mv = self.resolve(ref)
        if mv.onnx is None:
            raise NotFound(f"Model version {mv.ref} has no ONNX file. Export it with "
                           f"`mlops-lab models export {mv.ref} --format onnx`.")
        data = self.store.artifacts.read(mv.onnx["blob"])
        check_onnx_bytes(data, mv)
        return mv, data

    def _comparison_rows(self, signature: dict, input_example: Any,
                         inputs: list[dict]) -> list[tuple[str, Any]]:
        """The input example, and a sample of each training snapshot holding the signature's
        columns."""
        batches = []
        if input_example is not None:
            batches.append(("input example", input_example))
        names = [c["name"] for c in signature.get("inputs") or []]
        for link in inputs or []:
            if link.get("kind") != SNAPSHOT_KIND:
                continue
            try:
                snapshot = self.datasets.resolve(link["ref"])
                present = {c.get("name") for c in snapshot.schema}
                if not set(names) <= present:
                    continue  # the run read it, but it is not what the model takes
                _, frame = self.datasets.load(snapshot.id, columns=names)
            except MlopsLabError:
                continue  # a snapshot gone since: the other rows still count
            batches.append((f"training snapshot {link['label']}",
                            onnx_verify.sample(frame)))
        return batches


def check_onnx_bytes(data: bytes, mv: ModelVersion) -> None:
    from blake3 import blake3

    if blake3(data).hexdigest() != mv.onnx["blob"]:
        raise InvalidInput(f"Refusing the ONNX file of model version {mv.ref}: its contents "
                           "no longer match the hash recorded when it was exported (the file "
                           "was changed on disk). Export the version again.")


def _library_versions() -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("skl2onnx", "onnxruntime", "onnx")}
