"""/metrics in the Prometheus text format (prometheus_client, one registry per app)."""

from __future__ import annotations

from typing import Callable

# Seconds; fine-grained at the low end, where a single-row prediction answers.
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25,
                   0.5, 1.0, 2.5, 5.0, 10.0)


class ServerMetrics:
    def __init__(self, log_stats: Callable[[], dict] | None, model: Callable[[], tuple]):
        from prometheus_client import (CollectorRegistry, Counter, Histogram,
                                       disable_created_metrics)

        disable_created_metrics()  # the *_created series only double the page here
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("mlops_lab_requests", "HTTP requests answered, by path and "
                                "status.", ["path", "status"], registry=self.registry)
        self.errors = Counter("mlops_lab_request_errors", "Requests answered with an error, "
                              "by path and error word.", ["path", "error"],
                              registry=self.registry)
        self.latency = Histogram("mlops_lab_request_duration_seconds", "Time to answer a "
                                 "request, by path.", ["path"], buckets=LATENCY_BUCKETS,
                                 registry=self.registry)
        self.rows = Counter("mlops_lab_predictions", "Rows scored.", registry=self.registry)
        self.swaps = Counter("mlops_lab_model_swaps", "Times the served model version changed "
                             "while running.", registry=self.registry)
        self.registry.register(_LiveValues(log_stats, model))
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

    def exposition(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _LiveValues:
    """Values read at scrape time from their owners (the log queue, the served model)."""

    def __init__(self, log_stats, model):
        self.log_stats = log_stats
        self.model = model

    def describe(self):
        return []

    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        name, version = self.model()
        info = GaugeMetricFamily("mlops_lab_model_version", "The model version being served.",
                                 labels=["model"])
        info.add_metric([name], version)
        yield info
        stats = self.log_stats() if self.log_stats else None
        if stats is None:
            return
        for key, text in (("written", "Prediction log rows written."),
                          ("dropped", "Prediction log rows dropped because the queue was full."),
                          ("failed", "Prediction log rows lost because writing them failed.")):
            family = CounterMetricFamily(f"mlops_lab_prediction_log_{key}", text)
            family.add_metric([], stats[key])
            yield family
        queued = GaugeMetricFamily("mlops_lab_prediction_log_queued",
                                   "Prediction log rows waiting to be written.")
        queued.add_metric([], stats["queued"])
        yield queued
