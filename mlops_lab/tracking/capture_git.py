"""The git state of a folder, computed off the cell's critical path.

``git_state(folder)`` runs git (one ``git status``, plus one ``git diff`` when the tree is
dirty) and returns ``{"commit", "branch", "dirty", "diff_hash"}`` or None outside a repository
or without git. "Dirty" means tracked files differ from HEAD (staged or not); untracked files do
not count, since notebooks often sit untracked beside committed code. ``diff_hash`` is the blake3
hex of ``git diff HEAD --binary`` (None when clean), so two runs with the same hash ran the same
uncommitted code.

``GitRecorder`` runs ``git_state`` on a background executor and hands each result to a
callback; runs queued for the same folder while git was running share one answer.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
from functools import lru_cache
from typing import Callable

from blake3 import blake3

GIT_TIMEOUT_SECONDS = 20


def _git(folder: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, timeout=GIT_TIMEOUT_SECONDS,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},  # read-only: take no index lock
    )


@lru_cache(maxsize=1)
def _git_installed() -> bool:
    return shutil.which("git") is not None


def git_state(folder: str | os.PathLike) -> dict | None:
    folder = os.fspath(folder)
    if not _git_installed() or not os.path.isdir(folder):
        return None
    try:
        status = _git(folder, "status", "--porcelain=v2", "--branch", "--untracked-files=no")
        if status.returncode != 0:
            return None  # not a repository
        commit = branch = None
        dirty = False
        for line in status.stdout.decode("utf-8", "replace").splitlines():
            if line.startswith("# branch.oid "):
                oid = line.split(" ", 2)[2]
                commit = None if oid == "(initial)" else oid
            elif line.startswith("# branch.head "):
                head = line.split(" ", 2)[2]
                branch = None if head == "(detached)" else head
            elif line and not line.startswith("#"):
                dirty = True
        diff_hash = None
        if dirty:
            # Before the first commit there is no HEAD: what is staged is the whole change.
            diff = _git(folder, "diff", "HEAD" if commit else "--cached", "--binary")
            diff_hash = blake3(diff.stdout).hexdigest() if diff.returncode == 0 else None
        return {"commit": commit, "branch": branch, "dirty": dirty, "diff_hash": diff_hash}
    except (OSError, subprocess.SubprocessError):
        return None


class GitRecorder:
    """Reads git states off the caller's thread and reports them through ``deliver``.

    ``record(key, folder)`` queues a request and asks ``submit`` (an executor's submit, run on a
    background thread) to drain the queue; ``deliver(key, state)`` is then called for each key,
    in order. Requests that queued up while git was running are answered by one git call per
    folder. Errors in ``deliver`` go to ``on_error`` and do not stop the other keys.
    """

    def __init__(self, deliver: Callable[[str, dict | None], None],
                 submit: Callable[[Callable[[], None]], object],
                 on_error: Callable[[str, BaseException], None] | None = None,
                 state: Callable[[str], dict | None] = git_state):
        self._deliver = deliver
        self._submit = submit
        self._on_error = on_error or (lambda key, exc: None)
        self._state = state
        self._queue: queue.SimpleQueue = queue.SimpleQueue()

    def record(self, key: str, folder: str) -> None:
        self._queue.put((key, folder))
        self._submit(self._drain)

    def _drain(self) -> None:
        batch = []
        while True:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        states: dict[str, dict | None] = {}
        for key, folder in batch:
            try:
                if folder not in states:
                    states[folder] = self._state(folder)
                self._deliver(key, states[folder])
            except Exception as exc:  # one failed write must not lose the other runs' state
                self._on_error(key, exc)
