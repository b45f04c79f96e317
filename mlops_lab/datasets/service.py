"""Dataset rules: snapshots (immutable, content-hashed versions), their profiles, validation,
diffs and lineage.

Entry points (the Python API, magics, REST handlers, the CLI) call these methods and nothing
below them. A snapshot's Parquet blob is stored before its row is committed; version numbers
are allocated inside the inserting write transaction (the unique constraint is the backstop).
"""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable

import pandas as pd
from sqlalchemy import func, insert, select, update

from ..clock import now_ms
from ..errors import InvalidInput, NotFound
from ..naming import clean_name
from ..collaborators import Collaborator
from ..store import Store, keyset
from ..store.keyset import SortKey
from ..store.tables.datasets import datasets as d_table
from ..store.tables.datasets import snapshots as s_table
from . import diff as diffing
from . import hashing, parquet, profile, progress, sources, validation
from .entities import Dataset, SnapshotDiff, Snapshot
from .refs import SNAPSHOT_ID, parse_ref
from .rules import Rules

LINK_KIND = "snapshot"
LIST_LIMIT_MAX = 10_000
_ATTEMPTS = 5


def _loads(text):
    return None if text is None else json.loads(text)


def _version(row, name: str) -> Snapshot:
    return Snapshot(
        id=row.id, dataset_id=row.dataset_id, name=name, version=row.version,
        content_hash=row.content_hash, blob=row.blob, size=row.size, row_count=row.row_count,
        column_count=row.column_count, created_at=row.created_at,
        schema=_loads(row.schema) or [], profile=_loads(row.profile) or {},
        validation=_loads(row.validation), valid=row.valid, source=_loads(row.source),
        run_id=row.run_id)


def link_label(name: str, version: int) -> str:
    suffix = f"@{version}"
    return (name if len(name) + len(suffix) <= 250 else name[:249 - len(suffix)] + "\u2026") + suffix


def _profile_and_validate(df: pd.DataFrame, rules: dict | None) -> tuple[dict, dict | None]:
    started = time.perf_counter()
    prof = profile.profile_table(df)
    prof["seconds"] = round(time.perf_counter() - started, 4)
    return prof, validation.validate(df, rules)


class DatasetService(Rules):
    tracking = Collaborator("tracking")  # runs that read or made a snapshot

    def __init__(self, store: Store, tracking=None):
        self.store = store
        self.db = store.db
        self.artifacts = store.artifacts
        self._tracking = tracking

    # ---- datasets ----------------------------------------------------------------------

    def _dataset_row(self, conn, name: str):
        return conn.execute(select(d_table).where(d_table.c.name == name)).first()

    def _ensure_dataset(self, conn, name: str, description: str | None = None) -> int:
        row = self._dataset_row(conn, name)
        if row is not None:
            return row.id
        now = now_ms()
        result = conn.execute(insert(d_table).values(name=name, description=description,
                                                     created_at=now, updated_at=now))
        return result.inserted_primary_key[0]

    def _retrying(self, fn):
        """Runs a write transaction again when a concurrent writer took the same name or
        version number first (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises)."""
        from sqlalchemy.exc import IntegrityError

        for attempt in range(_ATTEMPTS):
            try:
                with self.db.write() as conn:
                    return fn(conn)
            except IntegrityError:
                if attempt == _ATTEMPTS - 1:
                    raise

    def list_datasets(self, q: str = "", limit: int = 1000,
                      after: list | None = None) -> list[Dataset]:
        """Datasets whose name contains `q` (case-insensitive), most recently changed first;
        `after` a dataset's (updated_at, id), the datasets after it."""
        if not isinstance(q, str) or len(q) > 500:
            raise InvalidInput("The search text must be at most 500 characters.")
        limit = max(1, min(int(limit), LIST_LIMIT_MAX))
        s = s_table.c
        latest = (select(s.dataset_id, func.count().label("n"), func.max(s.version).label("v"))
                  .group_by(s.dataset_id).subquery())
        rows_q = (select(s.dataset_id, s.row_count, s.valid)
                  .join(latest, (latest.c.dataset_id == s.dataset_id) & (latest.c.v == s.version))
                  .subquery())
        query = (select(d_table, latest.c.n, latest.c.v, rows_q.c.row_count, rows_q.c.valid)
                 .outerjoin(latest, latest.c.dataset_id == d_table.c.id)
                 .outerjoin(rows_q, rows_q.c.dataset_id == d_table.c.id))
        if q.strip():
            pattern = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%") \
                .replace("_", "\\_") + "%"
            query = query.where(func.lower(d_table.c.name).like(pattern, escape="\\"))
        order = [SortKey(d_table.c.updated_at, True), SortKey(d_table.c.id, True)]
        query = keyset.page_query(query, order, after, limit)
        with self.db.read() as conn:
            rows = conn.execute(query).all()
        return [self._dataset(r, r.n or 0, r.v, r.row_count, r.valid) for r in rows]

    @staticmethod
    def _dataset(row, count=0, latest=None, latest_rows=None, latest_valid=None) -> Dataset:
        return Dataset(id=row.id, name=row.name, created_at=row.created_at,
                       updated_at=row.updated_at, description=row.description,
                       rules=_loads(row.rules), version_count=count, latest_version=latest,
                       latest_row_count=latest_rows, latest_valid=latest_valid)

    def get_dataset(self, name_or_id) -> Dataset:
        """A dataset by name, or by id (an int, or digits that are no dataset's name)."""
        with self.db.read() as conn:
            row = None
            if not isinstance(name_or_id, int):
                row = self._dataset_row(conn, clean_name(name_or_id, "dataset name"))
            if row is None and str(name_or_id).strip().isdigit():
                row = conn.execute(select(d_table).where(
                    d_table.c.id == int(str(name_or_id).strip()))).first()
            if row is None:
                raise NotFound(f"No dataset named {str(name_or_id)!r}. Take a snapshot with "
                               "ml.snapshot(df, name) or list them with `mlops-lab datasets`.")
            s = s_table.c
            count, latest = conn.execute(select(func.count(), func.max(s.version))
                                         .where(s.dataset_id == row.id)).one()
            latest_rows = conn.execute(select(s.row_count).where(
                s.dataset_id == row.id, s.version == latest)).scalar() if latest else None
        return self._dataset(row, count, latest, latest_rows)

    def list_versions(self, name_or_id, limit: int | None = None,
                      after: int | None = None) -> list[Snapshot]:
        """Every snapshot of a dataset, newest first (or `limit` of them, those older than
        version `after` if given)."""
        dataset = self.get_dataset(name_or_id)
        query = select(s_table).where(s_table.c.dataset_id == dataset.id)
        if after is not None:
            query = query.where(s_table.c.version < after)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(s_table.c.version.desc()).limit(limit)).all()
        return [_version(r, dataset.name) for r in rows]

    # ---- snapshots ---------------------------------------------------------------------

    def _existing(self, conn, dataset_id: int, content_hash: str):
        return conn.execute(select(s_table).where(
            s_table.c.dataset_id == dataset_id, s_table.c.content_hash == content_hash)
            .order_by(s_table.c.version).limit(1)).first()

    def snapshot(self, data, name: str, *, description: str | None = None,
                 run_id: str | None = None, show_progress: bool = True) -> Snapshot:
        """Stores `data` (a DataFrame, or a CSV/Parquet file or folder) as the next version of
        dataset `name`, or returns the version that already holds exactly this content (then
        nothing is written). With `run_id`, the run is linked to the version as an output."""
        name = clean_name(name, "dataset name")
        with progress.steps(f"snapshot {name[:40]}", 6, show_progress) as bar:
            df, source = sources.read_source(data)
            sources.check_table(df)
            bar.step("read")
            content_hash, columns = hashing.table_hash(df)
            bar.step("hashed")
            with self.db.read() as conn:
                dataset = self._dataset_row(conn, name)
                row = self._existing(conn, dataset.id, content_hash) if dataset else None
            if row is not None:
                found = _version(row, name)
                self._link(run_id, "output", found)
                return Snapshot(**{**found.__dict__, "existed": True})
            rules = _loads(dataset.rules) if dataset is not None else None
            # The profile and the checks run on the second core while the Parquet is written.
            with ThreadPoolExecutor(1, thread_name_prefix="mlops-lab-profile") as pool:
                checked = pool.submit(_profile_and_validate, df, rules)
                with parquet.staged_table(self.artifacts, df) as staged:
                    bar.step("written")
                    prof, report = checked.result()
                    bar.step("profiled")
                    if report is not None and not report["passed"] and report["on_fail"] == "refuse":
                        raise validation.SnapshotRefused(
                            f"Snapshot of {name!r} refused by its validation rules: "
                            + validation.report_text(report), report)
                    blob, size = staged.store()
            bar.step("stored")
            row = dict(id=uuid.uuid4().hex, content_hash=content_hash, blob=blob, size=size,
                       row_count=int(len(df)), column_count=int(df.shape[1]),
                       schema=json.dumps(columns), profile=json.dumps(prof),
                       validation=None if report is None else validation.dumps(report),
                       valid=None if report is None else bool(report["passed"]),
                       source=json.dumps({**source, **({"description": description}
                                                       if description else {})}),
                       run_id=run_id, created_at=now_ms())

            def write(conn):
                dataset_id = self._ensure_dataset(conn, name, description)
                # PostgreSQL: writers of one dataset queue on its row (SQLite's BEGIN
                # IMMEDIATE already serialises every writer).
                conn.execute(select(d_table.c.id).where(d_table.c.id == dataset_id)
                             .with_for_update())
                existing = self._existing(conn, dataset_id, content_hash)
                if existing is not None:  # another process stored this content meanwhile
                    return existing, True
                version = (conn.execute(select(func.max(s_table.c.version)).where(
                    s_table.c.dataset_id == dataset_id)).scalar() or 0) + 1
                conn.execute(insert(s_table).values(dataset_id=dataset_id, version=version, **row))
                conn.execute(update(d_table).where(d_table.c.id == dataset_id)
                             .values(updated_at=row["created_at"]))
                return conn.execute(select(s_table).where(s_table.c.id == row["id"])).first(), False

            stored, existed = self._retrying(write)
            bar.step("committed")
        version = _version(stored, name)
        self._link(run_id, "output", version)
        return Snapshot(**{**version.__dict__, "existed": existed})

    def _link(self, run_id: str | None, direction: str, version: Snapshot) -> None:
        if run_id:
            self.tracking.link_run(run_id, direction, LINK_KIND, version.id,
                                   link_label(version.name, version.version))

    def get_snapshot(self, snapshot_id: str) -> Snapshot:
        if not isinstance(snapshot_id, str) or not SNAPSHOT_ID.match(snapshot_id):
            raise NotFound(f"No snapshot with id {str(snapshot_id)[:80]!r}.")
        with self.db.read() as conn:
            row = conn.execute(select(s_table, d_table.c.name.label("dataset_name"))
                               .join(d_table, d_table.c.id == s_table.c.dataset_id)
                               .where(s_table.c.id == snapshot_id)).first()
        if row is None:
            raise NotFound(f"No snapshot with id {snapshot_id!r}.")
        return _version(row, row.dataset_name)

    def resolve(self, ref) -> Snapshot:
        """The snapshot `ref` names: "name" (latest), "name@3", "name@<hash prefix>",
        "name@latest", a snapshot id, or a Snapshot."""
        if isinstance(ref, Snapshot):
            return ref
        if not isinstance(ref, str):
            raise InvalidInput(f"A snapshot reference is text like 'name@3', not "
                               f"{type(ref).__name__}.")
        readings = parse_ref(ref)
        with self.db.read() as conn:
            for reading in readings:
                dataset = self._dataset_row(conn, reading.name)
                if dataset is None:
                    continue
                s = s_table.c
                query = select(s_table).where(s.dataset_id == dataset.id)
                if reading.version is not None:
                    query = query.where(s.version == reading.version)
                elif reading.hash_prefix is not None:
                    query = query.where(s.content_hash.like(reading.hash_prefix + "%"))
                rows = conn.execute(query.order_by(s.version.desc()).limit(
                    2 if reading.hash_prefix else 1)).all()
                if reading.hash_prefix and len(rows) > 1:
                    raise InvalidInput(f"{reading.hash_prefix!r} is the start of the hash of "
                                       f"more than one snapshot of {reading.name!r}; give more "
                                       "digits or the version number.")
                if rows:
                    return _version(rows[0], dataset.name)
        if SNAPSHOT_ID.match(ref.strip()):
            try:
                return self.get_snapshot(ref.strip())
            except NotFound:
                pass
        first = readings[0]
        if first.version is not None or first.hash_prefix is not None:
            raise NotFound(f"No snapshot {ref!r}: dataset {first.name!r} has no such version. "
                           f"List its snapshots with `mlops-lab snapshots show {first.name}`.")
        raise NotFound(f"No snapshot of a dataset named {ref!r}. Take one with "
                       "ml.snapshot(df, name) or list datasets with `mlops-lab datasets`.")

    def load(self, ref, run_id: str | None = None,
             columns: list[str] | None = None) -> tuple[Snapshot, pd.DataFrame]:
        """The snapshot and its data; with `run_id`, the run is linked to it as an input."""
        version = self.resolve(ref)
        df = parquet.load_table(self.artifacts, version.blob, columns=columns)
        self._link(run_id, "input", version)
        return version, df

    def find_by_content(self, content_hashes: Iterable[str]) -> list[Snapshot]:
        """Every snapshot holding one of these contents (the oldest version of each dataset)."""
        hashes = list(dict.fromkeys(content_hashes))
        if not hashes:
            return []
        with self.db.read() as conn:
            rows = conn.execute(select(s_table, d_table.c.name.label("dataset_name"))
                                .join(d_table, d_table.c.id == s_table.c.dataset_id)
                                .where(s_table.c.content_hash.in_(hashes))
                                .order_by(s_table.c.version)).all()
        seen, found = set(), []
        for row in rows:
            if (row.dataset_id, row.content_hash) not in seen:
                seen.add((row.dataset_id, row.content_hash))
                found.append(_version(row, row.dataset_name))
        return found

    def known_shapes(self) -> set[tuple[int, int]]:
        """(rows, columns) of every stored snapshot: a table of another shape cannot match one,
        so it need not be hashed."""
        with self.db.read() as conn:
            rows = conn.execute(select(s_table.c.row_count, s_table.c.column_count)
                                .distinct()).all()
        return {(int(r.row_count), int(r.column_count)) for r in rows}

    def link_matching(self, run_id: str, frames: dict[str, pd.DataFrame]) -> list[Snapshot]:
        """Links the run, as an input, to the snapshots whose content equals one of `frames`
        (variable name -> DataFrame). Only frames with the shape of some snapshot are hashed."""
        if not frames:
            return []
        shapes = self.known_shapes()
        hashes = [hashing.table_hash(df)[0] for df in frames.values()
                  if (len(df), df.shape[1]) in shapes]
        # A frame the run itself snapshotted is its output, not an input.
        found = [v for v in self.find_by_content(hashes) if v.run_id != run_id]
        for version in found:
            self._link(run_id, "input", version)
        return found

    # ---- diff and lineage --------------------------------------------------------------

    def diff(self, a, b, key: str | list[str] | None = None) -> SnapshotDiff:
        """What changed from snapshot `a` to snapshot `b`: schema, row counts, rows added,
        removed and changed (matched by `key` columns, or as whole rows without a key), and
        shifts of each column's statistics."""
        va, vb = self.resolve(a), self.resolve(b)
        keys = [key] if isinstance(key, str) else list(key or [])
        if va.content_hash == vb.content_hash:
            return diffing.diff(va, None, vb, None, keys)
        dfa = parquet.load_table(self.artifacts, va.blob)
        dfb = parquet.load_table(self.artifacts, vb.blob)
        return diffing.diff(va, dfa, vb, dfb, keys)

    def lineage(self, ref) -> dict:
        """The runs that read (inputs) or made (outputs) a snapshot."""
        version = self.resolve(ref)
        links = self.tracking.runs_linked_to(LINK_KIND, version.id)
        runs = []
        for run_id, direction in links:
            try:
                run = self.tracking.get_run(run_id)
            except NotFound:
                continue
            runs.append({"run_id": run.id, "name": run.name, "status": run.status,
                         "direction": direction, "start_time": run.start_time,
                         "experiment_id": run.experiment_id})
        return {"snapshot": version.to_json(full=False), "runs": runs}
