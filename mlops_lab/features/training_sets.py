"""Reading features: which materialisation a reference reads, point-in-time-correct training
sets, and the online lookup of the newest values."""

from __future__ import annotations

import warnings

import pandas as pd
from sqlalchemy import select

from ..errors import InvalidInput
from ..store.tables import features as t
from . import offline
from .entities import FeatureSetVersion, Materialization
from .names import clean_set_name
from .online import entity_key
from .refs import group_refs, parse_refs


class TrainingSets:
    """The feature reading methods of FeatureService."""

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
        keys = entity_columns(entity_keys)
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


def entity_columns(entity_keys) -> dict[str, list]:
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
