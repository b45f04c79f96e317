"""Tracking rules: experiments, runs and everything logged to them.

Entry points (the fluent API, magics, REST handlers, the CLI) call these methods and nothing
below them. Every write is one short transaction; a batch is all or nothing.
"""

from __future__ import annotations

import json
import logging
import math
import mimetypes
import os
import time
import uuid
from numbers import Real
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO, Iterable

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .. import __version__
from ..artifacts import validate_artifact_path
from ..clock import now_ms
from ..errors import Conflict, InvalidInput, NotFound
from ..naming import clean_key, clean_name
from ..store import Store
from ..store.tables import tracking as t
from . import downloads, liveness, search
from .entities import ArtifactInfo, Experiment, Metric, Run, RunLink, RunPage
from .run_names import new_run_name

# Metric histories one request may ask for (a run view charts at most 24).
MAX_HISTORY_KEYS = 100

STATUSES = ("RUNNING", "FINISHED", "FAILED", "KILLED")
ENDED = ("FINISHED", "FAILED", "KILLED")
PARAM_VALUE_MAX = 64_000
MAX_RESULTS_LIMIT = 10_000
LINK_DIRECTIONS = ("input", "output")
DEFAULT_EXPERIMENT = "Default"


def _upsert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert


class TrackingService:
    def __init__(self, store: Store):
        self.store = store
        self.db = store.db
        self._dialect = self.db.dialect
        # Built once: the metric path is the hottest write in the product.
        fields = {c: bindparam(c) for c in ("run_id", "key", "step", "timestamp", "value", "is_nan")}
        upsert = _upsert(self._dialect)(t.latest_metrics).values(fields)
        latest = t.latest_metrics.c
        newer = (upsert.excluded.step > latest.step) | (
            (upsert.excluded.step == latest.step) & (upsert.excluded.timestamp >= latest.timestamp)
        )
        self._experiments: dict[str, Experiment] = {}
        self._swept_at = -math.inf
        self._sql = _compile_statements(self.db)
        self._metric_sql = (
            self.db.compile_sql(
                _upsert(self._dialect)(t.metrics).values(fields).on_conflict_do_nothing()),
            self.db.compile_sql(upsert.on_conflict_do_update(
                index_elements=[latest.run_id, latest.key],
                set_={c: upsert.excluded[c] for c in ("step", "timestamp", "value", "is_nan")},
                where=newer,
            )),
        )

    # ---- experiments -------------------------------------------------------------------

    def get_or_create_experiment(self, name: str) -> Experiment:
        name = clean_name(name, "experiment name")
        found = self._experiments.get(name) or self._experiment_by_name(name)
        if found:
            self._experiments[name] = found  # experiments are never renamed or deleted
            return found
        try:
            with self.db.write() as conn:
                if not self._experiment_by_name(name, conn):
                    conn.execute(insert(t.experiments).values(name=name, created_at=now_ms()))
        except IntegrityError:
            pass  # another process created it between our read and our write: use theirs
        return self._experiment_by_name(name)

    def _experiment_by_name(self, name: str, conn=None) -> Experiment | None:
        """Just the experiment, without run counts (cheap: used on every run start)."""
        query = select(t.experiments).where(t.experiments.c.name == name)
        if conn is not None:
            row = conn.execute(query).first()
        else:
            with self.db.read() as c:
                row = c.execute(query).first()
        return None if row is None else Experiment(
            id=row.id, name=row.name, created_at=row.created_at, description=row.description)

    def get_experiment(self, experiment_id: int) -> Experiment:
        found = self._experiment_where(t.experiments.c.id == int(experiment_id))
        if not found:
            raise NotFound(f"No experiment with id {experiment_id}.")
        return found

    def find_experiment(self, name_or_id: str | int) -> Experiment:
        """An experiment by id ("3") or name."""
        text = str(name_or_id).strip()
        found = self._experiment_where(t.experiments.c.name == clean_name(text, "experiment"))
        if not found and text.isdigit():
            found = self._experiment_where(t.experiments.c.id == int(text))
        if not found:
            raise NotFound(f"No experiment named or numbered {text!r}. "
                           "List them with `mlops-lab experiments`.")
        return found

    def experiment_ids(self, names_or_ids) -> list[int] | None:
        """Ids for experiments given by name or id (None or empty: all experiments)."""
        if names_or_ids is None or isinstance(names_or_ids, (str, int)):
            names_or_ids = [] if names_or_ids is None else [names_or_ids]
        return [self.find_experiment(e).id for e in names_or_ids] or None

    def list_experiments(self) -> list[Experiment]:
        return self._experiments_where(None)

    def _experiment_where(self, condition) -> Experiment | None:
        found = self._experiments_where(condition)
        return found[0] if found else None

    def _experiments_where(self, condition) -> list[Experiment]:
        e, r = t.experiments, t.runs
        counts = (
            select(r.c.experiment_id, func.count().label("n"), func.max(r.c.start_time).label("last"))
            .group_by(r.c.experiment_id)
            .subquery()
        )
        query = select(e, counts.c.n, counts.c.last).outerjoin(
            counts, counts.c.experiment_id == e.c.id
        )
        if condition is not None:
            query = query.where(condition)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(e.c.id)).all()
        return [
            Experiment(id=row.id, name=row.name, created_at=row.created_at,
                       description=row.description, run_count=row.n or 0, last_run_at=row.last)
            for row in rows
        ]

    # ---- runs --------------------------------------------------------------------------

    def create_run(self, experiment_id: int, name: str | None = None,
                   parent_run_id: str | None = None, tags: dict | None = None,
                   source: dict | None = None, environment: dict | None = None) -> Run:
        from ..config import heartbeat_seconds

        run_id = uuid.uuid4().hex
        name = clean_name(name, "run name") if name is not None else new_run_name()
        tag_rows = self._tag_rows(run_id, tags or {})
        start = now_ms()
        row = dict(
            id=run_id, experiment_id=int(experiment_id), name=name, status="RUNNING",
            start_time=start, heartbeat_at=start, parent_run_id=parent_run_id,
            source=_dump(source), environment=_dump(environment), host=liveness.HOST,
            pid=os.getpid(), process_started_at=liveness.process_started_at(),
            heartbeat_ms=int(heartbeat_seconds() * 1000),
        )
        try:
            with self.db.raw_write() as cursor:
                cursor.execute(self._sql.insert_run, row)
                if tag_rows:
                    cursor.executemany(self._sql.insert_tag, tag_rows)
        except self.db.integrity_error:
            self.get_experiment(experiment_id)
            if parent_run_id:
                self.get_run(parent_run_id)
            raise
        return Run(id=run_id, name=name, experiment_id=int(experiment_id), status="RUNNING",
                   start_time=start, parent_run_id=parent_run_id, tags=dict(tags or {}),
                   source=source or {}, environment=environment or {})

    def end_run(self, run_id: str, status: str = "FINISHED", error: str | None = None) -> int:
        """Ends the run; returns its end time."""
        if status not in ENDED:
            raise InvalidInput(f"A run ends as one of {', '.join(ENDED)}, not {status!r}.")
        end_time = now_ms()
        with self.db.raw_write() as cursor:
            cursor.execute(self._sql.end_run, {"run_id": run_id, "new_status": status,
                                               "new_end_time": end_time, "new_error": error})
            done = cursor.rowcount
        if not done:
            raise NotFound(f"No run with id {run_id!r}.")
        return end_time

    def heartbeat(self, run_ids: Iterable[str]) -> None:
        ids = list(run_ids)
        if ids:
            with self.db.write() as conn:
                conn.execute(update(t.runs).where(t.runs.c.id.in_(ids), t.runs.c.status == "RUNNING")
                             .values(heartbeat_at=now_ms()))

    def sweep_dead_runs(self, heartbeat_seconds: float | None = None, limit: int = 1000) -> int:
        """Marks KILLED the RUNNING runs whose process is gone (see `liveness` for the rules);
        `heartbeat_seconds` is the interval assumed for runs that did not record their own.
        One bounded query finds the candidates: runs of this host, and elsewhere the runs
        silent for longer than their own interval allows."""
        from ..config import heartbeat_seconds as default_interval

        seconds = heartbeat_seconds if heartbeat_seconds is not None else default_interval()
        default_ms, now = int(seconds * 1000), now_ms()
        r = t.runs.c
        overdue = (func.coalesce(r.heartbeat_at, 0)
                   + liveness.MISSED_BEATS * func.coalesce(r.heartbeat_ms, default_ms)) < now
        with self.db.read() as conn:
            candidates = conn.execute(
                select(r.id, r.host, r.pid, r.process_started_at, r.heartbeat_at, r.heartbeat_ms)
                .where(r.status == "RUNNING", (r.host == liveness.HOST) | overdue).limit(limit)
            ).all()
        dead = [{"run_id": run.id, "why": why} for run in candidates
                if (why := liveness.why_dead(run, now, default_ms))]
        if not dead:
            return 0
        with self.db.write() as conn:
            done = conn.execute(
                update(t.runs).where(r.id == bindparam("run_id"), r.status == "RUNNING")
                .values(status="KILLED", end_time=now_ms(), error=bindparam("why")), dead)
        return done.rowcount if done.rowcount is not None and done.rowcount >= 0 else len(dead)

    def _sweep_if_due(self) -> None:
        """Before a search: runs of processes that died show as KILLED even when no server or
        new run has swept since (at most once per heartbeat interval per service)."""
        from ..config import heartbeat_seconds

        if time.monotonic() - self._swept_at < heartbeat_seconds():
            return
        self._swept_at = time.monotonic()
        try:
            self.sweep_dead_runs()
        except Exception:  # a busy or read-only store must not fail the search itself
            logging.getLogger("mlops_lab").warning("sweeping dead runs failed", exc_info=True)

    def update_run_info(self, run_id: str, source: dict | None = None,
                        environment: dict | None = None) -> None:
        """Merges keys into the run's source and environment documents."""
        with self.db.write() as conn:
            row = conn.execute(select(t.runs.c.source, t.runs.c.environment)
                               .where(t.runs.c.id == run_id)).first()
            if row is None:
                raise NotFound(f"No run with id {run_id!r}.")
            values = {}
            if source:
                values["source"] = _dump({**_load(row.source), **source})
            if environment:
                values["environment"] = _dump({**_load(row.environment), **environment})
            if values:
                conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(**values))

    def find_run_id(self, text: str) -> str:
        """A run id from the whole id or a unique prefix of it (as tables show them)."""
        prefix = text.strip().lower()
        if not (4 <= len(prefix) <= 32) or any(c not in "0123456789abcdef" for c in prefix):
            raise InvalidInput(f"{text!r} is not a run id: give the 32-character id or a unique "
                               "prefix of at least 4 of its characters (see `mlops-lab runs`).")
        if len(prefix) == 32:
            return prefix
        page = self.search_runs(filter=f"attributes.run_id like '{prefix}%'", max_results=2)
        if not page.runs:
            raise NotFound(f"No run id starts with {prefix!r}.")
        if len(page.runs) > 1:
            raise InvalidInput(f"More than one run id starts with {prefix!r}: give more characters.")
        return page.runs[0].id

    def get_run(self, run_id: str) -> Run:
        with self.db.read() as conn:
            row = conn.execute(select(t.runs).where(t.runs.c.id == run_id)).first()
            if row is None:
                raise NotFound(f"No run with id {run_id!r}.")
            details = self._details(conn, [run_id])
            links = self.run_links(run_id, conn)
        return replace(_run(row, details, full=True), links=links)

    def count_children(self, run_id: str) -> int:
        with self.db.read() as conn:
            return conn.execute(select(func.count()).select_from(t.runs).where(
                t.runs.c.parent_run_id == run_id)).scalar_one()

    def descendant_ids(self, run_id: str, limit: int = 10_000) -> list[str]:
        """The ids of the runs under `run_id` (children, their children, …), level by level,
        at most `limit` of them."""
        ids, frontier = [], [run_id]
        with self.db.read() as conn:
            while frontier and len(ids) < limit:
                frontier = list(conn.execute(select(t.runs.c.id).where(
                    t.runs.c.parent_run_id.in_(frontier))).scalars())
                ids += frontier
        return ids[:limit]

    def search_runs(self, experiment_ids: list[int] | None = None, filter: str = "",
                    order_by: list[str] | None = None, max_results: int = 100,
                    page_token: str | None = None) -> RunPage:
        if not isinstance(max_results, int) or not 1 <= max_results <= MAX_RESULTS_LIMIT:
            raise InvalidInput(f"max_results must be a whole number from 1 to {MAX_RESULTS_LIMIT}.")
        offset = search.decode_page_token(page_token)
        self._sweep_if_due()
        columns = [c for c in t.runs.c if c.name not in ("source", "environment")]
        query = select(*columns)
        if experiment_ids:
            query = query.where(t.runs.c.experiment_id.in_([int(i) for i in experiment_ids]))
        condition = search.to_condition(filter, self._dialect)
        if condition is not None:
            query = query.where(condition)
        wanted, skip, rows = max_results + 1, offset, []
        with self.db.read() as conn:
            for part in search.ordered_queries(query, order_by):
                got = conn.execute(part.offset(skip).limit(wanted - len(rows))).all()
                if got or not skip:
                    skip = 0
                else:  # the page starts beyond this part: skip all of it
                    counted = select(func.count()).select_from(part.order_by(None).subquery())
                    skip = max(0, skip - conn.execute(counted).scalar())
                rows += got
                if len(rows) >= wanted:
                    break
            page = rows[:max_results]
            details = self._details(conn, [r.id for r in page])
        token = search.encode_page_token(offset + max_results) if len(rows) > max_results else None
        return RunPage(runs=[_run(r, details, full=False) for r in page], next_page_token=token)

    def _details(self, conn, run_ids: list[str]) -> dict[str, dict[str, dict]]:
        """Params, latest metrics and tags of each run, three queries whatever the count."""
        out = {i: {"params": {}, "metrics": {}, "tags": {}} for i in run_ids}
        if not run_ids:
            return out
        for name, table in (("params", t.params), ("tags", t.tags)):
            for run_id, key, value in conn.execute(
                select(table.c.run_id, table.c.key, table.c.value).where(table.c.run_id.in_(run_ids))
            ):
                out[run_id][name][key] = value
        m = t.latest_metrics.c
        for run_id, key, value, is_nan in conn.execute(
            select(m.run_id, m.key, m.value, m.is_nan).where(m.run_id.in_(run_ids))
        ):
            out[run_id]["metrics"][key] = math.nan if is_nan else value
        return out

    # ---- params, metrics, tags ---------------------------------------------------------

    def log_params(self, run_id: str, params: dict[str, Any]) -> None:
        rows = {}
        for key, value in params.items():
            key = clean_key(key, "param name")
            value = param_text(value)
            if key in rows and rows[key] != value:
                raise Conflict(f"Param {key!r} appears twice with different values.")
            rows[key] = value
        if not rows:
            return
        new = [{"run_id": run_id, "key": k, "value": v} for k, v in rows.items()]
        try:
            with self.db.raw_write() as cursor:
                cursor.executemany(self._sql.insert_param_if_new, new)
                if cursor.rowcount != len(new):  # some were logged before: same values?
                    cursor.execute(self._sql.run_params, {"run_id": run_id})
                    stored = dict(cursor.fetchall())
                    for key, value in rows.items():
                        if stored.get(key, value) != value:
                            raise Conflict(
                                f"Param {key!r} of run {run_id} is already {stored[key]!r}; it "
                                f"cannot become {value!r}. Params are fixed once logged: log a "
                                "metric or start a new run instead."
                            )  # raising rolls the whole batch back
        except self.db.integrity_error:
            raise NotFound(f"No run with id {run_id!r}.") from None

    def log_metrics(self, run_id: str, metrics: dict[str, Any], step: int | None = None,
                    timestamp: int | None = None) -> None:
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
            raise InvalidInput(f"A metric step must be a whole number, not {step!r}.")
        step = 0 if step is None else step
        timestamp = now_ms() if timestamp is None else int(timestamp)
        rows = []
        for key, value in metrics.items():
            key = (_metric_keys.get(key) if type(key) is str else None) or _remember_key(key)
            value = _metric_value(key, value)
            nan = math.isnan(value)
            rows.append({"run_id": run_id, "key": key, "step": step, "timestamp": timestamp,
                         "value": 0.0 if nan else value, "is_nan": nan})
        if not rows:
            return
        try:
            self.db.write_rows([(sql, rows) for sql in self._metric_sql])
        except self.db.integrity_error:
            raise NotFound(f"No run with id {run_id!r}.") from None

    def metric_history(self, run_id: str, key: str) -> list[Metric]:
        key = clean_key(key, "metric name")
        m = t.metrics.c
        with self.db.read() as conn:
            rows = conn.execute(
                select(m.key, m.value, m.is_nan, m.step, m.timestamp)
                .where(m.run_id == run_id, m.key == key).order_by(m.step, m.timestamp)
            ).all()
            if not rows and not conn.execute(select(t.runs.c.id).where(t.runs.c.id == run_id)).first():
                raise NotFound(f"No run with id {run_id!r}.")
        return [Metric(key=r.key, value=math.nan if r.is_nan else r.value, step=r.step,
                       timestamp=r.timestamp) for r in rows]

    def metric_histories(self, run_id: str,
                         keys: list[str] | None = None) -> dict[str, list[Metric]]:
        """The histories of several metrics of a run in one read (what a run's view charts),
        in the order of `keys` (a key never logged has an empty history); every metric the
        run logged, by name, when `keys` is empty."""
        if keys is not None and (not isinstance(keys, list) or len(keys) > MAX_HISTORY_KEYS):
            raise InvalidInput(f"Give at most {MAX_HISTORY_KEYS} metric names.")
        wanted = [clean_key(key, "metric name") for key in keys or []]
        m = t.metrics.c
        query = select(m.key, m.value, m.is_nan, m.step, m.timestamp).where(m.run_id == run_id)
        if wanted:
            query = query.where(m.key.in_(wanted))
        with self.db.read() as conn:
            if not conn.execute(select(t.runs.c.id).where(t.runs.c.id == run_id)).first():
                raise NotFound(f"No run with id {run_id!r}.")
            rows = conn.execute(query.order_by(m.key, m.step, m.timestamp)).all()
        histories: dict[str, list[Metric]] = {key: [] for key in wanted}
        for r in rows:
            histories.setdefault(r.key, []).append(Metric(key=r.key, value=math.nan if r.is_nan else r.value,
                                           step=r.step, timestamp=r.timestamp))
        return histories

    def set_tags(self, run_id: str, tags: dict[str, Any]) -> None:
        rows = self._tag_rows(run_id, tags)
        if not rows:
            return
        upsert = _upsert(self._dialect)(t.tags)
        with self._on_run(run_id), self.db.write() as conn:
            conn.execute(upsert.on_conflict_do_update(
                index_elements=[t.tags.c.run_id, t.tags.c.key], set_={"value": upsert.excluded.value}
            ), rows)

    def _tag_rows(self, run_id: str, tags: dict[str, Any]) -> list[dict]:
        return [{"run_id": run_id, "key": clean_key(k, "tag name"), "value": param_text(v)}
                for k, v in tags.items()]

    def _on_run(self, run_id: str):
        """Turns the foreign-key failure of a write to an unknown run into NotFound."""
        return _MissingRunIsNotFound(run_id)

    # ---- links: what a run read and made ----------------------------------------------

    def link_run(self, run_id: str, direction: str, kind: str, ref: str, label: str) -> None:
        """Records that run `run_id` read (direction "input") or made ("output") the thing
        `ref` of `kind` ("snapshot", "feature_set", "model_version", …). Idempotent."""
        if direction not in LINK_DIRECTIONS:
            raise InvalidInput(f"A run link's direction is 'input' or 'output', not {direction!r}.")
        row = {"run_id": run_id, "direction": direction, "kind": clean_key(kind, "link kind"),
               "ref": clean_key(ref, "link ref"), "label": clean_key(label, "link label"),
               "created_at": now_ms()}
        insert = _upsert(self._dialect)(t.run_links).values(row).on_conflict_do_nothing()
        with self._on_run(run_id), self.db.write() as conn:
            conn.execute(insert)

    def run_links(self, run_id: str, conn=None) -> list[RunLink]:
        """What the run read and made, inputs first, oldest first."""
        c = t.run_links.c
        query = (select(c.direction, c.kind, c.ref, c.label, c.created_at)
                 .where(c.run_id == run_id).order_by(c.direction, c.created_at, c.kind, c.ref))
        if conn is not None:
            return [RunLink(**r._mapping) for r in conn.execute(query)]
        with self.db.read() as conn:
            return [RunLink(**r._mapping) for r in conn.execute(query)]

    def runs_linked_to(self, kind: str, ref: str) -> list[tuple[str, str]]:
        """(run id, direction) of every run that read or made `ref` of `kind`."""
        c = t.run_links.c
        with self.db.read() as conn:
            rows = conn.execute(select(c.run_id, c.direction).where(c.kind == kind, c.ref == ref)
                                .order_by(c.created_at)).all()
        return [(r.run_id, r.direction) for r in rows]

    # ---- artifacts ---------------------------------------------------------------------

    def log_artifact(self, run_id: str, local_path: str | os.PathLike,
                     artifact_path: str | None = None) -> list[ArtifactInfo]:
        """Logs a file, or every file below a folder, under `artifact_path`. A folder holding a
        symbolic link that leads outside it is refused: logging it must never store what lies
        elsewhere (a link to /etc/passwd)."""
        local = Path(local_path)
        if not local.exists():
            raise InvalidInput(f"No file or folder at {str(local)!r} to log as an artifact.")
        if local.is_dir():
            base = artifact_path or local.name
            files = _folder_files(local)
            pairs = [(p, f"{base}/{p.relative_to(local).as_posix()}") for p in files]
        else:
            pairs = [(local, artifact_path or local.name)]
        logged = []
        for path, name in pairs:
            name = validate_artifact_path(name)
            blob, size = self.store.artifacts.put_file(path)
            logged.append(self._record_artifact(run_id, name, blob, size,
                                                mimetypes.guess_type(name)[0]))
        return logged

    def log_artifact_bytes(self, run_id: str, data: bytes, artifact_path: str,
                           media_type: str | None = None, *,
                           trusted_types: list[str] | None = None) -> ArtifactInfo:
        """Logs `data` as the run's artifact `artifact_path`. `trusted_types` is for a model
        file this code has just saved from a live object (`capture_models.serialize_estimator`):
        the types it holds beyond skops's defaults, kept with the row so that registering the
        file later trusts that reviewed list and not what the file says."""
        name = validate_artifact_path(artifact_path)
        blob, size = self.store.artifacts.put_bytes(bytes(data))
        reviewed = sorted(trusted_types) if trusted_types is not None else None
        return self._record_artifact(run_id, name, blob, size,
                                     media_type or mimetypes.guess_type(name)[0], reviewed)

    def _record_artifact(self, run_id, path, blob, size, media_type,
                         trusted_types=None) -> ArtifactInfo:
        # The blob is in place before its row is committed: a row never points at nothing.
        info = ArtifactInfo(path=path, size=size, blob=blob, media_type=media_type,
                            created_at=now_ms(), trusted_types=trusted_types)
        upsert = _upsert(self._dialect)(t.artifacts)
        row = {**info.__dict__, "run_id": run_id,
               "trusted_types": json.dumps(trusted_types) if trusted_types is not None else None}
        with self._on_run(run_id), self.db.write() as conn:
            # Overwriting a path replaces its reviewed types too (with NULL for a plain file).
            conn.execute(upsert.on_conflict_do_update(
                index_elements=[t.artifacts.c.run_id, t.artifacts.c.path],
                set_={c: upsert.excluded[c] for c in ("blob", "size", "media_type", "created_at",
                                                      "trusted_types")},
            ), row)
        return info

    def forget_artifact(self, run_id: str, path: str, conn=None) -> None:
        """Removes the run's artifact `path` (its blob stays until `mlops-lab gc`). With `conn`,
        inside the caller's write transaction."""
        statement = delete(t.artifacts).where(t.artifacts.c.run_id == run_id,
                                              t.artifacts.c.path == validate_artifact_path(path))
        if conn is not None:
            conn.execute(statement)
            return
        with self.db.write() as conn:
            conn.execute(statement)

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[ArtifactInfo]:
        """The run's artifacts by path; with `path`, that file or the files below that folder."""
        a = t.artifacts.c
        query = select(*_artifact_columns(a)).where(a.run_id == run_id)
        if path is not None:
            name = _artifact_prefix(path)
            query = query.where((a.path == name) | a.path.startswith(f"{name}/", autoescape=True))
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(a.path)).all()
            if not rows and not conn.execute(select(t.runs.c.id).where(t.runs.c.id == run_id)).first():
                raise NotFound(f"No run with id {run_id!r}.")
        if path is not None and not rows:
            raise NotFound(f"Run {run_id} has no artifact or folder {name!r}: list them with "
                           f"`mlops-lab runs artifacts {run_id[:8]}`.")
        return [_artifact(row) for row in rows]

    def download_artifact(self, run_id: str, path: str, dst: str | os.PathLike | None = None,
                          overwrite: bool = False) -> tuple[Path, list[ArtifactInfo]]:
        """Writes the artifact `path` (a file, or every file below a folder) to local disk; see
        `downloads` for where each file goes. Returns the local file or folder and what was
        written. Existing files are kept (InvalidInput) unless `overwrite`."""
        found = self.list_artifacts(run_id, path)
        name = _artifact_prefix(path)
        exact = [a for a in found if a.path == name]
        local, pairs = downloads.plan(name, exact or found, dst, overwrite)
        for info, target in pairs:
            with self.store.artifacts.open(info.blob) as stream:
                downloads.write(stream, target, info.blob)
        return local, [info for info, _ in pairs]

    def open_artifact(self, run_id: str, path: str) -> tuple[ArtifactInfo, BinaryIO]:
        name = validate_artifact_path(path)
        a = t.artifacts.c
        with self.db.read() as conn:
            row = conn.execute(select(*_artifact_columns(a))
                               .where(a.run_id == run_id, a.path == name)).first()
        if row is None:
            raise NotFound(f"Run {run_id} has no artifact {name!r}.")
        info = _artifact(row)
        return info, self.store.artifacts.open(info.blob)

    def store_info(self) -> dict:
        return {**self.store.describe(), "version": __version__}


def _folder_files(folder: Path) -> list[Path]:
    """The files below `folder`, after checking that no symbolic link in it leads outside it
    (a link within it is stored with its target's content, which is the folder's own)."""
    root = folder.resolve()
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):  # does not descend into links
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                raise InvalidInput(
                    f"Refusing to log the folder {str(folder)!r}: "
                    f"{path.relative_to(folder).as_posix()!r} is a symbolic link to "
                    f"{os.readlink(path)!r}, outside the folder. Remove the link, or log "
                    "that file on its own if you mean to store it.")
        files += [Path(dirpath) / name for name in filenames if (Path(dirpath) / name).is_file()]
    return sorted(files)


def _artifact_columns(a):
    return (a.path, a.size, a.blob, a.media_type, a.created_at, a.trusted_types)


def _artifact(row) -> ArtifactInfo:
    doc = dict(row._mapping)
    doc["trusted_types"] = json.loads(doc["trusted_types"]) if doc["trusted_types"] else None
    return ArtifactInfo(**doc)


def _compile_statements(db) -> SimpleNamespace:
    """The statements of the per-run hot paths, compiled once for `Database.raw_write`."""
    def params(*names):
        return {n: bindparam(n) for n in names}

    upsert = _upsert(db.dialect)
    run_columns = ("id", "experiment_id", "name", "status", "start_time", "heartbeat_at",
                   "parent_run_id", "source", "environment", "host", "pid",
                   "process_started_at", "heartbeat_ms")
    return SimpleNamespace(
        insert_run=db.compile_sql(insert(t.runs).values(params(*run_columns))),
        insert_tag=db.compile_sql(insert(t.tags).values(params("run_id", "key", "value"))),
        insert_param_if_new=db.compile_sql(
            upsert(t.params).values(params("run_id", "key", "value")).on_conflict_do_nothing()),
        run_params=db.compile_sql(select(t.params.c.key, t.params.c.value)
                                  .where(t.params.c.run_id == bindparam("run_id"))),
        end_run=db.compile_sql(
            update(t.runs).where(t.runs.c.id == bindparam("run_id")).values(
                status=bindparam("new_status"), end_time=bindparam("new_end_time"),
                error=bindparam("new_error"))),
    )


class _MissingRunIsNotFound:
    def __init__(self, run_id: str):
        self.run_id = run_id

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is not None and issubclass(kind, IntegrityError) and "foreign" in str(exc).lower():
            raise NotFound(f"No run with id {self.run_id!r}.") from None
        return False


def _run(row, details: dict, full: bool) -> Run:
    extra = details.get(row.id, {})
    return Run(
        id=row.id, name=row.name, experiment_id=row.experiment_id, status=row.status,
        start_time=row.start_time, end_time=row.end_time, parent_run_id=row.parent_run_id,
        error=row.error, params=extra.get("params", {}), metrics=extra.get("metrics", {}),
        tags=extra.get("tags", {}),
        source=_load(row.source) if full else {},
        environment=_load(row.environment) if full else {},
    )


def _artifact_prefix(path: str) -> str:
    """An artifact path or folder as stored ('models/' names the folder 'models')."""
    return validate_artifact_path(path.rstrip("/") if isinstance(path, str) else path)


def param_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value) if isinstance(
        value, (bool, type(None))) else str(value)
    if "\x00" in text:
        raise InvalidInput("Param and tag values must not contain a NUL character.")
    if len(text) > PARAM_VALUE_MAX:
        raise InvalidInput(f"Param and tag values may be at most {PARAM_VALUE_MAX} characters.")
    return text


# Metric names repeat on every step of a training loop: clean each one once.
_metric_keys: dict[str, str] = {}


def _remember_key(key) -> str:
    cleaned = clean_key(key, "metric name")
    if isinstance(key, str) and len(_metric_keys) < 10_000:
        _metric_keys[key] = cleaned
    return cleaned


def _metric_value(key: str, value: Any) -> float:
    if type(value) is float or type(value) is int:  # the usual case, without the ABC check
        return float(value)
    if isinstance(value, bool) or not isinstance(value, Real):
        try:
            import numpy as np  # numpy scalars are Real only through their own ABCs

            if isinstance(value, np.generic) and np.isreal(value) and not isinstance(value, np.bool_):
                return float(value)
        except ImportError:
            pass
        raise InvalidInput(f"Metric {key!r} must be a number, not {type(value).__name__} {value!r}.")
    return float(value)


def _dump(doc: dict | None) -> str | None:
    return json.dumps(doc, default=str) if doc else None


def _load(text: str | None) -> dict:
    return json.loads(text) if text else {}
