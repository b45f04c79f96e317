"""The watcher thread of a worker: heartbeats, the timeout, a cancellation made from anywhere
(either kills the kernel), the log's tail saved while the run goes on, and where the run is."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from . import executor, lifecycle

WATCH_SECONDS = 0.25
# While the run goes on, its log's last LOG_TAIL bytes are kept in its row, every
# LOG_TAIL_SECONDS when the log grew, for the run view and `pipeline-runs show --log`.
LOG_TAIL = 64 << 10
LOG_TAIL_SECONDS = 1.0
LOG_TAIL_CUT = b"[...earlier lines: the whole log is kept when the run ends...]\n"


class Watcher(threading.Thread):
    """Heartbeats, timeout and cancellation for the run this worker executes."""

    def __init__(self, svc, run_id: str, timeout: float | None,
                 log_path: Path):
        super().__init__(daemon=True, name="mlops-lab-pipeline-watch")
        self.svc, self.run_id, self.timeout, self.log_path = svc, run_id, timeout, log_path
        self.log_size, self.log_saved_at = 0, 0.0
        self.started = time.monotonic()
        self.stop = threading.Event()
        self.ended_by: str | None = None  # "cancelled" | "timeout"
        self.tracking_run: str | None = None
        self.tracking = None
        # Where the run is, for the record of a cancel: papermill's "Executing Cell N" moves it.
        self.stage = "starting the worker"

    def run(self) -> None:
        from ...config import heartbeat_seconds

        beat_every, last_beat = heartbeat_seconds(), time.monotonic()
        while not self.stop.wait(WATCH_SECONDS):
            try:
                if self.ended_by:  # a kernel papermill starts after the end goes too
                    self.kill_kernel()
                    continue
                if self.timeout and time.monotonic() - self.started > self.timeout:
                    if self.svc.mark_dead(self.run_id, f"Timed out after {self.timeout:g} s; "
                                                       "the kernel was stopped."):
                        self.ended_by = "timeout"
                    self.kill_kernel()
                    continue
                run = self.svc.get(self.run_id)
                if run.status == "CANCELLED":
                    self.ended_by = "cancelled"
                    self.kill_kernel()
                    continue
                if time.monotonic() - last_beat >= beat_every:
                    last_beat = time.monotonic()
                    lifecycle.heartbeat(self.svc.db, self.run_id)
                    if self.tracking is not None and self.tracking_run:
                        self.tracking.heartbeat([self.tracking_run])
                if time.monotonic() - self.log_saved_at >= LOG_TAIL_SECONDS:
                    self.save_log_tail()
            except Exception:  # noqa: BLE001 - a busy store must not stop the watcher
                logging.getLogger("mlops_lab").warning("watcher", exc_info=True)

    def save_log_tail(self) -> None:
        self.log_saved_at = time.monotonic()
        try:
            size = self.log_path.stat().st_size
        except OSError:
            return
        if size == self.log_size:
            return
        with self.log_path.open("rb") as file:
            file.seek(max(0, size - LOG_TAIL))
            data = file.read(LOG_TAIL)
        if size > LOG_TAIL:  # from the first whole line on
            data = LOG_TAIL_CUT + data[data.find(b"\n") + 1:]
        lifecycle.save_log_tail(self.svc.db, self.run_id, data.decode("utf-8", "replace"))
        self.log_size = size

    def kill_kernel(self) -> None:
        executor.kill_tree(os.getpid(), include_self=False)

    def stopped(self) -> bool:
        """Cancelled or timed out. Asked before each step that would start work: the store
        says, not the watcher's next tick."""
        if self.ended_by is None and self.svc.get(self.run_id).status == "CANCELLED":
            self.ended_by = "cancelled"
        return self.ended_by is not None

    def emit_stage(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith("Executing Cell "):
            self.stage = "running cell " + text[len("Executing Cell "):].rstrip("-")


class StageHandler(logging.Handler):
    def __init__(self, watcher: Watcher):
        super().__init__(logging.INFO)
        self.watcher = watcher

    def emit(self, record: logging.LogRecord) -> None:
        self.watcher.emit_stage(record)
