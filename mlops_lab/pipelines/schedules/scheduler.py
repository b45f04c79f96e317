"""The scheduler: fires the ticks of enabled schedules as pipeline runs.

The same loop runs in the Jupyter server extension and in `mlops-lab scheduler` (a daemon for
when no Jupyter runs). Any number may run at once: a lease row in the database names the one that
fires ticks (renewed every tick, taken over when it expires), and the primary key of
`schedule_fires` (schedule, fire time) makes a second firing of the same tick impossible even
if two schedulers believed they held the lease.

Ticks later than `grace_seconds` are "missed" (nothing ran at that time); each schedule's policy
says what happens to them: "skip" drops them, "run_once" fires one run for the latest. A tick
that finds `max_queued` runs of its schedule still QUEUED is skipped (and logged): a schedule
never piles runs up behind a queue that does not move.
Time comes from `clock` (or `tick(now)`), so tests drive it without sleeping.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ...store import Store
from ...store.tables.pipelines import pipeline_runs as pr
from ...store.tables.pipelines import schedule_fires as sf
from ...store.tables.pipelines import scheduler_leases as lease
from ...store.tables.pipelines import schedules as sc
from ...services import services_for
from ..runs import executor, lifecycle
from ..runs.notebooks import read_bytes
from .service import fire_times

log = logging.getLogger("mlops_lab.scheduler")
LEASE_NAME = "scheduler"
RESTARTED = "The process running it ended (scheduler restarted)"


class Scheduler:
    def __init__(self, store: Store, *, holder: str | None = None, clock=time.time,
                 lease_seconds: float = 10.0, grace_seconds: float = 60.0, launch: bool = True,
                 max_workers: int | None = None, pipelines=None, schedules=None, tracking=None,
                 watcher=None):
        """`pipelines`, `schedules`, `tracking`: the services it works with (by default the
        store's own, from the composition root); `watcher`: monitoring's share (scheduled
        monitors, alerts of failed runs, webhook deliveries), run beside the ticks."""
        self.store = store
        self.db = store.db
        self.holder = holder or f"{executor.HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self.lease_ms = int(lease_seconds * 1000)
        self.grace_ms = int(grace_seconds * 1000)
        self.launch = launch
        self.max_workers = max_workers
        parts = services_for(store)
        self.pipelines = pipelines or parts.pipelines
        self.schedules = schedules or parts.schedules
        self.tracking = tracking or parts.tracking
        if watcher is None:
            from ...monitoring.watch import Watcher

            watcher = Watcher(parts.monitors, parts.alerts, parts.webhooks, clock,
                              retraining=parts.retraining)
        self.watcher = watcher
        self._last_sweep = 0.0

    # ---- start ---------------------------------------------------------------------------

    def recover(self) -> int:
        """At start: runs left RUNNING by a worker that died are FAILED ("scheduler restarted")."""
        return self.pipelines.sweep_dead_runs(RESTARTED)

    # ---- the lease -------------------------------------------------------------------------

    def acquire(self, now_ms: int) -> bool:
        """True if this scheduler holds the lease (taken, renewed or taken over)."""
        expires = now_ms + self.lease_ms
        try:
            with self.db.write() as conn:
                row = conn.execute(select(lease).where(lease.c.name == LEASE_NAME)).first()
                if row is None:
                    conn.execute(insert(lease).values(name=LEASE_NAME, holder=self.holder,
                                                      expires_at=expires))
                    return True
                done = conn.execute(update(lease).where(
                    lease.c.name == LEASE_NAME,
                    or_(lease.c.holder == self.holder, lease.c.expires_at <= now_ms),
                ).values(holder=self.holder, expires_at=expires))
                return bool(done.rowcount)
        except IntegrityError:  # another scheduler inserted the row first
            return False

    def release(self) -> None:
        with self.db.write() as conn:
            conn.execute(delete(lease).where(lease.c.name == LEASE_NAME,
                                             lease.c.holder == self.holder))

    # ---- ticks -----------------------------------------------------------------------------

    def tick(self, now: float | None = None) -> list[dict]:
        """Fires every due tick (if this scheduler holds the lease); returns what it fired:
        [{"schedule_id", "fire_time", "pipeline_run_id", "late_ms"}]."""
        now_ms = int(round((self.clock() if now is None else now) * 1000))
        if not self.acquire(now_ms):
            return []
        fired = []
        for schedule in self.schedules.enabled():
            if schedule["next_fire_at"] is not None and schedule["next_fire_at"] <= now_ms:
                try:
                    fired += self._fire(schedule, now_ms)
                except Exception:  # noqa: BLE001 - one broken schedule must not stop the others
                    log.exception("Schedule %s could not fire", schedule["name"])
        if fired:
            for schedule_id in {f["schedule_id"] for f in fired}:
                self.apply_retention(schedule_id)
        if self.launch:
            executor.dispatch(self.store, self.max_workers)
        return fired

    def _fire(self, schedule: dict, now_ms: int) -> list[dict]:
        due = [schedule["next_fire_at"]] + fire_times(
            schedule["cron"], schedule["timezone"], schedule["next_fire_at"], until_ms=now_ms)
        on_time = [t for t in due if now_ms - t <= self.grace_ms]
        missed = [t for t in due if now_ms - t > self.grace_ms]
        to_fire = list(on_time)
        if missed and schedule["missed"] == "run_once" and not on_time:
            to_fire = [missed[-1]]
        if missed:
            log.info("Schedule %s: %d tick(s) missed while no scheduler ran (policy %s)",
                     schedule["name"], len(missed), schedule["missed"])
        room = max(0, (schedule.get("max_queued") or 1) - self._queued(schedule["id"]))
        if len(to_fire) > room:
            log.info("Schedule %s: %d tick(s) skipped: its earlier runs still wait in the "
                     "queue (max_queued %d)", schedule["name"], len(to_fire) - room,
                     schedule.get("max_queued") or 1)
            to_fire = to_fire[len(to_fire) - room:] if room else []
        following = fire_times(schedule["cron"], schedule["timezone"], max(due[-1], now_ms), 1)
        following = following[0] if following else None  # a stored cron that no longer fires
        rows = [self._run_row(schedule, t) for t in to_fire]
        fired = []
        try:
            with self.db.write() as conn:
                moved = conn.execute(update(sc).where(
                    sc.c.id == schedule["id"], sc.c.next_fire_at == schedule["next_fire_at"],
                ).values(next_fire_at=following))
                if not moved.rowcount:
                    return []  # another scheduler handled these ticks
                for fire_time, row in zip(to_fire, rows):
                    conn.execute(insert(sf).values(schedule_id=schedule["id"],
                                                   fire_time=fire_time, fired_at=now_ms,
                                                   pipeline_run_id=row["id"]))
                    lifecycle.queue(self.db, row, conn)
                    fired.append({"schedule_id": schedule["id"], "fire_time": fire_time,
                                  "pipeline_run_id": row["id"], "late_ms": now_ms - fire_time})
        except IntegrityError:  # the backstop: this tick was fired already
            return []
        return fired

    def _queued(self, schedule_id: str) -> int:
        with self.db.read() as conn:
            return conn.execute(select(func.count()).select_from(pr).where(
                pr.c.schedule_id == schedule_id, pr.c.status == "QUEUED")).scalar() or 0

    def _run_row(self, schedule: dict, fire_time: int) -> dict:
        path = Path(schedule["notebook"])
        data, problem = b"", None
        try:
            data = read_bytes(path)
        except OSError as exc:
            problem = (f"The scheduled notebook {schedule['notebook']} cannot be read "
                       f"({exc.strerror or exc}); edit the schedule to point at it.")
        except Exception as exc:  # noqa: BLE001 - e.g. a notebook over the size limit
            problem = str(exc)
        return self.pipelines.prepare(
            path, data, json.loads(schedule["parameters"]), timeout=schedule["timeout"],
            retries=schedule["retries"], experiment=schedule["experiment"],
            tags={"mlops_lab.schedule_name": schedule["name"]}, schedule_id=schedule["id"],
            fire_time=fire_time, problem=problem)

    # ---- retention -------------------------------------------------------------------------

    def apply_retention(self, schedule_id: str) -> int:
        """Keeps the output notebooks of the newest `keep_last` ended runs of the schedule;
        older ones lose their output (the copy on disk and the blob reference, which
        `mlops-lab gc` then collects). Their rows, parameters and outputs stay."""
        with self.db.read() as conn:
            keep = conn.execute(select(sc.c.keep_last).where(sc.c.id == schedule_id)).scalar()
            if not keep:
                return 0
            old = conn.execute(
                select(pr.c.id, pr.c.output_path, pr.c.run_id)
                .where(pr.c.schedule_id == schedule_id, pr.c.status.in_(
                    ("SUCCEEDED", "FAILED", "CANCELLED")))
                .order_by(pr.c.created_at.desc(), pr.c.id.desc()).offset(keep)
            ).all()
        old = [r for r in old]
        if not old:
            return 0
        with self.db.write() as conn:
            for row in old:
                lifecycle.forget_output(conn, row.id)
                if row.run_id:
                    self.tracking.forget_artifact(row.run_id, "output.ipynb", conn)
        for row in old:
            if row.output_path and row.output_path.endswith(f"{row.id}.ipynb"):
                try:
                    os.unlink(row.output_path)
                except OSError:
                    pass
        return len(old)

    # ---- the loop --------------------------------------------------------------------------

    def run_forever(self, stop: threading.Event, sweep_seconds: float = 30.0) -> None:
        """Ticks just after every whole second until `stop` is set; gives the lease back."""
        try:
            self.recover()
        except Exception:  # noqa: BLE001
            log.warning("Recovering runs of dead workers failed", exc_info=True)
        threading.Thread(target=self.watcher.run_forever, args=(stop,), daemon=True,
                         name="mlops-lab-monitoring").start()
        try:
            while not stop.is_set():
                try:
                    self.tick()
                    if time.monotonic() - self._last_sweep > sweep_seconds:
                        self._last_sweep = time.monotonic()
                        self.pipelines.sweep_dead_runs()
                except Exception:  # noqa: BLE001 - a busy store: try again next second
                    log.warning("Scheduler tick failed", exc_info=True)
                stop.wait(1.0 - (time.time() % 1.0) + 0.005)
        finally:
            try:
                self.release()
            except Exception:  # noqa: BLE001
                pass


def start_in_thread(store: Store, **options) -> tuple[threading.Thread, threading.Event]:
    """The scheduler as a daemon thread (the Jupyter server extension runs it this way)."""
    stop = threading.Event()
    scheduler = Scheduler(store, **options)
    thread = threading.Thread(target=scheduler.run_forever, args=(stop,), daemon=True,
                              name="mlops-lab-scheduler")
    thread.start()
    return thread, stop
