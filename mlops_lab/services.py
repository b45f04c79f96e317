"""The composition root: the services of one store, each built once, on first use, and handed
its collaborators. Every entry point (Python API, magics, CLI, REST, pipeline worker, scheduler,
model server) asks here; no service builds another and no entry point keeps a cache of its own.

    from mlops_lab.services import services
    services().tracking.search_runs(...)          # the store the environment and cwd name
    services_for(store).models.get_model("churn")  # a store already open

A part is replaced by naming another class for it (the server extension's traitlets do so):
`Services(store, classes={"tracking": MyTrackingService})`; the class is called with the same
arguments as the one it replaces.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable

# Which service classes exist, where they live, and what each is handed. Imports are deferred
# (by dotted name) so that asking for one part does not import every other.
DEFAULT_CLASSES: dict[str, str] = {
    "tracking": "mlops_lab.tracking.service:TrackingService",
    "datasets": "mlops_lab.datasets.service:DatasetService",
    "features": "mlops_lab.features.service:FeatureService",
    "models": "mlops_lab.models.service:ModelService",
    "serving": "mlops_lab.serving.service:ServingService",
    "pipelines": "mlops_lab.pipelines.runs.service:PipelineService",
    "schedules": "mlops_lab.pipelines.schedules.service:ScheduleService",
    "dags": "mlops_lab.pipelines.dags.service:DagService",
    "sweeps": "mlops_lab.pipelines.sweeps.service:SweepService",
    "reproduce": "mlops_lab.pipelines.reproduce.service:ReproduceService",
    "monitors": "mlops_lab.monitoring.monitors.service:MonitorService",
    "alerts": "mlops_lab.monitoring.alerts.service:AlertService",
    "webhooks": "mlops_lab.monitoring.webhooks.service:WebhookService",
    "evaluation": "mlops_lab.evaluation.service:EvaluationService",
    "retraining": "mlops_lab.retraining.service:RetrainingService",
}


def load_class(spec: str | type) -> type:
    """A class named `module:Name` or `module.Name` (or the class itself)."""
    if not isinstance(spec, str):
        return spec
    from importlib import import_module

    module, _, name = spec.partition(":") if ":" in spec else spec.rpartition(".")
    return getattr(import_module(module), name)


class Services:
    """The services of one store. Attributes are built on first use, once, even when several
    threads ask at once (the server's handlers run in a thread pool)."""

    def __init__(self, store, classes: dict[str, str | type] | None = None):
        unknown = set(classes or {}) - set(DEFAULT_CLASSES)
        if unknown:
            raise ValueError(f"No part named {', '.join(sorted(unknown))}; the parts are "
                             f"{', '.join(DEFAULT_CLASSES)}.")
        self.store = store
        self._classes = {**DEFAULT_CLASSES, **{k: v for k, v in (classes or {}).items() if v}}
        self._built: dict[str, Any] = {}
        self._lock = threading.RLock()  # re-entrant: building one part may build its collaborators

    def _get(self, name: str, build: Callable[[type], Any]) -> Any:
        found = self._built.get(name)
        if found is None:
            with self._lock:
                found = self._built.get(name)
                if found is None:
                    found = self._built[name] = build(load_class(self._classes[name]))
        return found

    # Each part and the collaborators it is handed. A part that needs another asks here,
    # so one store has one instance of each.
    @property
    def tracking(self):
        return self._get("tracking", lambda cls: cls(self.store))

    @property
    def datasets(self):
        return self._get("datasets", lambda cls: cls(self.store, tracking=self.tracking))

    @property
    def features(self):
        return self._get("features", lambda cls: cls(self.store, tracking=self.tracking,
                                                     datasets=self.datasets))

    @property
    def models(self):
        # datasets is found on first use (an ONNX export's check), and webhooks too (the first
        # registration or alias move, which queues its events in its transaction): the model
        # server, which builds models for its alias watcher, then never imports either part.
        return self._get("models", lambda cls: cls(self.store, tracking=self.tracking))

    @property
    def serving(self):
        return self._get("serving", lambda cls: cls(self.store, models=self.models))

    @property
    def pipelines(self):
        return self._get("pipelines", lambda cls: cls(self.store))

    @property
    def schedules(self):
        return self._get("schedules", lambda cls: cls(self.store))

    @property
    def dags(self):
        return self._get("dags", lambda cls: cls(self.store, pipelines=self.pipelines))

    @property
    def sweeps(self):
        return self._get("sweeps", lambda cls: cls(self.store, pipelines=self.pipelines,
                                                tracking=self.tracking))

    @property
    def reproduce(self):
        return self._get("reproduce", lambda cls: cls(self.store, pipelines=self.pipelines,
                                                   tracking=self.tracking))

    @property
    def monitors(self):
        return self._get("monitors", lambda cls: cls(self.store, models=self.models,
                                                  datasets=self.datasets, serving=self.serving,
                                                  alerts=self.alerts))

    @property
    def alerts(self):
        # Handed webhooks so that an alert's change queues its deliveries in its transaction.
        return self._get("alerts", lambda cls: cls(self.store, webhooks=self.webhooks,
                                                pipelines=self.pipelines))

    @property
    def evaluation(self):
        return self._get("evaluation", lambda cls: cls(self.store, models=self.models,
                                                    serving=self.serving,
                                                    datasets=self.datasets,
                                                    webhooks=self.webhooks))

    @property
    def retraining(self):
        return self._get("retraining", lambda cls: cls(
            self.store, pipelines=self.pipelines, dags=self.dags, models=self.models,
            evaluation=self.evaluation, alerts=self.alerts, datasets=self.datasets,
            tracking=self.tracking, monitors=self.monitors, webhooks=self.webhooks))

    @property
    def webhooks(self):
        return self._get("webhooks", lambda cls: cls(self.store))


_by_store: dict[int, Services] = {}
_by_place: dict[tuple, Services] = {}
_lock = threading.Lock()


def services_for(store, classes: dict[str, str | type] | None = None) -> Services:
    """The one Services of an open store (built on first call). `classes` only counts on the
    first call for that store; a caller that needs other classes builds `Services` itself."""
    with _lock:
        found = _by_store.get(id(store))
        if found is None or found.store is not store:
            found = _by_store[id(store)] = Services(store, classes)
        return found


def services(uri: str | None = None, artifacts: str | None = None) -> Services:
    """The services of the store `uri`/`artifacts` name, or else the one the environment and the
    working directory name (found like git finds .git; see mlops_lab.config)."""
    if uri is not None or artifacts is not None:
        from .store import open_store

        return services_for(open_store(uri, artifacts))
    # Finding the store walks up from the working directory; the answer is remembered per
    # place so the hot paths (log_metric in a loop) do not walk again.
    place = (os.environ.get("MLOPS_LAB_HOME"), os.environ.get("MLOPS_LAB_URI"),
             os.environ.get("MLOPS_LAB_ARTIFACTS"), os.getcwd())
    from .store import is_open, open_store

    found = _by_place.get(place)
    if found is None or not is_open(found.store):

        found = services_for(open_store())
        with _lock:
            _by_place[place] = found
    return found


def forget() -> None:
    """Forget every Services (tests switching stores; a closed store is noticed anyway)."""
    with _lock:
        _by_store.clear()
        _by_place.clear()
