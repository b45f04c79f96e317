"""The feature store's rules: registering versions, materialising them, training sets and
online lookups, search. Entry points (api.py, REST, CLI) call one method of FeatureService."""

from __future__ import annotations

import getpass
import json
import re
import uuid
import warnings
from typing import Callable

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..clock import now_ms
from ..errors import InvalidInput, NotFound
from ..naming import clean_key, clean_name
from ..store import Store
from ..store.tables import features as t
from . import definition as defs
from . import offline
from .entities import FeatureSet, FeatureSetVersion, Materialization
from .online import entity_key, latest_rows, open_online_store
from .refs import group_refs, parse_refs
from .sources import load_source

_RETRIES = 5


def clean_set_name(name) -> str:
    name = clean_name(name, "feature set name")
    if ":" in name or "@" in name:
        raise InvalidInput(f"A feature set name cannot contain ':' or '@' (they separate the set, "
                           f"version and feature in 'set@v2:feature'): {name!r}.")
    return name


def ttl_to_ms(ttl) -> int | None:
    """A TTL as ms: a timedelta, a pandas Timedelta or its text ('30d', '12h'), or seconds."""
    if ttl is None:
        return None
    try:
        if isinstance(ttl, bool):
            raise TypeError
        if isinstance(ttl, (int, float)):
            delta = pd.Timedelta(seconds=ttl)
        else:
            if isinstance(ttl, str):  # "30d": pandas now spells days "D"
                ttl = re.sub(r"(?<=\d)\s*d\b", "D", ttl.strip())
            delta = pd.Timedelta(ttl)
    except (TypeError, ValueError):
        raise InvalidInput(f"ttl is a duration such as '30d', timedelta(hours=6) or seconds, not "
                           f"{ttl!r}.") from None
    ms = int(delta / pd.Timedelta(milliseconds=1))
    if ms <= 0:
        raise InvalidInput(f"ttl must be positive, not {ttl!r}.")
    return ms


def clean_tags(tags) -> dict[str, str]:
    if tags is None:
        return {}
    if isinstance(tags, (list, tuple, set)):
        tags = {tag: "" for tag in tags}
    if not isinstance(tags, dict):
        raise InvalidInput("tags are a dict {'team': 'growth'} or a list ['pii', 'daily'].")
    return {clean_key(k, "tag key"): "" if v is None or str(v).strip() == ""
            else clean_name(str(v), "tag value") for k, v in tags.items()}


def clean_columns(value, what: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise InvalidInput(f"{what} is a column name or a list of column names.")
    return [clean_key(c, what) for c in items]


class FeatureService:
    def __init__(self, store: Store, online=None):
        self.store = store
        self.db = store.db
        self._online = online

    @property
    def online(self):
        if self._online is None:
            self._online = open_online_store(self.store)
        return self._online

    # ---- definitions -----------------------------------------------------------------

    def register(self, name: str, fn: Callable, *, entity, timestamp: str, ttl=None,
                 owner: str | None = None, description: str | None = None,
                 tags=None) -> FeatureSetVersion:
        """The version of `fn`'s definition: the existing one when this definition (source,
        entity, timestamp, TTL) was registered before, else the next version number."""
        name = clean_set_name(name)
        entity = clean_columns(entity, "entity")
        timestamp = clean_key(timestamp, "timestamp column")
        if timestamp in entity:
            raise InvalidInput(f"The timestamp column {timestamp!r} cannot also be an entity key.")
        definition = defs.make_definition(name, fn, entity, timestamp, ttl_to_ms(ttl))
        owner = clean_name(owner, "owner", 255) if owner is not None else _user()
        description = None if description is None else clean_name(description, "description",
                                                                   10_000)
        tags = clean_tags(tags)
        version_id = self._allocate(definition, owner, description, tags)
        defs.remember(name, definition.source_hash, fn)
        return self._version_by_id(version_id)

    def _allocate(self, d: defs.Definition, owner, description, tags) -> str:
        fs, v = t.feature_sets.c, t.feature_set_versions.c
        for attempt in range(_RETRIES):
            try:
                with self.db.write() as conn:
                    # The set's row locked (PostgreSQL; SQLite's write lock is already held):
                    # version numbers of one set are allocated one writer at a time.
                    set_id = conn.execute(select(fs.id).where(fs.name == d.name)
                                          .with_for_update()).scalar()
                    if set_id is None:
                        set_id = conn.execute(t.feature_sets.insert().values(
                            name=d.name, created_at=now_ms())).inserted_primary_key[0]
                    existing = conn.execute(select(v.id).where(
                        v.feature_set_id == set_id, v.definition_hash == d.definition_hash)).scalar()
                    if existing is not None:
                        conn.execute(t.feature_set_versions.update()
                                     .where(v.id == existing)
                                     .values(owner=owner, description=description,
                                             tags=json.dumps(tags)))
                        return existing
                    number = conn.execute(select(func.coalesce(func.max(v.version), 0))
                                          .where(v.feature_set_id == set_id)).scalar() + 1
                    version_id = uuid.uuid4().hex
                    conn.execute(t.feature_set_versions.insert().values(
                        id=version_id, feature_set_id=set_id, version=number,
                        definition_hash=d.definition_hash, source_hash=d.source_hash,
                        source=d.source, function_name=d.function_name, module=d.module,
                        entity=json.dumps(list(d.entity)), timestamp_column=d.timestamp,
                        ttl_ms=d.ttl_ms, schema=None, owner=owner, description=description,
                        tags=json.dumps(tags), created_at=now_ms()))
                    return version_id
            except IntegrityError:
                # Another process registered the same set or version number first: read again.
                if attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    # ---- reading ---------------------------------------------------------------------

    def get_version(self, name: str, version: int | None = None) -> FeatureSetVersion:
        """One version (the newest when `version` is None)."""
        name = clean_set_name(name)
        fs, v = t.feature_sets.c, t.feature_set_versions.c
        query = (select(t.feature_set_versions, fs.name.label("set_name"))
                 .join(t.feature_sets, fs.id == v.feature_set_id).where(fs.name == name))
        if version is None:
            query = query.order_by(v.version.desc()).limit(1)
        else:
            query = query.where(v.version == _version_number(version))
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
        return {r.version_id: _materialization(r) for r in rows}  # the newest wins

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

    # ---- materialising ---------------------------------------------------------------

    def materialize(self, name: str, source, version: int | None = None, *,
                    exec_source: bool = False, run_id: str | None = None) -> Materialization:
        """Runs the version's function (the newest version by default) over `source` (a
        DataFrame or a snapshot 'name@3'), writes its output to the offline store (Parquet) and
        each entity's newest row to the online store, and makes this version the live one."""
        v = self.get_version(name, version)
        fn = defs.find_function(v.feature_set, v.source_hash, v.module, v.function_name,
                                v.source, exec_source)
        src = load_source(self.store, source, run_id)
        out = fn(src.frame)
        _check_output(out, v)
        frame, ts = offline.prepare_output(out, v.entity, v.timestamp)
        schema = {str(c): str(frame[c].dtype) for c in frame.columns}
        features = [c for c in frame.columns if c not in {*v.entity, v.timestamp}]
        blob, size = self.store.artifacts.put_bytes(offline.to_parquet(frame))
        materialization_id = uuid.uuid4().hex
        online = self.online
        online.write(materialization_id, latest_rows(frame, v.entity, features))
        row = dict(id=materialization_id, version_id=v.id, blob=blob, size=size,
                   row_count=len(frame), entity_count=int(frame[v.entity].drop_duplicates().shape[0])
                   if len(v.entity) > 1 else int(frame[v.entity[0]].nunique()),
                   min_event_time=offline.ns_to_ms(int(ts.min())) if len(ts) else None,
                   max_event_time=offline.ns_to_ms(int(ts.max())) if len(ts) else None,
                   source_kind=src.kind, source_ref=src.ref, source_label=src.label,
                   online_store=online.kind, run_id=run_id, created_at=now_ms())
        try:
            older = self._commit_materialization(row, v, schema)
        except BaseException:
            online.drop([materialization_id])  # no row points at them: nothing may read them
            raise
        online.drop(older)  # older materialisations of this version: their online rows only
        if run_id:
            self._link(run_id, "output", v)
        return Materialization(feature_set=v.feature_set, version=v.version, **row)

    def _commit_materialization(self, row: dict, v: FeatureSetVersion, schema: dict) -> list[str]:
        """Records the materialisation and makes its version live; returns the ids of the
        version's earlier materialisations."""
        m = t.feature_materializations.c
        with self.db.write() as conn:
            older = conn.execute(select(m.id, m.created_at).where(m.version_id == v.id)).all()
            # Strictly newer than the ones before, so "newest" is never a tie within one ms.
            row["created_at"] = max([row["created_at"], *(r.created_at + 1 for r in older)])
            older = [r.id for r in older]
            conn.execute(t.feature_materializations.insert().values(row))
            conn.execute(t.feature_set_versions.update().where(t.feature_set_versions.c.id == v.id)
                         .values(schema=json.dumps(schema)))
            conn.execute(t.feature_sets.update().where(t.feature_sets.c.name == v.feature_set)
                         .values(live_version_id=v.id))
        return older

    # ---- reading features ------------------------------------------------------------

    def _served(self, conn, name: str, version: int | None):
        """(version, its newest materialisation, newest version number) that a reference
        `name` (live version) or `name@vN` reads."""
        name = clean_set_name(name)
        fs, v = t.feature_sets.c, t.feature_set_versions.c
        set_row = conn.execute(select(fs.id, fs.live_version_id).where(fs.name == name)).first()
        if set_row is None:
            raise self._not_found(conn, name, None)
        query = (select(t.feature_set_versions, fs.name.label("set_name"))
                 .join(t.feature_sets, fs.id == v.feature_set_id))
        if version is None:
            if set_row.live_version_id is None:
                raise InvalidInput(f"Feature set {name!r} has not been materialised yet: call "
                                   f"ml.materialize({name!r}, source=...) first.")
            query = query.where(v.id == set_row.live_version_id)
        else:
            query = query.where(v.feature_set_id == set_row.id, v.version == version)
        row = conn.execute(query).first()
        if row is None:
            raise self._not_found(conn, name, version)
        last = self._last_materializations(conn, [row.id]).get(row.id)
        if last is None:
            raise InvalidInput(f"{name}@v{row.version} has not been materialised: call "
                               f"ml.materialize({name!r}, source=..., version={row.version}).")
        return self._version(row, last), last, set_row.id

    def _unmaterialised_newer(self, conn, set_id: int, version: int) -> int | None:
        """The newest version above `version` if it was never materialised (a changed
        definition the caller probably meant to use)."""
        v, m = t.feature_set_versions.c, t.feature_materializations.c
        row = conn.execute(select(v.id, v.version).where(v.feature_set_id == set_id)
                           .order_by(v.version.desc()).limit(1)).first()
        if row is None or row.version <= version:
            return None
        made = conn.execute(select(m.id).where(m.version_id == row.id).limit(1)).first()
        return None if made else row.version

    def _resolve(self, features, warn: bool = False) -> list[tuple[FeatureSetVersion, Materialization, list[str]]]:
        groups = group_refs(parse_refs(features))
        out = []
        with self.db.read() as conn:
            for (name, version), wanted in groups.items():
                v, m, set_id = self._served(conn, name, version)
                available = v.features
                if "*" in wanted:
                    wanted = available
                unknown = [f for f in wanted if f not in available]
                if unknown:
                    raise InvalidInput(f"{v.label} has no feature {unknown[0]!r}; its features "
                                       f"are {available}.")
                newer = self._unmaterialised_newer(conn, set_id, v.version) \
                    if warn and version is None else None
                if newer:
                    warnings.warn(f"{name} has a newer version v{newer} that is not materialised; "
                                  f"reading the live version v{v.version}.", stacklevel=4)
                out.append((v, m, wanted))
        return out

    def get_training_set(self, entity_df: pd.DataFrame, features, *,
                         timestamp: str = "event_time", full_names: bool = False,
                         run_id: str | None = None) -> pd.DataFrame:
        """entity_df with the requested features as they were at each row's time (point in
        time: the newest value with event time <= the row's, within the set's TTL, never a later
        one). `df.attrs["feature_versions"]` lists the versions read."""
        if not isinstance(entity_df, pd.DataFrame):
            raise InvalidInput("entity_df is a pandas DataFrame with the entity key column(s) "
                               f"and a {timestamp!r} column.")
        resolved = self._resolve(features, warn=True)
        parts, used, taken = [], [], set(map(str, entity_df.columns))
        for v, m, wanted in resolved:
            columns = [f"{v.feature_set}__{f}" if full_names else f for f in wanted]
            clash = [c for c in columns if c in taken]
            if clash:
                raise InvalidInput(f"The training set would have two columns named {clash[0]!r}: "
                                   "pass full_names=True to name features 'set__feature'.")
            taken.update(columns)
            parts.append(offline.JoinPart(
                offline=offline.load(self.store.artifacts, m.blob, v.entity, v.timestamp),
                entity=v.entity, features=wanted, columns=columns,
                ttl_ns=v.ttl_ms * 1_000_000 if v.ttl_ms else None))
            used.append({"feature_set": v.feature_set, "version": v.version, "version_id": v.id,
                         "materialization_id": m.id, "features": list(wanted)})
        result = offline.point_in_time_join(entity_df, timestamp, parts)
        result.attrs["feature_versions"] = used
        if run_id:
            for v, _, _ in resolved:
                self._link(run_id, "input", v)
        return result

    def get_online_features(self, entity_keys, features) -> dict[str, list]:
        """The newest values of `features` for each entity: {column: [value per entity]},
        entity key columns first; None where an entity has no row."""
        keys = _entity_columns(entity_keys)
        resolved = self._resolve(features)
        online = self.online
        n = len(next(iter(keys.values())))
        out: dict[str, list] = dict(keys)
        for v, m, wanted in resolved:
            missing = [k for k in v.entity if k not in keys]
            if missing:
                raise InvalidInput(f"{v.label} is keyed by {v.entity}: give values for {missing}.")
            if m.online_store != online.kind:
                raise InvalidInput(f"{v.label} was materialised to the {m.online_store} online "
                                   f"store, but this process reads {online.kind}: set "
                                   "MLOPS_LAB_ONLINE_STORE alike, or materialise again.")
            columns = [keys[k] for k in v.entity]
            rows = online.read(m.id, [entity_key(values) for values in zip(*columns)])
            for f in wanted:
                out[f] = [row.get(f) if row else None for row in rows]
        for column in out.values():
            assert len(column) == n
        return out

    # ---- lineage ---------------------------------------------------------------------

    def _link(self, run_id: str, direction: str, v: FeatureSetVersion) -> None:
        from ..tracking.service import TrackingService

        TrackingService(self.store).link_run(run_id, direction, "feature_set", v.id, v.label)

def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return None


def _version_number(version) -> int:
    if isinstance(version, str):
        version = version.strip().lstrip("v")
    try:
        number = int(version)
    except (TypeError, ValueError):
        raise InvalidInput(f"A version is a whole number like 2, not {version!r}.") from None
    if number < 1:
        raise InvalidInput(f"Versions start at 1, not {number}.")
    return number


def _check_output(out, v: FeatureSetVersion) -> None:
    if not isinstance(out, pd.DataFrame):
        raise InvalidInput(f"The function of {v.label} returned {type(out).__name__}, not a "
                           "pandas DataFrame.")
    names = list(out.columns)
    if any(not isinstance(c, str) for c in names):
        raise InvalidInput(f"{v.label}'s output columns must be text names, got {names[:5]}.")
    if len(set(names)) != len(names):
        raise InvalidInput(f"{v.label}'s output has duplicate column names.")
    missing = [c for c in [*v.entity, v.timestamp] if c not in names]
    if missing:
        raise InvalidInput(f"{v.label}'s output lacks column(s) {missing}: it must hold the "
                           f"entity key {v.entity} and the timestamp {v.timestamp!r}.")
    if offline.TS in names or any("\x00" in c for c in names):
        raise InvalidInput(f"{v.label}'s output has a reserved column name.")
    if len(names) == len(v.entity) + 1:
        raise InvalidInput(f"{v.label}'s output has no feature columns besides the entity key "
                           "and timestamp.")


def _entity_columns(entity_keys) -> dict[str, list]:
    if isinstance(entity_keys, pd.DataFrame):
        entity_keys = {c: entity_keys[c].tolist() for c in entity_keys.columns}
    elif isinstance(entity_keys, list) and entity_keys and all(isinstance(r, dict) for r in entity_keys):
        columns = list(entity_keys[0])
        entity_keys = {c: [r.get(c) for r in entity_keys] for c in columns}
    if not isinstance(entity_keys, dict) or not entity_keys:
        raise InvalidInput("entity_keys is a dict like {'customer_id': [1, 2]}.")
    out = {}
    for key, values in entity_keys.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            values = [values]
        out[key] = list(values)
    lengths = {len(v) for v in out.values()}
    if len(lengths) != 1:
        raise InvalidInput("Every entity key column needs the same number of values.")
    return out


def _materialization(r) -> Materialization:
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
