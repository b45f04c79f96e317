"""How tracking's rows are written and read back: the hot statements compiled once, JSON
documents in text columns, and a run row as a `Run`."""

from __future__ import annotations

import json
from types import SimpleNamespace

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import NotFound
from ..store.tables import tracking as t
from ..store.upsert import upsert_for
from .entities import Run


def compile_statements(db) -> SimpleNamespace:
    """The statements of the per-run hot paths, compiled once for `Database.raw_write`."""
    def params(*names):
        return {n: bindparam(n) for n in names}

    upsert = upsert_for(db.dialect)
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


class MissingRunIsNotFound:
    def __init__(self, run_id: str):
        self.run_id = run_id

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is not None and issubclass(kind, IntegrityError) and "foreign" in str(exc).lower():
            raise NotFound(f"No run with id {self.run_id!r}.") from None
        return False


def run_from_row(row, details: dict, full: bool) -> Run:
    extra = details.get(row.id, {})
    return Run(
        id=row.id, name=row.name, experiment_id=row.experiment_id, status=row.status,
        start_time=row.start_time, end_time=row.end_time, parent_run_id=row.parent_run_id,
        error=row.error, params=extra.get("params", {}), metrics=extra.get("metrics", {}),
        tags=extra.get("tags", {}),
        source=load(row.source) if full else {},
        environment=load(row.environment) if full else {},
    )



def dump(doc: dict | None) -> str | None:
    return json.dumps(doc, default=str) if doc else None


def load(text: str | None) -> dict:
    return json.loads(text) if text else {}
