"""The queue of pipeline runs and the worker processes that execute them.

A run waits QUEUED in the database. Whoever has capacity — the server extension, the CLI, the
scheduler daemon or a worker that just finished — claims the oldest QUEUED run in one write
transaction (the concurrency limit is counted in that same transaction, so two claimers can
never exceed it) and starts `python -m mlops_lab.pipelines.runs.worker <id>` in its own session.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

from ...store import Store
from . import lifecycle

HOST = socket.gethostname()
DEFAULT_WORKERS = 4

# Workers this process started, so it can wait for them and reap them.
_children: dict[str, subprocess.Popen] = {}
_children_lock = threading.Lock()


def max_workers(explicit: int | None = None) -> int:
    if explicit:
        return max(1, int(explicit))
    try:
        return max(1, int(os.environ.get("MLOPS_LAB_PIPELINE_WORKERS", DEFAULT_WORKERS)))
    except ValueError:
        return DEFAULT_WORKERS


def claim(store: Store, limit: int, run_id: str | None = None) -> str | None:
    """Marks the oldest QUEUED run (or `run_id` if it is QUEUED) RUNNING on this host if fewer
    than `limit` run; returns its id."""
    return lifecycle.claim(store.db, limit, HOST, run_id)


def dispatch(store: Store, limit: int | None = None) -> list[str]:
    """Starts a worker for each QUEUED run there is capacity for; returns their ids."""
    started, limit = [], max_workers(limit)
    while (run_id := claim(store, limit)) is not None:
        start_worker(store, run_id, limit)
        started.append(run_id)
    return started


def worker_environment(store: Store, limit: int | None = None) -> dict[str, str]:
    """The worker (and the kernel it starts) use exactly this process's store, and the worker
    starts the next queued run under the same concurrency limit."""
    env = dict(os.environ)
    if limit:
        env["MLOPS_LAB_PIPELINE_WORKERS"] = str(limit)
    env["MLOPS_LAB_URI"] = store.db.uri
    env["MLOPS_LAB_ARTIFACTS"] = store.artifacts.url
    env.pop("MLOPS_LAB_PIPELINE_RUN", None)
    env.pop("MLOPS_LAB_PARENT_RUN", None)
    return env


def start_worker(store: Store, run_id: str, limit: int | None = None) -> subprocess.Popen:
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mlops_lab.pipelines.runs.worker", run_id],
            env=worker_environment(store, limit), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
    except OSError as exc:
        lifecycle.mark_crashed(store.db, run_id, f"The worker could not start: {exc}")
        raise
    lifecycle.worker_started(store.db, run_id, proc.pid)
    with _children_lock:
        _children[run_id] = proc
    # Reap it when it ends (a long-lived server must not collect zombies).
    threading.Thread(target=_reap, args=(run_id, proc), daemon=True,
                     name=f"mlops-lab-reap-{run_id[:8]}").start()
    return proc


def _reap(run_id: str, proc: subprocess.Popen) -> None:
    proc.wait()
    with _children_lock:
        if _children.get(run_id) is proc:
            del _children[run_id]


def child(run_id: str) -> subprocess.Popen | None:
    with _children_lock:
        return _children.get(run_id)


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        import psutil

        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE
    except Exception:  # noqa: BLE001 - NoSuchProcess, AccessDenied…
        return False


def kill_tree(pid: int, include_self: bool = True) -> None:
    """Kills a process's descendants (the kernel papermill started) and the process."""
    import psutil

    try:
        proc = psutil.Process(pid)
        victims = proc.children(recursive=True) + ([proc] if include_self else [])
    except psutil.Error:
        return
    for victim in victims:
        try:
            victim.kill()
        except psutil.Error:
            pass
