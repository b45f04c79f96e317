"""The prediction log: every answered prediction goes through a bounded queue to a writer task.

A response never waits for the log: `submit` is a `put_nowait`; when the queue is full the
row is dropped and counted, and the count is reported by /health and /metrics. The writer
drains the queue in batches and hands each batch to `write_batch` in a thread (a database
insert in `mlops-lab serve`, JSON lines in a container), so the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from typing import Callable

log = logging.getLogger("mlops_lab.serving")


class PredictionLog:
    def __init__(self, write_batch: Callable[[list[dict]], None], maxsize: int = 10_000,
                 batch_size: int = 500):
        self.write_batch = write_batch
        self.maxsize = maxsize
        self.batch_size = batch_size
        self.submitted = 0  # rows accepted into the queue
        self.dropped = 0    # rows refused because the queue was full
        self.written = 0    # rows the sink stored
        self.failed = 0     # rows lost because the sink raised
        # Told of every change as it happens (the server's metrics): (what, rows), where
        # what is "queued" (negative when rows leave the queue), "written", "dropped", "failed".
        self.on_count: Callable[[str, int], None] | None = None
        self._queue: asyncio.Queue | None = None
        self._task: asyncio.Task | None = None

    def _count(self, what: str, rows: int) -> None:
        if what != "queued":
            setattr(self, what, getattr(self, what) + rows)
        if self.on_count is not None:
            self.on_count(what, rows)

    def submit(self, request_id: str, name: str, version: int, inputs, outputs: list) -> bool:
        """Queues one answered request; False (and counted) when the queue is full."""
        if self._queue is None:
            self._count("dropped", 1)
            return False
        try:
            self._queue.put_nowait((request_id, name, version, time.time_ns() // 1_000_000,
                                    inputs, outputs))
        except asyncio.QueueFull:
            self._count("dropped", 1)
            return False
        self.submitted += 1
        self._count("queued", 1)
        return True

    async def start(self) -> None:
        self._queue = asyncio.Queue(maxsize=self.maxsize)
        self._task = asyncio.create_task(self._run(), name="prediction-log-writer")

    async def _run(self) -> None:
        queue = self._queue
        while True:
            batch = [await queue.get()]
            while len(batch) < self.batch_size and not queue.empty():
                batch.append(queue.get_nowait())
            self._count("queued", -len(batch))
            try:
                await asyncio.to_thread(self._write, batch)
                self._count("written", len(batch))
            except Exception:
                self._count("failed", len(batch))
                log.warning("mlops-lab: could not write %d prediction log row(s)", len(batch),
                            exc_info=True)
            finally:
                for _ in batch:
                    queue.task_done()

    def _write(self, batch: list[tuple]) -> None:
        # Inputs ({column: values}) and outputs as answered: each sink stores them its way
        # (the store column by column, a container's stdout as JSON lines).
        rows = [{"request_id": rid, "model_name": name, "model_version": version,
                 "created_at": at, "row_count": len(outputs), "inputs": inputs,
                 "outputs": outputs}
                for rid, name, version, at, inputs, outputs in batch]
        self.write_batch(rows)

    async def stop(self, timeout: float = 10.0) -> None:
        """Writes what is queued (up to `timeout` seconds), then stops the writer."""
        if self._task is None:
            return
        try:
            await asyncio.wait_for(self._queue.join(), timeout)
        except asyncio.TimeoutError:
            left = self._queue.qsize()
            self._count("queued", -left)
            self._count("failed", left)
            log.warning("mlops-lab: %d prediction log row(s) not written at shutdown", left)
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self._task = None

    async def flush(self) -> None:
        """Waits until every queued row has been handed to the sink."""
        if self._queue is not None:
            await self._queue.join()

    def stats(self) -> dict:
        return {"submitted": self.submitted, "written": self.written, "dropped": self.dropped,
                "failed": self.failed, "queued": self._queue.qsize() if self._queue else 0,
                "capacity": self.maxsize}


def frame_json(inputs) -> str:
    """The inputs column-wise ({column: values} or a DataFrame), as strict JSON (missing
    values as null)."""
    pairs = inputs.items() if isinstance(inputs, dict) else ((c, inputs[c]) for c in inputs)
    return json.dumps({str(c): _plain(v.tolist() if hasattr(v, "tolist") else list(v))
                       for c, v in pairs}, default=str, allow_nan=False)


def values_json(values: list) -> str:
    return json.dumps(_plain(values), default=str, allow_nan=False)


def _plain(values: list) -> list:
    return [None if (type(v) is float and not math.isfinite(v)) or v is None
            else (v if isinstance(v, (str, int, float, bool)) else
                  (_plain(v) if isinstance(v, list) else str(v)))
            for v in values]


def json_lines_sink(stream) -> Callable[[list[dict]], None]:
    """A sink writing one JSON object per prediction request (for containers: stdout)."""
    def write(rows: list[dict]) -> None:
        for row in rows:
            doc = dict(row, inputs=json.loads(frame_json(row["inputs"])),
                       outputs=json.loads(values_json(row["outputs"])))
            stream.write(json.dumps({"prediction_log": doc}) + "\n")
        stream.flush()

    return write
