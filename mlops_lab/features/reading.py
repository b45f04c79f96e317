"""Reading feature sets: one version, a set with its versions and freshness, search."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from ..errors import InvalidInput, NotFound
from ..store.tables import features as t
from .entities import FeatureSet, FeatureSetVersion, Materialization
from .names import clean_set_name, version_number


class Reading:
    """The reading methods of FeatureService."""

    def get_version(self, name: str, version: int | None = None) -> FeatureSetVersion:
        """One version (the newest when `version` is None)."""
        name = clean_set_name(name)
        fs, v = t.feature_sets.c, t.feature_set_versions.c
        query = (select(t.feature_set_versions, fs.name.label("set_name"))
                 .join(t.feature_sets, fs.id == v.feature_set_id).where(fs.name == name))
        if version is None:
            query = query.order_by(v.version.desc()).limit(1)
        else:
            query = query.where(v.version == version_number(version))
        with self.db.read() as conn:
            row = conn.execute(query).first()
            if row is None:
                raise self._not_found(conn, name, version)
            return self._version(row, self._last_materializations(conn, [row.id]).get(row.id))

    def versions(self, name: str) -> list[FeatureSetVersion]:
        return self.get(name).versions

    def get(self, name: str) -> FeatureSet:
        """A feature set with every version (newest first) and its freshness."""
        name = clean_set_name(name)
        fs, v = t.feature_sets.c, t.feature_set_versions.c
        with self.db.read() as conn:
            set_row = conn.execute(select(t.feature_sets).where(fs.name == name)).first()
            if set_row is None:
                raise self._not_found(conn, name, None)
            rows = conn.execute(select(t.feature_set_versions, fs.name.label("set_name"))
                                .join(t.feature_sets, fs.id == v.feature_set_id)
                                .where(v.feature_set_id == set_row.id)
                                .order_by(v.version.desc())).all()
            last = self._last_materializations(conn, [r.id for r in rows])
            sources = self._sources(conn, [r.id for r in rows]).get(set_row.id, [])
        versions = [self._version(r, last.get(r.id)) for r in rows]
        return self._feature_set(set_row, versions[0], len(versions), sources, versions)

    def search(self, query: str = "", tag: str | None = None, limit: int = 1000) -> list[FeatureSet]:
        """Feature sets whose name, features, description, owner, tags or source snapshots
        (those of the live version) contain every word of `query` (case-insensitive); `tag`
        is 'key' or 'key=value'.
        Every feature set of the store, newest first."""
        if not isinstance(query, str):
            raise InvalidInput("The search query must be text.")
        if len(query) > 1000:
            raise InvalidInput("The search query may be at most 1000 characters long.")
        words = query.lower().split()
        found = []
        for item in self._all_sets():
            if tag and not _has_tag(item.described.tags, tag):
                continue
            text = _search_text(item)
            if all(w in text for w in words):
                found.append(item)
        return found[:limit]

    def _all_sets(self) -> list[FeatureSet]:
        fs, v = t.feature_sets.c, t.feature_set_versions.c
        newest = (select(v.feature_set_id, func.max(v.version).label("version"))
                  .group_by(v.feature_set_id).subquery())
        with self.db.read() as conn:
            sets = {r.id: r for r in conn.execute(select(t.feature_sets))}
            counts = dict(conn.execute(select(v.feature_set_id, func.count())
                                       .group_by(v.feature_set_id)).all())
            rows = conn.execute(
                select(t.feature_set_versions, fs.name.label("set_name"))
                .join(t.feature_sets, fs.id == v.feature_set_id)
                .join(newest, (newest.c.feature_set_id == v.feature_set_id)
                      & (newest.c.version == v.version))).all()
            live_ids = [s.live_version_id for s in sets.values() if s.live_version_id]
            last = self._last_materializations(conn, [r.id for r in rows] + live_ids)
            live_rows = {r.id: r for r in conn.execute(
                select(t.feature_set_versions, fs.name.label("set_name"))
                .join(t.feature_sets, fs.id == v.feature_set_id)
                .where(v.id.in_(live_ids)))} if live_ids else {}
            sources = self._sources(conn, None)
        out = []
        for r in rows:
            s = sets[r.feature_set_id]
            live_row = live_rows.get(s.live_version_id)
            out.append(self._feature_set(
                s, self._version(r, last.get(r.id)), counts[s.id], sources.get(s.id, []), [],
                last.get(s.live_version_id),
                self._version(live_row, last.get(live_row.id)) if live_row is not None else None))
        out.sort(key=lambda f: (-(f.latest.created_at), f.name))
        return out

    def _feature_set(self, set_row, latest, count, sources, versions, live=None,
                     live_definition=None) -> FeatureSet:
        if set_row.live_version_id and live_definition is None:
            live_definition = next((x for x in versions if x.id == set_row.live_version_id), None)
        if live is None and live_definition is not None:
            live = live_definition.last_materialization
        return FeatureSet(id=set_row.id, name=set_row.name, created_at=set_row.created_at,
                          latest=latest, live_version=live.version if live else None,
                          version_count=count, live=live, sources=sources, versions=versions,
                          live_definition=live_definition)

    def _version_by_id(self, version_id: str) -> FeatureSetVersion:
        fs, v = t.feature_sets.c, t.feature_set_versions.c
        with self.db.read() as conn:
            row = conn.execute(select(t.feature_set_versions, fs.name.label("set_name"))
                               .join(t.feature_sets, fs.id == v.feature_set_id)
                               .where(v.id == version_id)).one()
            return self._version(row, self._last_materializations(conn, [version_id]).get(version_id))

    def _last_materializations(self, conn, version_ids: list[str]) -> dict[str, Materialization]:
        if not version_ids:
            return {}
        m, v, fs = t.feature_materializations.c, t.feature_set_versions.c, t.feature_sets.c
        rows = conn.execute(
            select(t.feature_materializations, v.version, fs.name.label("set_name"))
            .join(t.feature_set_versions, v.id == m.version_id)
            .join(t.feature_sets, fs.id == v.feature_set_id)
            .where(m.version_id.in_(set(version_ids)))
            .order_by(m.created_at, m.id)).all()
        return {r.version_id: materialization_from_row(r) for r in rows}  # the newest wins

    def _sources(self, conn, version_ids) -> dict[int, list[str]]:
        """Labels of the snapshots each feature set was materialised from."""
        m, v = t.feature_materializations.c, t.feature_set_versions.c
        query = (select(v.feature_set_id, m.source_label).distinct()
                 .join(t.feature_set_versions, v.id == m.version_id)
                 .where(m.source_kind == "snapshot", m.source_label.is_not(None)))
        if version_ids is not None:
            query = query.where(m.version_id.in_(version_ids))
        out: dict[int, list[str]] = {}
        for set_id, label in conn.execute(query):
            out.setdefault(set_id, []).append(label)
        return {k: sorted(vals) for k, vals in out.items()}

    def _not_found(self, conn, name: str, version) -> NotFound:
        fs = t.feature_sets.c
        if version is not None and conn.execute(select(fs.id).where(fs.name == name)).first():
            return NotFound(f"Feature set {name!r} has no version {version}.")
        return NotFound(f"No feature set named {name!r}. Define it with @ml.feature_set({name!r}, "
                        "entity=..., timestamp=...) or search with ml.search_features().")

    @staticmethod
    def _version(row, last: Materialization | None) -> FeatureSetVersion:
        return FeatureSetVersion(
            id=row.id, feature_set=row.set_name, version=row.version, source=row.source,
            source_hash=row.source_hash, function_name=row.function_name, module=row.module,
            entity=json.loads(row.entity), timestamp=row.timestamp_column, ttl_ms=row.ttl_ms,
            schema=json.loads(row.schema) if row.schema else None, owner=row.owner,
            description=row.description, tags=json.loads(row.tags), created_at=row.created_at,
            last_materialization=last)


def materialization_from_row(r) -> Materialization:
    return Materialization(
        id=r.id, version_id=r.version_id, feature_set=r.set_name, version=r.version, blob=r.blob,
        size=r.size, row_count=r.row_count, entity_count=r.entity_count,
        min_event_time=r.min_event_time, max_event_time=r.max_event_time,
        source_kind=r.source_kind, source_ref=r.source_ref, source_label=r.source_label,
        online_store=r.online_store, run_id=r.run_id, created_at=r.created_at)


def _has_tag(tags: dict[str, str], wanted: str) -> bool:
    key, sep, value = wanted.partition("=")
    key = key.strip()
    if key not in tags:
        return False
    return not sep or tags[key] == value.strip()


def _search_text(item: FeatureSet) -> str:
    v = item.described
    parts = [item.name, v.description or "", v.owner or "", *item.features, *item.sources,
             *(f"{k}={val}" for k, val in v.tags.items()), v.function_name]
    return "\n".join(parts).lower()
