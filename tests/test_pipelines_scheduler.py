"""Schedules and the scheduler: cron in time zones, ticks fired once (lease + unique fire row),
missed-tick policies, retention, restart recovery, and the real `mlops-lab scheduler` daemon.
The tick logic is driven with explicit times (`tick(now)`), never by sleeping."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from mlops_lab.errors import Conflict, InvalidInput, NotFound
from mlops_lab.pipelines.schedules.scheduler import Scheduler
from mlops_lab.pipelines.schedules.service import ScheduleService
from mlops_lab.pipelines.runs.service import PipelineService
from mlops_lab.store.tables.pipelines import pipeline_runs as pr
from mlops_lab.store.tables.pipelines import schedule_fires as sf

from test_pipelines import clear_pipeline_tables, notebook, poll

MINUTE = 60.0


def ts(text: str) -> float:
    """Seconds since the epoch of a UTC time like '2026-01-05 06:00:00'."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


@pytest.fixture
def schedules(store):
    clear_pipeline_tables(store)
    return ScheduleService(store)


@pytest.fixture
def nb(tmp_path):
    return notebook(tmp_path / "work" / "job.ipynb", "print(alpha)")


def fires(store) -> list[tuple[str, int]]:
    with store.db.read() as conn:
        return [tuple(r) for r in conn.execute(select(sf.c.schedule_id, sf.c.fire_time)
                                               .order_by(sf.c.fire_time))]


def test_a_schedule_reads_cron_in_its_time_zone(schedules, nb):
    start = int(ts("2026-01-05 00:00:00") * 1000)  # winter: Paris is UTC+1
    s = schedules.create(nb, "0 6 * * *", {"alpha": 2}, timezone="Europe/Paris", now=start)
    assert s.next_fire_at == int(ts("2026-01-05 05:00:00") * 1000)
    assert len(s.next_fire_times) == 5
    assert s.next_fire_times[1] - s.next_fire_times[0] == 24 * 3600 * 1000
    summer = schedules.update(s.id, cron="0 6 * * *", now=int(ts("2026-07-01 00:00:00") * 1000))
    assert summer.next_fire_at == int(ts("2026-07-01 04:00:00") * 1000)  # UTC+2


@pytest.mark.parametrize("cron, tz, message", [
    ("not cron", "UTC", "not a cron"), ("61 * * * *", "UTC", "not a cron"),
    ("* * * * *", "Mars/Olympus", "time zone"), ("", "UTC", "cron expression"),
    # croniter reads a sixth field as seconds (and a seventh as years): it fired every second
    ("* * * * * *", "UTC", "has 6 fields: a schedule's cron has five"),
    ("* * * * * * *", "UTC", "has 7 fields"),
    ("0 0 31 2 *", "UTC", "never fires"),  # it raised croniter's error (a 500 over REST)
])
def test_bad_cron_or_time_zone_is_refused(schedules, nb, cron, tz, message):
    with pytest.raises(InvalidInput, match=message):
        schedules.create(nb, cron, timezone=tz)
    s = schedules.create(nb, "0 6 * * *")
    with pytest.raises(InvalidInput, match=message):
        schedules.update(s.id, cron=cron, timezone=tz)
    assert schedules.get(s.id).cron == "0 6 * * *"


def test_next_fire_times_are_given_in_the_schedules_time_zone_too(schedules, nb):
    start = int(ts("2026-01-05 00:00:00") * 1000)
    s = schedules.create(nb, "0 6 * * *", timezone="Europe/Paris", now=start)
    assert s.next_fire_times_local[:2] == ["2026-01-05T06:00:00+01:00",
                                           "2026-01-06T06:00:00+01:00"]
    assert s.to_json()["next_fire_times_local"] == s.next_fire_times_local


def test_a_default_name_follows_the_cron_and_a_chosen_name_stays(schedules, nb):
    s = schedules.create(nb, "*/5 * * * *")
    assert s.name == "job */5 * * * *"
    assert schedules.update(s.id, cron="0 6 * * *").name == "job 0 6 * * *"
    assert schedules.update(s.id, timezone="Europe/Paris").name == "job 0 6 * * *"
    named = schedules.create(nb, "*/5 * * * *", name="often")
    assert schedules.update(named.id, cron="0 7 * * *").name == "often"


def test_a_schedule_does_not_pile_runs_up_in_the_queue(schedules, nb, store):
    start = ts("2026-03-02 10:00:30")
    s = schedules.create(nb, "* * * * *", now=int(start * 1000))
    scheduler = Scheduler(store, launch=False)  # nothing leaves the queue
    assert len(scheduler.tick(ts("2026-03-02 10:01:00.1"))) == 1
    assert scheduler.tick(ts("2026-03-02 10:02:00.1")) == []  # the 10:01 run still waits
    assert scheduler.tick(ts("2026-03-02 10:03:00.1")) == []
    assert len(PipelineService(store).list_runs(schedule_id=s.id)) == 1
    schedules.update(s.id, max_queued=2)
    assert len(scheduler.tick(ts("2026-03-02 10:04:00.1"))) == 1  # it says two may wait
    assert scheduler.tick(ts("2026-03-02 10:05:00.1")) == []
    PipelineService(store).cancel(PipelineService(store).list_runs(schedule_id=s.id)[0].id)
    assert len(scheduler.tick(ts("2026-03-02 10:06:00.1"))) == 1  # room again
    with pytest.raises(InvalidInput, match="max_queued"):
        schedules.update(s.id, max_queued=0)


def test_create_edit_enable_disable_delete(schedules, nb):
    s = schedules.create(nb, "*/5 * * * *", {"alpha": 1}, name="every five", keep_last=3)
    with pytest.raises(Conflict):
        schedules.create(nb, "* * * * *", name="every five")
    with pytest.raises(InvalidInput, match="identifier"):
        schedules.create(nb, "* * * * *", {"not ok": 1})
    with pytest.raises(InvalidInput, match="missed"):
        schedules.create(nb, "* * * * *", missed="sometimes")
    assert schedules.get("every five").id == s.id
    off = schedules.disable(s.id)
    assert not off.enabled and off.next_fire_times == []
    on = schedules.enable("every five")
    assert on.enabled and on.next_fire_times
    edited = schedules.update(s.id, parameters={"alpha": 9}, missed="run_once", name="renamed")
    assert (edited.parameters, edited.missed, edited.name) == ({"alpha": 9}, "run_once", "renamed")
    assert [x.name for x in schedules.list()] == ["renamed"]
    schedules.delete("renamed")
    with pytest.raises(NotFound):
        schedules.get(s.id)


def test_a_tick_fires_once_and_the_next_tick_fires_next(schedules, nb, store):
    start = ts("2026-03-02 10:00:30")
    s = schedules.create(nb, "* * * * *", {"alpha": 1}, max_queued=2, now=int(start * 1000))
    scheduler = Scheduler(store, launch=False)  # runs stay queued: two may wait
    assert scheduler.tick(start + 10) == []  # not due yet
    fired = scheduler.tick(ts("2026-03-02 10:01:00.400"))
    assert [f["fire_time"] for f in fired] == [int(ts("2026-03-02 10:01:00") * 1000)]
    assert fired[0]["late_ms"] == 400
    assert scheduler.tick(ts("2026-03-02 10:01:00.900")) == []
    assert len(scheduler.tick(ts("2026-03-02 10:02:00.100"))) == 1
    runs = PipelineService(store).list_runs(schedule_id=s.id)
    assert [r.status for r in runs] == ["QUEUED", "QUEUED"]
    assert all(r.parameters == {"alpha": 1} and r.fire_time for r in runs)


def test_two_schedulers_fire_each_tick_once(schedules, nb, store):
    start = ts("2026-03-02 10:00:00")
    s = schedules.create(nb, "* * * * *", max_queued=1000, now=int(start * 1000))
    a, b = Scheduler(store, launch=False), Scheduler(store, launch=False)
    fired = []
    # Both tick every 20 s of simulated time for 30 minutes, in two threads at once.
    times = [start + 20 * i + 0.5 for i in range(1, 90)]

    def drive(scheduler):
        for now in times:
            fired.extend((scheduler.holder, f["fire_time"]) for f in scheduler.tick(now))

    threads = [threading.Thread(target=drive, args=(x,)) for x in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = [int((start + 60 * m) * 1000) for m in range(1, 30)]
    assert sorted(t for _, t in fired) == expected
    assert [t for _, t in fires(store)] == expected
    assert len(PipelineService(store).list_runs(schedule_id=s.id, limit=1000)) == len(expected)


def test_the_lease_passes_to_another_scheduler_when_it_expires(schedules, nb, store):
    start = ts("2026-03-02 10:00:00")
    schedules.create(nb, "* * * * *", now=int(start * 1000))
    a = Scheduler(store, launch=False, lease_seconds=10)
    b = Scheduler(store, launch=False, lease_seconds=10)
    assert a.acquire(int(start * 1000)) and not b.acquire(int(start * 1000) + 5000)
    assert a.acquire(int((start + 55) * 1000))  # a renews: held until start + 65 s
    assert b.tick(start + 61) == []
    assert len(b.tick(start + 66)) == 1  # a went quiet: b takes over
    assert a.tick(start + 67) == []
    assert not a.acquire(int((start + 70) * 1000))


def test_the_fire_row_is_the_backstop_behind_the_lease(schedules, nb, store):
    """A second scheduler that believes it holds the lease still cannot fire a tick twice."""
    start = ts("2026-03-02 10:00:00")
    s = schedules.create(nb, "* * * * *", now=int(start * 1000))
    with store.db.write() as conn:  # the tick was fired by someone already
        conn.execute(insert(sf).values(schedule_id=s.id, fire_time=int((start + 60) * 1000),
                                       fired_at=0, pipeline_run_id=None))
    stale = [dict(x) for x in ScheduleService(store).enabled()]
    assert Scheduler(store, launch=False)._fire(stale[0], int((start + 60.5) * 1000)) == []
    assert PipelineService(store).list_runs(schedule_id=s.id) == []


@pytest.mark.parametrize("policy, expected", [("skip", []), ("run_once", ["10:05:00"])])
def test_missed_ticks_follow_the_schedule_policy(schedules, nb, store, policy, expected):
    start = ts("2026-03-02 10:00:30")
    schedules.create(nb, "* * * * *", missed=policy, max_queued=2, now=int(start * 1000))
    scheduler = Scheduler(store, launch=False, grace_seconds=30)
    # Nothing ran from 10:00:30 to 10:05:40: the ticks 10:01 … 10:05 were missed.
    fired = scheduler.tick(ts("2026-03-02 10:05:40"))
    as_text = [datetime.fromtimestamp(f["fire_time"] / 1000, tz=timezone.utc).strftime("%H:%M:%S")
               for f in fired]
    assert as_text == expected
    # Either way the schedule goes on from now.
    assert len(scheduler.tick(ts("2026-03-02 10:06:00.2"))) == 1


def test_a_scheduled_notebook_that_is_gone_gives_a_failed_run(schedules, nb, store):
    start = ts("2026-03-02 10:00:30")
    s = schedules.create(nb, "* * * * *", now=int(start * 1000))
    nb.unlink()
    Scheduler(store, launch=False).tick(ts("2026-03-02 10:01:00.5"))
    (run,) = PipelineService(store).list_runs(schedule_id=s.id)
    assert run.status == "FAILED" and "cannot be read" in run.error


def test_retention_keeps_the_newest_outputs(schedules, nb, store):
    from sqlalchemy import update

    start = ts("2026-03-02 10:00:30")
    s = schedules.create(nb, "* * * * *", keep_last=2, now=int(start * 1000))
    scheduler = Scheduler(store, launch=False)
    blob, _ = store.artifacts.put_bytes(b'{"cells": []}')
    for minute in range(1, 5):
        for fired in scheduler.tick(start + 60 * minute):
            out = nb.parent / f"{fired['pipeline_run_id']}.ipynb"
            out.write_text("{}")
            with store.db.write() as conn:  # as a worker would have ended it
                conn.execute(update(pr).where(pr.c.id == fired["pipeline_run_id"]).values(
                    status="SUCCEEDED", output_blob=blob, output_path=str(out)))
    scheduler.apply_retention(s.id)
    runs = PipelineService(store).list_runs(schedule_id=s.id)
    assert [r.output_blob is not None for r in runs] == [True, True, False, False]
    assert [Path(r.output_notebook).exists() for r in runs[:2]] == [True, True]
    assert [r.output_notebook for r in runs[2:]] == [None, None]
    assert len(list(nb.parent.glob("*.ipynb"))) == 3  # the job notebook and two outputs


def test_the_daemon_runs_scheduled_notebooks_and_two_daemons_fire_each_tick_once(
        schedules, nb, store, tmp_path):
    """Two real `mlops-lab scheduler` processes and two schedules whose next tick is made due
    in a second (a cron fires at most once a minute; the test does not wait for one)."""
    from mlops_lab.store.tables.pipelines import schedules as sc

    made = [schedules.create(nb, "* * * * *", {"alpha": 7}, name=f"every minute {n}")
            for n in (1, 2)]
    due = int(time.time() * 1000) + 1000
    with store.db.write() as conn:
        conn.execute(update(sc).values(next_fire_at=due))
    env = dict(os.environ, MLOPS_LAB_URI=store.db.uri, MLOPS_LAB_ARTIFACTS=store.artifacts.url)
    cli = [sys.executable, "-m", "mlops_lab.cli", "scheduler"]
    daemons = [subprocess.Popen(cli, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE) for _ in range(2)]
    svc = PipelineService(store)

    def succeeded():
        return [r for s in made for r in svc.list_runs(schedule_id=s.id)
                if r.status == "SUCCEEDED"]

    try:
        poll(lambda: len(succeeded()) >= 2, "two scheduled runs to succeed")
    finally:
        for daemon in daemons:
            daemon.terminate()
        for daemon in daemons:
            daemon.wait(timeout=60)
    fired = fires(store)  # the made-due ticks, and a minute's tick if one came meanwhile
    assert {(s.id, due) for s in made} <= set(fired)  # (schedule, tick) is unique by its key
    runs = [r for s in made for r in svc.list_runs(schedule_id=s.id, limit=1000)]
    assert sorted((r.schedule_id, r.fire_time) for r in runs) == sorted(fired)
    assert all(r.parameters == {"alpha": 7} for r in succeeded())
