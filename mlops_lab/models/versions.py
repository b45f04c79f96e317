"""Registering a model version: the model file first (content addressed), then the version
number allocated and the row committed in one short write transaction, so a row never points at
a missing file and two processes never get the same number."""

from __future__ import annotations

import warnings
from typing import Any

from sqlalchemy import insert, select, update

from ..clock import now_ms
from ..errors import InvalidInput, NotFound
from ..jsonvalues import finite_named
from ..store.tables import models as t
from ..store.upsert import upsert_for
from . import card as model_card
from . import events
from . import requirements as reqs
from . import serialization as model_files
from . import signature
from .entities import ModelVersion
from .names import (DESCRIPTION_MAX, REASON_MAX, clean_alias, clean_model_name, clean_text,
                    clean_types, user_name)
from .rows import VERSION_FIELDS, dump

# How far back a new signature looks for a version that has one to compare with.
SIGNATURE_LOOKBACK = 100


class Versions:
    """The registering methods of ModelService."""

    def register(self, model: Any = None, name: str | None = None, *, input_example: Any = None,
                 alias: str | None = None, description: str | None = None,
                 serialization: str = "skops", run_id: str | None = None,
                 artifact: str | None = None, user: str | None = None,
                 reason: str | None = None,
                 trusted_types: list[str] | None = None, onnx: bool = False) -> ModelVersion:
        """A new version of model `name`: from `model` (saved with skops, or pickle when
        `serialization="pickle"`), or from the artifact `artifact` of run `run_id`
        (its blob is reused, not copied). `run_id` links the version to the run it came from:
        its cell, notebook, params, metrics and the data it read.

        A run's skops file is registered only if every type it holds beyond skops's defaults
        was reviewed when it was saved (`%%track` keeps that list with the file) or is named
        in `trusted_types`: the user's explicit acceptance after reading the refusal.

        `onnx=True` also exports the version to ONNX, verified on the input example and its
        training snapshot first: a model that cannot be exported or verified registers
        nothing."""
        name = clean_model_name(name)
        description = clean_text(description, "description", DESCRIPTION_MAX)
        reason = clean_text(reason, "reason", REASON_MAX)
        alias = clean_alias(alias) if alias is not None else None
        if artifact is not None:
            if not run_id:
                raise InvalidInput("Registering a run's artifact needs the run: pass run_id too.")
            if model is not None:
                raise InvalidInput("Pass either a model or a run's artifact, not both.")
            model, file = self._from_artifact(run_id, artifact, serialization,
                                              clean_types(trusted_types))
        else:
            if trusted_types:
                raise InvalidInput("trusted_types is for registering a run's skops file "
                                   "(run_id and artifact); a live model is saved with the "
                                   "types it holds.")
            if model is None:
                raise InvalidInput("Nothing to register: pass a fitted model, or run_id and "
                                   "artifact of a model a run logged.")
            file = self._save(model, serialization)
        if not callable(getattr(model, "predict", None)):
            raise InvalidInput(f"A {type(model).__name__} is not a model: it has no predict "
                               "method. Register a fitted estimator or pipeline.")
        run = self.tracking.get_run(run_id) if run_id else None
        inferred = signature.infer(model, input_example)
        change = self.signature_change(name, inferred)
        if change is not None:  # allowed (a retrained model may take new columns), but said
            warnings.warn(change["message"], signature.SignatureChangeWarning, stacklevel=3)
        doc = {
            "name": name,
            "description": description,
            "format": file["format"],
            "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
            "blob": file["blob"],
            "size": file["size"],
            "trusted_types": file["trusted_types"],
            "signature": inferred,
            "requirements": reqs.for_model(model),
            "run_id": run.id if run else None,
            "artifact": file.get("artifact"),
            "source": lineage_source(run),
            "inputs": [{"kind": link.kind, "ref": link.ref, "label": link.label}
                       for link in (run.links if run else []) if link.direction == "input"],
            "params": dict(run.params) if run else {},
            "metrics": dict(run.metrics) if run else {},
            "created_by": user_name(user),
        }
        # Converted and verified before anything is written, so a failure leaves no version.
        prepared = (self.prepare_onnx(model, doc["signature"], input_example, doc["inputs"])
                    if onnx else None)
        version = self._insert_version(doc, alias, reason)
        if prepared is not None:
            version = self.attach_onnx(version, prepared, user)
        if run is not None:
            ref = f"{name}/{version.version}"
            self.tracking.link_run(run.id, "output", "model_version", ref, ref)
        return version

    def signature_change(self, name: str, new: dict) -> dict | None:
        """How the input columns of signature `new` differ from those of the newest version
        of model `name` that has a signature: {"version", "added", "removed", "retyped",
        "message"}, or None (no difference, no such version, or `new` has no inputs)."""
        try:
            versions = self.list_versions(name, limit=SIGNATURE_LOOKBACK)
        except NotFound:
            return None
        before = next((v for v in versions if v.signature.get("inputs")), None)
        change = before and signature.difference(before.signature["inputs"], new["inputs"])
        if not change:
            return None
        return {"version": before.version, **change,
                "message": signature.describe(change, before.version)}

    def _save(self, model, serialization: str) -> dict:
        data, fmt, trusted = model_files.dump(model, serialization)
        blob, size = self.store.artifacts.put_bytes(data)  # the file before its row
        return {"format": fmt, "trusted_types": trusted, "blob": blob, "size": size}

    def _from_artifact(self, run_id: str, artifact: str, serialization: str,
                       accepted: list[str] | None):
        info, stream = self.tracking.open_artifact(run_id, artifact)
        stream.close()
        data = self.store.artifacts.read(info.blob)
        if info.path.endswith(".skops"):
            fmt = "skops"
            # The types reviewed when the file was saved (or named by the user now), never
            # the file's own say: anything else is refused before the file is loaded.
            trusted = model_files.unreviewed_types(
                data, info.trusted_types, accepted,
                what=f"artifact {info.path!r} of run {run_id}")
        elif serialization == "pickle":
            fmt, trusted = "pickle", []
        else:
            raise InvalidInput(
                f"Artifact {info.path!r} is not a .skops file. A pickle or joblib file is "
                "registered only with serialization='pickle' (and loads only with "
                "allow_pickle=True)."
            )
        model = model_files.load_bytes(data, fmt, trusted, allow_pickle=fmt == "pickle",
                                         what=f"artifact {info.path!r}")
        return model, {"format": fmt, "trusted_types": trusted, "blob": info.blob,
                       "size": info.size, "artifact": info.path}

    def _insert_version(self, doc: dict, alias: str | None, reason: str | None) -> ModelVersion:
        m, v = t.models, t.model_versions
        now = now_ms()
        with self.db.write() as conn:
            model_id = self._ensure_model(conn, doc["name"], now)
            # The counter bump takes the model row's lock until commit: the next registration
            # of this model waits here and gets the next number.
            number = conn.execute(
                update(m).where(m.c.id == model_id)
                .values(latest_version=m.c.latest_version + 1, updated_at=now)
                .returning(m.c.latest_version)
            ).scalar_one()
            full = {**doc, "version": number, "created_at": now, "onnx": None}
            full["card"] = model_card.render(full)
            conn.execute(insert(v).values(
                model_id=model_id, version=number, description=doc["description"],
                format=doc["format"], model_class=doc["model_class"][:500], blob=doc["blob"],
                size=doc["size"], trusted_types=dump(doc["trusted_types"]),
                signature=dump(doc["signature"]), requirements=dump(doc["requirements"]),
                run_id=doc["run_id"], artifact=doc["artifact"], source=dump(doc["source"]),
                inputs=dump(doc["inputs"]), params=dump(doc["params"]),
                metrics=dump({k: finite_named(x) for k, x in doc["metrics"].items()}),
                card=full["card"], created_at=now, created_by=doc["created_by"],
            ))
            self.webhooks.queue(conn, events.VERSION_REGISTERED,
                                events.version_registered(doc, number, now), None, now)
            if doc["description"]:
                conn.execute(update(m).where(m.c.id == model_id, m.c.description.is_(None))
                             .values(description=doc["description"]))
            aliases = []
            if alias:
                self._move_alias(conn, model_id, doc["name"], alias, number, reason,
                                 doc["created_by"], now)
                aliases = [alias]
        return ModelVersion(**{k: full[k] for k in VERSION_FIELDS}, aliases=aliases)

    def _ensure_model(self, conn, name: str, now: int) -> int:
        m = t.models
        found = conn.execute(select(m.c.id).where(m.c.name == name)).scalar()
        if found is not None:
            return found
        # Another process may create it at the same moment: theirs is used then.
        conn.execute(upsert_for(self.db.dialect)(m).values(name=name, latest_version=0, created_at=now,
                                      updated_at=now).on_conflict_do_nothing())
        return conn.execute(select(m.c.id).where(m.c.name == name)).scalar_one()


def lineage_source(run) -> dict:
    if run is None:
        return {}
    source = run.source or {}
    return {k: source.get(k) for k in ("notebook", "execution_count", "cell", "cell_hash", "kind")
            if source.get(k) is not None}
