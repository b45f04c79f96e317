"""Registry rules: models, their versions, aliases and the audited history of alias moves.

Entry points (the Python API, `%register`, REST handlers, the CLI, the kernel helper of the
toolbar button) call these methods and nothing below them. A registration writes the model
file first (content addressed), then allocates the version number and commits the row in one
short write transaction, so a row never points at a missing file and two processes never get
the same number.
"""

from __future__ import annotations

import getpass
import json
import math
from typing import Any

from sqlalchemy import func, insert, select, update

from ..clock import now_ms
from ..errors import InvalidInput, MlopsLabError, NotFound
from ..naming import clean_name
from ..store import Store
from ..store.tables import registry as t
from . import card as model_card
from . import requirements as reqs
from . import serialization as model_files
from . import signature
from .entities import AliasMove, Model, ModelOverview, ModelVersion, SavedBy
from .refs import ALIAS, LARGEST_NUMBER, MAX_VERSION, parse_ref

# A version's ref ("name/12") is also its run link ref, a column of 200 characters.
MODEL_NAME_MAX = 180
REASON_MAX = 2000
DESCRIPTION_MAX = 20_000
LIST_LIMIT = 10_000


def clean_model_name(name) -> str:
    return clean_name(name, "model name", MODEL_NAME_MAX)


def clean_alias(alias) -> str:
    if not isinstance(alias, str) or not ALIAS.match(alias):
        raise InvalidInput(f"An alias is 1 to 64 letters, digits, '_', '.' or '-' (like "
                           f"'champion'), not {str(alias)[:80]!r}.")
    if alias.isdigit():
        raise InvalidInput(f"An alias cannot be a number ({alias!r} would read as a version).")
    return alias


def clean_version(version) -> int:
    if isinstance(version, str) and version.strip().isdigit():
        version = int(version.strip())
    elif isinstance(version, float) and version.is_integer():
        version = int(version)  # JSON's 3.0 is the integer 3 (JSON Schema says so too)
    if isinstance(version, bool) or not isinstance(version, int):
        raise InvalidInput(f"A model version is a whole number from 1, not {version!r:.80}.")
    if not 1 <= version <= LARGEST_NUMBER:
        raise InvalidInput(f"A model version is a whole number from 1 to {LARGEST_NUMBER}.")
    return version


def _clean_text(value, what: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text, not {type(value).__name__}.")
    if "\x00" in value:
        raise InvalidInput(f"The {what} must not contain a NUL character.")
    if len(value) > limit:
        raise InvalidInput(f"The {what} may be at most {limit} characters long.")
    return value.strip() or None


def _user(user: str | None) -> str:
    if user:
        return str(user)[:255]
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment (some containers)
        return "unknown"


def _dump(doc) -> str:
    return json.dumps(doc, default=str)


def _load(text: str | None, default):
    return json.loads(text) if text else default


class RegistryService:
    def __init__(self, store: Store):
        self.store = store
        self.db = store.db

    @property
    def tracking(self):
        from ..tracking.service import TrackingService

        tracking = getattr(self, "_tracking", None)
        if tracking is None:
            tracking = self._tracking = TrackingService(self.store)
        return tracking

    # ---- registering ----------------------------------------------------------------------

    def register(self, model: Any = None, name: str | None = None, *, input_example: Any = None,
                 alias: str | None = None, description: str | None = None,
                 serialization: str = "skops", run_id: str | None = None,
                 artifact: str | None = None, user: str | None = None,
                 reason: str | None = None,
                 trusted_types: list[str] | None = None) -> ModelVersion:
        """A new version of model `name`: from `model` (saved with skops, or pickle when
        `serialization="pickle"`), or from the artifact `artifact` of run `run_id`
        (its blob is reused, not copied). `run_id` links the version to the run it came from:
        its cell, notebook, params, metrics and the data it read.

        A run's skops file is registered only if every type it holds beyond skops's defaults
        was reviewed when it was saved (`%%track` keeps that list with the file) or is named
        in `trusted_types`: the user's explicit acceptance after reading the refusal."""
        name = clean_model_name(name)
        description = _clean_text(description, "description", DESCRIPTION_MAX)
        reason = _clean_text(reason, "reason", REASON_MAX)
        alias = clean_alias(alias) if alias is not None else None
        if artifact is not None:
            if not run_id:
                raise InvalidInput("Registering a run's artifact needs the run: pass run_id too.")
            if model is not None:
                raise InvalidInput("Pass either a model or a run's artifact, not both.")
            model, file = self._from_artifact(run_id, artifact, serialization,
                                              _clean_types(trusted_types))
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
        doc = {
            "name": name,
            "description": description,
            "format": file["format"],
            "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
            "blob": file["blob"],
            "size": file["size"],
            "trusted_types": file["trusted_types"],
            "signature": signature.infer(model, input_example),
            "requirements": reqs.for_model(model),
            "run_id": run.id if run else None,
            "artifact": file.get("artifact"),
            "source": _lineage_source(run),
            "inputs": [{"kind": link.kind, "ref": link.ref, "label": link.label}
                       for link in (run.links if run else []) if link.direction == "input"],
            "params": dict(run.params) if run else {},
            "metrics": dict(run.metrics) if run else {},
            "created_by": _user(user),
        }
        version = self._insert_version(doc, alias, reason)
        if run is not None:
            ref = f"{name}/{version.version}"
            self.tracking.link_run(run.id, "output", "model_version", ref, ref)
        return version

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

    def run_that_saved(self, model, variable: str | None = None) -> SavedBy:
        """The newest run of this process that saved this very model: as
        ``models/<variable>.skops`` (what ``%%track`` does) when `variable` is given, else as
        any ``models/*.skops`` file. Registering it then reuses the run's file and keeps its
        lineage. Otherwise `SavedBy.run_id` is None and `reason` says why (no such run, a file
        whose types were not reviewed when it was saved, the model changed since). "This very
        model" means its state now equals its state when saved; nothing of the file is loaded."""
        import os
        import socket

        from ..store.tables.tracking import artifacts, runs
        from ..tracking.capture_models import blobs_saved_from, model_artifact_path, saved_from
        from ..tracking.model_saving import wait_for_writes

        wait_for_writes()  # a tracked cell's files are written after it returns

        what = repr(variable) if variable else "this model in its present state"
        if variable:
            which = artifacts.c.path == model_artifact_path(variable)
        else:
            which = artifacts.c.blob.in_(blobs_saved_from(model)) & \
                artifacts.c.path.like("models/%.skops")
        with self.db.read() as conn:
            row = conn.execute(
                select(runs.c.id, runs.c.name, artifacts.c.path, artifacts.c.blob,
                       artifacts.c.trusted_types)
                .join(artifacts, artifacts.c.run_id == runs.c.id)
                .where(which, runs.c.pid == os.getpid(), runs.c.host == socket.gethostname())
                .order_by(runs.c.start_time.desc()).limit(1)).first()
        if row is None:
            return SavedBy(reason=f"no tracked cell of this kernel saved {what}; run the cell "
                                  "that fits it with %%track to keep its lineage")
        where = f"run {row.name!r} ({row.id[:8]})"
        same = saved_from(row.blob, model)  # in memory: no file read for a changed model
        if same is False:
            return SavedBy(reason=f"{what} changed after {where} saved it (refitted or "
                                  "modified outside a tracked cell)")
        try:
            model_files.unreviewed_types(self.store.artifacts.read(row.blob),
                                         json.loads(row.trusted_types)
                                         if row.trusted_types else None,
                                         what=f"its file {row.path!r}")
        except MlopsLabError as exc:
            return SavedBy(reason=f"{where} saved {what}, but that file was not used: {exc}")
        if same is None:
            return SavedBy(reason=f"the file {row.path!r} of {where} was not saved from this "
                                  f"{type(model).__name__} by this kernel, or cannot be "
                                  "compared with it")
        return SavedBy(run_id=row.id, run_name=row.name, artifact=row.path)

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
            full = {**doc, "version": number, "created_at": now}
            full["card"] = model_card.render(full)
            conn.execute(insert(v).values(
                model_id=model_id, version=number, description=doc["description"],
                format=doc["format"], model_class=doc["model_class"][:500], blob=doc["blob"],
                size=doc["size"], trusted_types=_dump(doc["trusted_types"]),
                signature=_dump(doc["signature"]), requirements=_dump(doc["requirements"]),
                run_id=doc["run_id"], artifact=doc["artifact"], source=_dump(doc["source"]),
                inputs=_dump(doc["inputs"]), params=_dump(doc["params"]),
                metrics=_dump({k: _finite(x) for k, x in doc["metrics"].items()}),
                card=full["card"], created_at=now, created_by=doc["created_by"],
            ))
            if doc["description"]:
                conn.execute(update(m).where(m.c.id == model_id, m.c.description.is_(None))
                             .values(description=doc["description"]))
            aliases = []
            if alias:
                self._move_alias(conn, model_id, doc["name"], alias, number, reason,
                                 doc["created_by"], now)
                aliases = [alias]
        return ModelVersion(**{k: full[k] for k in _VERSION_FIELDS}, aliases=aliases)

    def _ensure_model(self, conn, name: str, now: int) -> int:
        m = t.models
        found = conn.execute(select(m.c.id).where(m.c.name == name)).scalar()
        if found is not None:
            return found
        if self.db.is_sqlite:
            from sqlalchemy.dialects.sqlite import insert as upsert
        else:
            from sqlalchemy.dialects.postgresql import insert as upsert
        # Another process may create it at the same moment: theirs is used then.
        conn.execute(upsert(m).values(name=name, latest_version=0, created_at=now,
                                      updated_at=now).on_conflict_do_nothing())
        return conn.execute(select(m.c.id).where(m.c.name == name)).scalar_one()

    # ---- aliases --------------------------------------------------------------------------

    def set_alias(self, name: str, alias: str, version, reason: str | None = None,
                  user: str | None = None) -> AliasMove:
        """Points `alias` of model `name` at `version` (creating or moving it), recorded in
        the alias history with who, when, from, to and why."""
        name, alias, version = clean_model_name(name), clean_alias(alias), clean_version(version)
        reason = _clean_text(reason, "reason", REASON_MAX)
        with self.db.write() as conn:
            model_id = self._model_id(conn, name)
            exists = version <= MAX_VERSION and conn.execute(
                select(t.model_versions.c.version).where(
                    t.model_versions.c.model_id == model_id,
                    t.model_versions.c.version == version)).first()
            if not exists:
                raise NotFound(f"Model {name!r} has no version {version}; see "
                               f"`mlops-lab models show {name}` for its versions.")
            return self._move_alias(conn, model_id, name, alias, version, reason, _user(user),
                                    now_ms())

    def delete_alias(self, name: str, alias: str, reason: str | None = None,
                     user: str | None = None) -> AliasMove:
        name, alias = clean_model_name(name), clean_alias(alias)
        reason = _clean_text(reason, "reason", REASON_MAX)
        a = t.model_aliases
        with self.db.write() as conn:
            model_id = self._model_id(conn, name)
            current = conn.execute(select(a.c.version).where(
                a.c.model_id == model_id, a.c.alias == alias)).scalar()
            if current is None:
                raise NotFound(f"Model {name!r} has no alias {alias!r}.")
            conn.execute(a.delete().where(a.c.model_id == model_id, a.c.alias == alias))
            return self._record_move(conn, model_id, name, alias, current, None, reason,
                                     _user(user), now_ms())

    def _move_alias(self, conn, model_id, name, alias, version, reason, user, now) -> AliasMove:
        a = t.model_aliases
        current = conn.execute(select(a.c.version).where(
            a.c.model_id == model_id, a.c.alias == alias)).scalar()
        if current is None:
            conn.execute(insert(a).values(model_id=model_id, alias=alias, version=version,
                                          updated_at=now, updated_by=user))
        else:
            conn.execute(update(a).where(a.c.model_id == model_id, a.c.alias == alias)
                         .values(version=version, updated_at=now, updated_by=user))
        return self._record_move(conn, model_id, name, alias, current, version, reason, user, now)

    def _record_move(self, conn, model_id, name, alias, from_version, to_version, reason, user,
                     now) -> AliasMove:
        conn.execute(insert(t.model_alias_history).values(
            model_id=model_id, alias=alias, from_version=from_version, to_version=to_version,
            reason=reason, moved_by=user, moved_at=now))
        return AliasMove(name=name, alias=alias, from_version=from_version,
                         to_version=to_version, reason=reason, moved_by=user, moved_at=now)

    def alias_target(self, name: str, alias: str) -> int | None:
        """The version `alias` points at now, or None (cheap: for hot-swap polling)."""
        m, a = t.models, t.model_aliases
        with self.db.read() as conn:
            return conn.execute(
                select(a.c.version).join(m, m.c.id == a.c.model_id)
                .where(m.c.name == name, a.c.alias == alias)).scalar()

    def alias_history(self, name: str, alias: str | None = None,
                      limit: int = LIST_LIMIT) -> list[AliasMove]:
        """Every move of the model's aliases (or of one alias), newest first."""
        name = clean_model_name(name)
        h = t.model_alias_history
        with self.db.read() as conn:
            model_id = self._model_id(conn, name)
            query = select(h).where(h.c.model_id == model_id)
            if alias is not None:
                query = query.where(h.c.alias == clean_alias(alias))
            rows = conn.execute(query.order_by(h.c.moved_at.desc(), h.c.id.desc())
                                .limit(limit)).all()
        return [AliasMove(name=name, alias=r.alias, from_version=r.from_version,
                          to_version=r.to_version, reason=r.reason, moved_by=r.moved_by,
                          moved_at=r.moved_at) for r in rows]

    # ---- reading ---------------------------------------------------------------------------

    def resolve(self, ref: str) -> ModelVersion:
        """The version a reference names: "name@alias", "name/3" or "name" (the latest)."""
        name, version, alias = parse_ref(ref)
        try:
            return self._resolve(name, version, alias)
        except NotFound:
            if (version, alias) != (None, None):  # a model whose name itself has '/' or '@'
                try:
                    return self._resolve(ref.strip(), None, None)
                except (NotFound, InvalidInput):
                    pass
            raise

    def _resolve(self, name: str, version: int | None, alias: str | None) -> ModelVersion:
        name = clean_model_name(name)
        if version is not None and version > MAX_VERSION:
            raise NotFound(f"Model {name!r} has no version {version}.")
        with self.db.read() as conn:
            model = conn.execute(select(t.models).where(t.models.c.name == name)).first()
            if model is None:
                raise NotFound(f"No model named {name!r}. List models with `mlops-lab models`.")
            if alias is not None:
                version = conn.execute(select(t.model_aliases.c.version).where(
                    t.model_aliases.c.model_id == model.id,
                    t.model_aliases.c.alias == alias)).scalar()
                if version is None:
                    raise NotFound(f"Model {name!r} has no alias {alias!r}.")
            elif version is None:
                version = conn.execute(select(func.max(t.model_versions.c.version)).where(
                    t.model_versions.c.model_id == model.id)).scalar()
                if version is None:
                    raise NotFound(f"Model {name!r} has no versions yet.")
            found = self._versions(conn, model, [version])
        if not found:
            raise NotFound(f"Model {name!r} has no version {version}.")
        return found[0]

    def get_version(self, name: str, version) -> ModelVersion:
        return self._resolve(name, clean_version(version), None)

    def list_versions(self, name: str, limit: int = LIST_LIMIT) -> list[ModelVersion]:
        """The model's versions, newest first."""
        name = clean_model_name(name)
        with self.db.read() as conn:
            model = conn.execute(select(t.models).where(t.models.c.name == name)).first()
            if model is None:
                raise NotFound(f"No model named {name!r}. List models with `mlops-lab models`.")
            return self._versions(conn, model, None, limit)

    def _versions(self, conn, model, numbers: list[int] | None,
                  limit: int = LIST_LIMIT) -> list[ModelVersion]:
        v, a = t.model_versions, t.model_aliases
        query = select(v).where(v.c.model_id == model.id)
        if numbers is not None:
            query = query.where(v.c.version.in_(numbers))
        rows = conn.execute(query.order_by(v.c.version.desc()).limit(limit)).all()
        aliases: dict[int, list[str]] = {}
        for alias, version in conn.execute(select(a.c.alias, a.c.version)
                                           .where(a.c.model_id == model.id).order_by(a.c.alias)):
            aliases.setdefault(version, []).append(alias)
        return [_version(model.name, row, aliases.get(row.version, [])) for row in rows]

    def get_model(self, name: str) -> Model:
        name = clean_model_name(name)
        found = self._models(t.models.c.name == name, LIST_LIMIT)
        if not found:
            raise NotFound(f"No model named {name!r}. List models with `mlops-lab models`.")
        return found[0]

    def overview(self, name: str) -> ModelOverview:
        """The model, its versions and its aliases' history: a model's view in one call."""
        return ModelOverview(self.get_model(name), self.list_versions(name),
                             self.alias_history(name))

    def list_models(self, q: str = "", limit: int = LIST_LIMIT) -> list[Model]:
        """Models whose name contains `q` (any case), most recently changed first."""
        if not isinstance(q, str) or "\x00" in q or len(q) > 1000:
            raise InvalidInput("The search text must be text of at most 1000 characters.")
        if not isinstance(limit, int) or not 1 <= limit <= LIST_LIMIT:
            raise InvalidInput(f"limit must be a whole number from 1 to {LIST_LIMIT}.")
        condition = None
        if q.strip():
            pattern = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace(
                "_", "\\_") + "%"
            condition = t.models.c.name.ilike(pattern, escape="\\")
        return self._models(condition, limit)

    def _models(self, condition, limit: int) -> list[Model]:
        m, a = t.models, t.model_aliases
        query = select(m)
        if condition is not None:
            query = query.where(condition)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(m.c.updated_at.desc(), m.c.id.desc())
                                .limit(limit)).all()
            aliases: dict[int, dict[str, int]] = {}
            ids = [r.id for r in rows]
            if ids:
                for model_id, alias, version in conn.execute(
                        select(a.c.model_id, a.c.alias, a.c.version)
                        .where(a.c.model_id.in_(ids)).order_by(a.c.alias)):
                    aliases.setdefault(model_id, {})[alias] = version
        return [Model(name=r.name, description=r.description, latest_version=r.latest_version,
                      created_at=r.created_at, updated_at=r.updated_at,
                      aliases=aliases.get(r.id, {})) for r in rows]

    def _model_id(self, conn, name: str) -> int:
        found = conn.execute(select(t.models.c.id).where(t.models.c.name == name)).scalar()
        if found is None:
            raise NotFound(f"No model named {name!r}. List models with `mlops-lab models`.")
        return found

    def lineage(self, name: str, version) -> dict:
        """version -> run -> cell/notebook -> data and features it read, plus what else the
        run made. The run part is read live (None if the run is gone)."""
        mv = self.get_version(name, version)
        doc: dict[str, Any] = {"version": mv.ref, "run": None, "source": mv.source,
                               "inputs": mv.inputs, "outputs": [], "artifact": mv.artifact}
        if mv.run_id:
            try:
                run = self.tracking.get_run(mv.run_id)
            except NotFound:
                return doc
            doc["run"] = {"id": run.id, "name": run.name, "status": run.status,
                          "experiment_id": run.experiment_id, "start_time": run.start_time,
                          "end_time": run.end_time}
            known = {(i["kind"], i["ref"]) for i in mv.inputs}
            doc["inputs"] = mv.inputs + [
                {"kind": link.kind, "ref": link.ref, "label": link.label}
                for link in run.links if link.direction == "input"
                and (link.kind, link.ref) not in known]
            doc["outputs"] = [{"kind": link.kind, "ref": link.ref, "label": link.label}
                              for link in run.links if link.direction == "output"]
        return doc

    # ---- loading ---------------------------------------------------------------------------

    def load(self, ref: str, allow_pickle: bool = False) -> tuple[ModelVersion, Any]:
        """The version `ref` names and its model, loaded safely: skops with exactly the
        trusted types stored with the version; pickle only with `allow_pickle=True`."""
        mv, data = self.read(ref, allow_pickle)
        what = f"model version {mv.ref}"
        return mv, model_files.load_bytes(data, mv.format, mv.trusted_types,
                                            allow_pickle=allow_pickle, what=what)

    def read(self, ref: str, allow_pickle: bool = False) -> tuple[ModelVersion, bytes]:
        """The version `ref` names and its model file's bytes, not loaded (a pickled version
        is refused here already unless `allow_pickle=True`)."""
        mv = self.resolve(ref)
        if mv.format == "pickle" and allow_pickle is not True:
            model_files.load_bytes(b"", mv.format, [], allow_pickle=False,
                                   what=f"model version {mv.ref}")
        return mv, self.store.artifacts.read(mv.blob)


_VERSION_FIELDS = ("name", "version", "format", "model_class", "blob", "size", "created_at",
                   "created_by", "description", "signature", "trusted_types", "requirements",
                   "run_id", "artifact", "source", "inputs", "params", "metrics", "card")


def _version(name: str, row, aliases: list[str]) -> ModelVersion:
    metrics = _load(row.metrics, {})
    return ModelVersion(
        name=name, version=row.version, format=row.format, model_class=row.model_class,
        blob=row.blob, size=row.size, created_at=row.created_at, created_by=row.created_by,
        aliases=aliases, description=row.description,
        signature=_load(row.signature, {"inputs": [], "outputs": []}),
        trusted_types=_load(row.trusted_types, []), requirements=_load(row.requirements, {}),
        run_id=row.run_id, artifact=row.artifact, source=_load(row.source, {}),
        inputs=_load(row.inputs, []), params=_load(row.params, {}),
        metrics={k: _number(x) for k, x in metrics.items()}, card=row.card,
    )


def _clean_types(types) -> list[str]:
    if types is None:
        return []
    if not isinstance(types, (list, tuple)) or not all(isinstance(x, str) and x for x in types):
        raise InvalidInput("trusted_types is a list of type names, like "
                           "['sklearn.tree._tree.Tree'].")
    return list(types)


def _lineage_source(run) -> dict:
    if run is None:
        return {}
    source = run.source or {}
    return {k: source.get(k) for k in ("notebook", "execution_count", "cell", "cell_hash", "kind")
            if source.get(k) is not None}


def _finite(value: float):
    """Metrics as JSON: non-finite values as their names."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _number(value):
    return float(value) if isinstance(value, str) else value

