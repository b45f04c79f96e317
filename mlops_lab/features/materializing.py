"""Materialising a version: its function run over a source, the output written to the offline
store (Parquet) and each entity's newest row to the online store; the version becomes live."""

from __future__ import annotations

import json
import uuid

import pandas as pd
from sqlalchemy import select

from ..clock import now_ms
from ..errors import InvalidInput
from ..store.tables import features as t
from . import definition as defs
from . import offline
from .entities import FeatureSetVersion, Materialization
from .online import latest_rows
from .sources import load_source


class Materializing:
    """The materialising methods of FeatureService."""

    def materialize(self, name: str, source, version: int | None = None, *,
                    exec_source: bool = False, run_id: str | None = None) -> Materialization:
        """Runs the version's function (the newest version by default) over `source` (a
        DataFrame or a snapshot 'name@3'), writes its output to the offline store (Parquet) and
        each entity's newest row to the online store, and makes this version the live one."""
        v = self.get_version(name, version)
        fn = defs.find_function(v.feature_set, v.source_hash, v.module, v.function_name,
                                v.source, exec_source)
        src = load_source(source, run_id, lambda: self.datasets)
        out = fn(src.frame)
        check_output(out, v)
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
            older = self._commitmaterialization_from_row(row, v, schema)
        except BaseException:
            online.drop([materialization_id])  # no row points at them: nothing may read them
            raise
        online.drop(older)  # older materialisations of this version: their online rows only
        if run_id:
            self._link(run_id, "output", v)
        return Materialization(feature_set=v.feature_set, version=v.version, **row)

    def _commitmaterialization_from_row(self, row: dict, v: FeatureSetVersion, schema: dict) -> list[str]:
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


def check_output(out, v: FeatureSetVersion) -> None:
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
