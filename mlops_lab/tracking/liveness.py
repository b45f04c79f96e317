"""Is the process of a RUNNING run still there? The rules the sweep for dead runs applies.

- On this host, the run's process is asked directly: a live process with the recorded pid and
  start time means the run is alive, however old its last heartbeat (a busy or suspended
  process is not dead); a missing, zombie or different process (a reused pid) means it ended.
  A start time is derived from the wall clock, which NTP or a resumed machine moves: one read
  differently later is still the run's process unless it started after the run's last sign
  of life (a process that took the pid over can only have started after the run's one died).
- Elsewhere (or without a pid), only heartbeats tell: the run is dead after three of the
  intervals *its own* process promised, not the interval of the process that sweeps.
"""

from __future__ import annotations

import os
import socket

HOST = socket.gethostname()
MISSED_BEATS = 3
_START_TOLERANCE_MS = 1000  # the same process reads back the same start time; a reuse differs
_CLOCK_SLACK_MS = 60_000  # how far a clock adjustment may move a start time past the last beat
_started: dict[int, int | None] = {}


def process_started_at(pid: int | None = None) -> int | None:
    """The start time (ms since the epoch) of process `pid` (default: this one), or None."""
    pid = os.getpid() if pid is None else pid
    if pid == os.getpid() and pid in _started:
        return _started[pid]  # asked on every run start: read once per process
    import psutil

    try:
        started = int(psutil.Process(pid).create_time() * 1000)
    except (psutil.Error, OSError):
        started = None
    if pid == os.getpid():
        _started[pid] = started
    return started


def local_process_alive(pid: int, started_at: int | None, last_seen: int | None = None) -> bool:
    """Is process `pid` the one that started at `started_at` (ms since the epoch) and was last
    heard of at `last_seen`?"""
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        created = int(process.create_time() * 1000)
    except psutil.NoSuchProcess:
        return False
    except (psutil.AccessDenied, OSError):
        return True  # someone else's live process: not ours to call dead
    if started_at is None or abs(created - started_at) <= _START_TOLERANCE_MS:
        return True
    return last_seen is not None and created <= max(last_seen, started_at) + _CLOCK_SLACK_MS


def why_dead(run, now: int, default_interval_ms: int) -> str | None:
    """Why the RUNNING run `run` (host, pid, process_started_at, heartbeat_at, heartbeat_ms)
    is dead, or None while it may be alive."""
    if run.host == HOST and run.pid:
        if local_process_alive(run.pid, run.process_started_at, run.heartbeat_at):
            return None
        return f"The process {run.pid} on {run.host} ended while the run was active."
    interval = run.heartbeat_ms or default_interval_ms
    silent = now - (run.heartbeat_at or 0)
    if silent <= MISSED_BEATS * interval:
        return None
    return (f"No heartbeat from process {run.pid} on {run.host} for {silent // 1000} s "
            f"(it promised one every {interval / 1000:g} s).")
