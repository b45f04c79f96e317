"""A run's life: started, kept alive by heartbeats, ended, or marked KILLED once its process
is gone."""

from __future__ import annotations

import logging
import os
import time
import uuid
from typing import Iterable

from sqlalchemy import bindparam, func, select, update

from ..clock import now_ms
from ..errors import InvalidInput, NotFound
from ..naming import clean_name
from ..store.tables import tracking as t
from . import liveness
from .entities import Run
from .rows import dump, load
from .run_names import new_run_name

STATUSES = ("RUNNING", "FINISHED", "FAILED", "KILLED")
ENDED = ("FINISHED", "FAILED", "KILLED")


class RunLife:
    """The run life methods of TrackingService."""

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
            source=dump(source), environment=dump(environment), host=liveness.HOST,
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
                values["source"] = dump({**load(row.source), **source})
            if environment:
                values["environment"] = dump({**load(row.environment), **environment})
            if values:
                conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(**values))
