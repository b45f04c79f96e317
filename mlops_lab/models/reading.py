"""Reading the registry: a version by reference, a model's versions, models by name, and a
version's model file (loaded safely)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..errors import InvalidInput, NotFound
from ..limits import check_limit
from ..store import keyset
from ..store.keyset import SortKey
from ..store.tables import models as t
from . import serialization as model_files
from .entities import Model, ModelOverview, ModelVersion
from .names import LIST_LIMIT, clean_model_name, clean_version
from .refs import MAX_VERSION, parse_ref
from .rows import version_from_row


class Reading:
    """The reading methods of ModelService."""

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

    def versions_from_artifact(self, run_id: str, artifact: str) -> list[ModelVersion]:
        """The versions registered from the run's model file `artifact` (its card is theirs)."""
        v = t.model_versions.c
        with self.db.read() as conn:
            found = conn.execute(select(t.models.c.name, v.version).join(
                t.models, t.models.c.id == v.model_id).where(
                v.run_id == run_id, v.artifact == artifact).order_by(v.created_at)).all()
        return [self.get_version(name, number) for name, number in found]

    def artifact_preview(self, run_id: str, path: str) -> dict:
        """A run artifact's preview (tracking's); a model file's comes with the name, version
        and card of each version registered from it."""
        doc = self.tracking.artifact_preview(run_id, path)
        if doc["kind"] == "model":
            doc["versions"] = [{"name": v.name, "version": v.version, "card": v.card}
                               for v in self.versions_from_artifact(run_id, doc["path"])]
        return doc

    def list_versions(self, name: str, limit: int = LIST_LIMIT,
                      after: int | None = None) -> list[ModelVersion]:
        """The model's versions, newest first (with `after`, those older than that one)."""
        name = clean_model_name(name)
        with self.db.read() as conn:
            model = conn.execute(select(t.models).where(t.models.c.name == name)).first()
            if model is None:
                raise NotFound(f"No model named {name!r}. List models with `mlops-lab models`.")
            return self._versions(conn, model, None, limit, after)

    def _versions(self, conn, model, numbers: list[int] | None,
                  limit: int = LIST_LIMIT, after: int | None = None) -> list[ModelVersion]:
        v, a = t.model_versions, t.model_aliases
        query = select(v).where(v.c.model_id == model.id)
        if numbers is not None:
            query = query.where(v.c.version.in_(numbers))
        if after is not None:
            query = query.where(v.c.version < after)
        rows = conn.execute(query.order_by(v.c.version.desc()).limit(limit)).all()
        aliases: dict[int, list[str]] = {}
        for alias, version in conn.execute(select(a.c.alias, a.c.version)
                                           .where(a.c.model_id == model.id).order_by(a.c.alias)):
            aliases.setdefault(version, []).append(alias)
        return [version_from_row(model.name, row, aliases.get(row.version, [])) for row in rows]

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

    def list_models(self, q: str = "", limit: int = LIST_LIMIT,
                    after: list | None = None) -> list[Model]:
        """Models whose name contains `q` (any case), most recently changed first; `after` a
        model's (updated_at, name), the models after it."""
        if not isinstance(q, str) or "\x00" in q or len(q) > 1000:
            raise InvalidInput("The search text must be text of at most 1000 characters.")
        check_limit(limit, LIST_LIMIT)
        condition = None
        if q.strip():
            pattern = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace(
                "_", "\\_") + "%"
            condition = t.models.c.name.ilike(pattern, escape="\\")
        return self._models(condition, limit, after)

    def _models(self, condition, limit: int, after: list | None = None) -> list[Model]:
        m, a = t.models, t.model_aliases
        query = select(m)
        if condition is not None:
            query = query.where(condition)
        order = [SortKey(m.c.updated_at, True), SortKey(m.c.name, True)]
        with self.db.read() as conn:
            rows = conn.execute(keyset.page_query(query, order, after, limit)).all()
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

    def model_id(self, name: str) -> int:
        """The model's row id (another part's rows that belong to a model point at it)."""
        with self.db.read() as conn:
            return self._model_id(conn, clean_model_name(name))

    def model_name(self, model_id: int) -> str:
        with self.db.read() as conn:
            found = conn.execute(select(t.models.c.name).where(t.models.c.id == model_id)).scalar()
        if found is None:
            raise NotFound(f"No model with id {model_id}.")
        return found

    def _model_id(self, conn, name: str) -> int:
        found = conn.execute(select(t.models.c.id).where(t.models.c.name == name)).scalar()
        if found is None:
            raise NotFound(f"No model named {name!r}. List models with `mlops-lab models`.")
        return found

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
