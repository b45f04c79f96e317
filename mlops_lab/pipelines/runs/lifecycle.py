"""The life of a pipeline run, in one place: every write to `pipeline_runs` is made here.

    QUEUED --claim--> RUNNING --finish--> SUCCEEDED | FAILED
      |                  |--cancel--> CANCELLED
      '--cancel-->       '--mark_crashed (dead worker, timeout)--> FAILED

Each move is one short write transaction whose WHERE names the status it moves from, so of two
processes racing (a cancel and the worker's finish) only one wins. The service, the executor, the
worker and the scheduler decide when; this module is how.
"""

from __future__ import annotations

from sqlalchemy import func, insert, select, text, update

from ...clock import now_ms
from ...store.tables.pipelines import pipeline_runs as pr

_QUEUE_LOCK = 70070007  # PostgreSQL advisory lock serialising claims


def _running(run_id: str):
    return update(pr).where(pr.c.id == run_id, pr.c.status == "RUNNING")


def _set(db, statement) -> int:
    with db.write() as conn:
        return conn.execute(statement).rowcount


# ---- queued ---------------------------------------------------------------------------------

def queue(db, row: dict, conn=None) -> None:
    """Stores a new run (QUEUED, or FAILED when it cannot run). `conn`: inside the caller's
    write transaction (the scheduler's fire row and the run commit together)."""
    if conn is not None:
        conn.execute(insert(pr).values(row))
        return
    with db.write() as c:
        c.execute(insert(pr).values(row))


def claim(db, limit: int, host: str, run_id: str | None = None) -> str | None:
    """QUEUED -> RUNNING for the oldest queued run (or `run_id` if it is queued) when fewer than
    `limit` run; returns its id. The limit is counted in the same transaction, so two claimers
    never exceed it."""
    with db.write() as conn:
        if not db.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _QUEUE_LOCK})
        running = conn.execute(select(func.count()).select_from(pr)
                               .where(pr.c.status == "RUNNING")).scalar()
        if running >= limit:
            return None
        queued = select(pr.c.id).where(pr.c.status == "QUEUED")
        if run_id is not None:
            queued = queued.where(pr.c.id == run_id)
        found = conn.execute(queued.order_by(pr.c.created_at, pr.c.id).limit(1)).scalar()
        if found is None:
            return None
        now = now_ms()
        done = conn.execute(update(pr).where(pr.c.id == found, pr.c.status == "QUEUED").values(
            status="RUNNING", started_at=now, heartbeat_at=now, host=host, pid=None))
        return found if done.rowcount else None


# ---- running --------------------------------------------------------------------------------

def worker_started(db, run_id: str, pid: int) -> None:
    _set(db, _running(run_id).values(pid=pid))


def executing(db, run_id: str, pid: int, host: str) -> None:
    """The process executing the run (a worker, or `mlops-lab run` itself) says who it is."""
    _set(db, update(pr).where(pr.c.id == run_id).values(pid=pid, host=host,
                                                        heartbeat_at=now_ms()))


def link_tracking_run(db, run_id: str, tracking_run_id: str) -> None:
    _set(db, update(pr).where(pr.c.id == run_id).values(run_id=tracking_run_id))


def heartbeat(db, run_id: str) -> None:
    _set(db, update(pr).where(pr.c.id == run_id).values(heartbeat_at=now_ms()))


def save_log_tail(db, run_id: str, tail: str) -> None:
    _set(db, _running(run_id).values(log_tail=tail))


def next_attempt(db, run_id: str, attempt: int) -> None:
    _set(db, _running(run_id).values(attempt=attempt))


# ---- ended ----------------------------------------------------------------------------------

def finish(db, run_id: str, kept: dict, ended: dict | None = None) -> None:
    """RUNNING -> `ended` (status, error, failing_cell, ended_at) with what the worker `kept`
    (output notebook and log blobs), which are kept however the run ended (cancelled, timed
    out)."""
    with db.write() as conn:
        if ended is not None:
            conn.execute(_running(run_id).values({"ended_at": now_ms(), **ended, **kept}))
        conn.execute(update(pr).where(pr.c.id == run_id).values(kept))


def cancel(db, run_id: str, worker_started: bool) -> None:
    """QUEUED or RUNNING -> CANCELLED, saying where it was."""
    with db.write() as conn:
        for status, where in (("QUEUED", "while queued"),
                              ("RUNNING", "while running" if worker_started
                               else "before its worker started")):
            conn.execute(update(pr).where(pr.c.id == run_id, pr.c.status == status)
                         .values(status="CANCELLED", ended_at=now_ms(),
                                 error=f"Cancelled by the user {where}."))


def note_cancelled(db, run_id: str, stage: str) -> None:
    """The worker's word on where a cancelled run stopped ("running cell 3", …)."""
    _set(db, update(pr).where(pr.c.id == run_id, pr.c.status == "CANCELLED")
         .values(error=f"Cancelled by the user while {stage}."))


def mark_crashed(db, run_id: str, why: str) -> bool:
    """RUNNING -> FAILED with `why` (its worker died, could not start, or it timed out);
    False if it had ended already."""
    return bool(_set(db, _running(run_id).values(status="FAILED", ended_at=now_ms(), error=why)))


def forget_output(conn, run_id: str) -> None:
    """An old run loses its output notebook (a schedule's retention); its row stays."""
    conn.execute(update(pr).where(pr.c.id == run_id).values(output_blob=None, output_path=None))
