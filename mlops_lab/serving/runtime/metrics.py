"""/metrics in the Prometheus text format (prometheus_client, one registry per app).

Every value is counted as it happens (no values read at scrape time), so with `--workers N`
prometheus_client's multiprocess mode can add up what all the worker processes counted: a
scrape answered by any worker shows the whole server (see `shared_between_workers`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager

# Seconds; fine-grained at the low end, where a single-row prediction answers.
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25,
                   0.5, 1.0, 2.5, 5.0, 10.0)
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
LOG_COUNTS = {"written": "Prediction log rows written.",
              "dropped": "Prediction log rows dropped because the queue was full.",
              "failed": "Prediction log rows lost because writing them failed."}


@contextmanager
def shared_between_workers():
    """While serving with several worker processes: a fresh folder for prometheus_client's
    multiprocess mode, named in the environment the workers start with, removed at the end.
    A folder the caller set already is used as it is."""
    if os.environ.get(MULTIPROCESS_ENV):
        yield
        return
    folder = tempfile.mkdtemp(prefix="mlops-lab-metrics-")
    os.environ[MULTIPROCESS_ENV] = folder
    try:
        yield
    finally:
        os.environ.pop(MULTIPROCESS_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


class ServerMetrics:
    def __init__(self, model_name: str, model_version: int):
        from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram,
                                       disable_created_metrics)

        disable_created_metrics()  # the *_created series only double the page here
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("mlops_lab_requests", "HTTP requests answered, by path and "
                                "status.", ["path", "status"], registry=registry)
        self.errors = Counter("mlops_lab_request_errors", "Requests answered with an error, "
                              "by path and error word.", ["path", "error"], registry=registry)
        self.latency = Histogram("mlops_lab_request_duration_seconds", "Time to answer a "
                                 "request, by path.", ["path"], buckets=LATENCY_BUCKETS,
                                 registry=registry)
        self.rows = Counter("mlops_lab_predictions", "Rows scored.", registry=registry)
        self.swaps = Counter("mlops_lab_model_swaps", "Times the served model version changed "
                             "while running.", registry=registry)
        self.version = Gauge("mlops_lab_model_version", "The model version being served.",
                             ["model"], registry=registry, multiprocess_mode="livemostrecent")
        self.log_counts = {key: Counter(f"mlops_lab_prediction_log_{key}", text,
                                        registry=registry) for key, text in LOG_COUNTS.items()}
        self.log_queued = Gauge("mlops_lab_prediction_log_queued", "Prediction log rows "
                                "waiting to be written.", registry=registry,
                                multiprocess_mode="livesum")
        self.version.labels(model_name).set(model_version)
        self._cache: dict = {}

    def observe(self, path: str, status: int, seconds: float, error: str | None = None) -> None:
        key = (path, status)
        children = self._cache.get(key)
        if children is None:  # label lookups cost more than the increments themselves
            children = self._cache[key] = (self.requests.labels(path, str(status)),
                                           self.latency.labels(path))
        children[0].inc()
        children[1].observe(seconds)
        if error is not None:
            self.errors.labels(path, error).inc()

    def swapped(self, name: str, version: int) -> None:
        self.swaps.inc()
        self.version.labels(name).set(version)

    def count_log(self, key: str, rows: int) -> None:
        """The prediction log's events: rows 'queued' (negative when taken to be written),
        'written', 'dropped' or 'failed'."""
        if key == "queued":
            self.log_queued.inc(rows)
        else:
            self.log_counts[key].inc(rows)

    def exposition(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

        if not os.environ.get(MULTIPROCESS_ENV):
            return generate_latest(self.registry), CONTENT_TYPE_LATEST
        from prometheus_client import multiprocess

        everyone = CollectorRegistry()
        multiprocess.MultiProcessCollector(everyone)
        return generate_latest(everyone), CONTENT_TYPE_LATEST

    def close(self) -> None:
        """At a worker's shutdown: its live gauges stop counting towards the whole."""
        if os.environ.get(MULTIPROCESS_ENV):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(os.getpid())
