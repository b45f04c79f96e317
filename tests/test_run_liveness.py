"""Which RUNNING runs are dead: each run's own heartbeat interval, a live local process never
taken for dead (nor a reused pid for alive), and sweeping before runs are listed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from mlops_lab.store import migrate
from mlops_lab.store.db import Database
from mlops_lab.tracking import liveness
from mlops_lab.clock import now_ms

CLI = Path(sys.executable).with_name("mlops-lab")
WAITING_RUN = """
    import sys
    import mlops_lab as ml
    run = ml.start_run("alive")
    print(run.id, flush=True)
    sys.stdin.readline()  # alive until told (or killed)
"""


def _set(svc, run_id: str, **values) -> None:
    names = ", ".join(f"{k} = :{k}" for k in values)
    with svc.db.write() as conn:
        conn.execute(text(f"UPDATE runs SET {names} WHERE id = :i"), {"i": run_id, **values})


def _start(code: str, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    return proc, proc.stdout.readline().strip()


def test_a_run_records_its_process_and_heartbeat_interval(svc, monkeypatch):
    monkeypatch.setenv("MLOPS_LAB_HEARTBEAT", "40")
    run = svc.create_run(svc.get_or_create_experiment("live").id)
    with svc.db.read() as conn:
        row = conn.execute(text("SELECT host, pid, process_started_at, heartbeat_ms FROM runs "
                                "WHERE id = :i"), {"i": run.id}).one()
    assert (row.host, row.pid, row.heartbeat_ms) == (liveness.HOST, os.getpid(), 40_000)
    assert abs(row.process_started_at - liveness.process_started_at()) <= 1000


def test_a_live_local_process_is_never_marked_dead_however_silent(svc):
    run = svc.create_run(svc.get_or_create_experiment("live").id)  # this live test process
    _set(svc, run.id, heartbeat_at=0)  # silent for decades: suspended, or a busy GIL
    assert svc.sweep_dead_runs(heartbeat_seconds=0.001) == 0
    assert svc.get_run(run.id).status == "RUNNING"


def test_a_reused_pid_is_not_taken_for_the_runs_process(svc):
    run = svc.create_run(svc.get_or_create_experiment("live").id)
    # The pid is alive, but it is another process than the one that started the run: that one
    # started an hour before this one and was last heard of 50 minutes before this one started.
    started = liveness.process_started_at()
    _set(svc, run.id, process_started_at=started - 3_600_000, heartbeat_at=started - 3_000_000)
    assert svc.sweep_dead_runs() == 1
    killed = svc.get_run(run.id)
    assert killed.status == "KILLED" and f"process {os.getpid()}" in killed.error


@pytest.mark.parametrize("shift_ms", [-20_000, 20_000])
def test_a_clock_adjustment_does_not_kill_a_live_run(svc, shift_ms):
    """NTP or a resumed machine moves the wall clock, and with it the start time a process
    reads for itself: the run's own live process is still its process."""
    run = svc.create_run(svc.get_or_create_experiment("live").id)
    _set(svc, run.id, process_started_at=liveness.process_started_at() + shift_ms)
    assert svc.sweep_dead_runs() == 0
    assert svc.get_run(run.id).status == "RUNNING"


def test_each_run_is_judged_by_its_own_interval(svc):
    exp = svc.get_or_create_experiment("remote")
    slow, fast = svc.create_run(exp.id, name="slow"), svc.create_run(exp.id, name="fast")
    # Both on another host, silent for 100 s: the slow one promised a beat a minute.
    _set(svc, slow.id, host="elsewhere", heartbeat_ms=60_000, heartbeat_at=now_ms() - 100_000)
    _set(svc, fast.id, host="elsewhere", heartbeat_ms=10_000, heartbeat_at=now_ms() - 100_000)
    assert svc.sweep_dead_runs(heartbeat_seconds=1) == 1  # the sweeper's own 1 s counts for none
    assert svc.get_run(slow.id).status == "RUNNING"
    fast_run = svc.get_run(fast.id)
    assert fast_run.status == "KILLED" and "every 10 s" in fast_run.error
    _set(svc, slow.id, heartbeat_at=now_ms() - 200_000)
    assert svc.sweep_dead_runs(heartbeat_seconds=1) == 1


def test_a_process_with_a_short_heartbeat_leaves_other_live_runs_alone(store_home):
    proc, run_id = _start(WAITING_RUN, {"MLOPS_LAB_HEARTBEAT": "30"})
    try:
        from mlops_lab.tracking import fluent

        svc = fluent.service()
        _set(svc, run_id, heartbeat_at=now_ms() - 10_000)  # 10 s silent: 1/3 of its interval
        other = subprocess.run(
            [sys.executable, "-c", "import mlops_lab as ml\nwith ml.start_run('quick'): pass"],
            env={**os.environ, "MLOPS_LAB_HEARTBEAT": "0.1"}, capture_output=True, text=True,
            timeout=120)
        assert other.returncode == 0, other.stderr
        assert svc.get_run(run_id).status == "RUNNING"
    finally:
        proc.communicate("\n", timeout=60)
    assert svc.get_run(run_id).status == "FINISHED"


def _killed_run() -> str:
    """A run whose process was killed (SIGKILL: nothing in it could end the run)."""
    proc, run_id = _start(WAITING_RUN)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    return run_id


def test_search_runs_sweeps_first(store_home):
    import mlops_lab as ml

    run_id = _killed_run()
    (found,) = ml.search_runs()
    assert found.id == run_id and found.status == "KILLED"
    assert "ended while the run was active" in ml.get_run(run_id).error


def test_the_runs_command_sweeps_first(store_home, tmp_path):
    run_id = _killed_run()
    result = subprocess.run([str(CLI), "runs", "--json"], capture_output=True, text=True,
                            cwd=tmp_path, env=os.environ.copy(), timeout=120)
    assert result.returncode == 0, result.stderr
    (run,) = json.loads(result.stdout)["runs"]
    assert run["id"] == run_id and run["status"] == "KILLED"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_upgrade_from_0010_keeps_runs_and_sweeps_them(backend, tmp_path, request):
    from mlops_lab.store import close_all, open_store
    from mlops_lab.tracking.service import TrackingService

    uri = (f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite"
           else request.getfixturevalue("new_pg_database")())
    db = Database(uri)
    migrate.migrate_to(db, "0010")
    with db.write() as conn:
        conn.execute(text("INSERT INTO experiments (name, created_at) VALUES ('kept', 1)"))
        for run_id, host in (("a" * 32, "elsewhere"), ("b" * 32, liveness.HOST)):
            conn.execute(text(
                "INSERT INTO runs (id, experiment_id, name, status, start_time, heartbeat_at, "
                "host, pid) VALUES (:i, 1, 'old', 'RUNNING', 1, 1, :h, :p)"),
                {"i": run_id, "h": host, "p": os.getpid()})
    db.dispose()
    try:
        store = open_store(uri, str(tmp_path / "artifacts")) if backend == "sqlite" else None
        if store is None:  # PostgreSQL waits for an explicit upgrade
            db = Database(uri)
            migrate.upgrade(db)
            db.dispose()
            store = open_store(uri, str(tmp_path / "artifacts"))
        assert migrate.current_revision(store.db) == migrate.HEAD
        svc = TrackingService(store)
        # A run from before the upgrade has no interval of its own: the default applies; this
        # live process's run has no start time recorded: its pid alone decides.
        assert svc.sweep_dead_runs(heartbeat_seconds=15) == 1
        assert svc.get_run("a" * 32).status == "KILLED"
        assert svc.get_run("b" * 32).status == "RUNNING"
    finally:
        close_all()


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan"])
def test_a_bad_heartbeat_setting_is_a_clear_error(store_home, monkeypatch, value):
    import mlops_lab as ml
    from mlops_lab.errors import InvalidInput

    monkeypatch.setenv("MLOPS_LAB_HEARTBEAT", value)
    with pytest.raises(InvalidInput, match="MLOPS_LAB_HEARTBEAT must be a number of seconds"):
        ml.start_run("x")
