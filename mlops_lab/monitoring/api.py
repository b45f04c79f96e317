"""Monitoring's public functions (`import mlops_lab as ml`): drift between two frames, monitors
of a model alias, and the labels that arrive after predictions.

    report = ml.detect_drift(train, recent)            # a DriftReport: table, figures, verdict
    ml.create_monitor("churn@champion", window="1h", schedule="*/15 * * * *")
    run = ml.run_monitor("churn@champion")             # stored; run.drift, run.performance
    ml.log_labels(request_ids, y)                      # performance once labels arrive
"""

from __future__ import annotations

from .drift import DriftReport, DriftThresholds, ReferenceProfile, detect_drift  # noqa: F401
from .monitors.entities import Monitor, MonitorRun


def service():
    """The MonitorService of the store the environment and working directory name."""
    from ..services import services

    return services().monitors


def create_monitor(target: str, name: str | None = None, *, window=None, last: int | None = None,
                   snapshot: str | None = None, reference: str | None = None,
                   label: str | None = None, metric: str | None = None,
                   thresholds: dict | None = None, per_feature: dict | None = None,
                   schedule: str | None = None) -> Monitor:
    """A monitor of a model alias ("churn@champion"), named `name` (default the target).

    - Current data: the model server's prediction log, its `last` N predictions (default
      10,000) and/or those of the last `window` ("1h", "7d"); or `snapshot="customers"`, the
      newest snapshot of that dataset at each run (labelled: give `label="churned"`).
    - Reference: the snapshot the version behind the alias was trained on (its lineage), or
      `reference="customers@3"`; its statistics are computed once and stored.
    - `thresholds` / `per_feature`: drift thresholds (see `ml.DriftThresholds`).
    - `metric`: accuracy, f1, roc_auc (classifiers) or mae, rmse (regressors).
    - `schedule`: a cron expression (UTC); the scheduler of `jupyter lab` or
      `mlops-lab scheduler` runs it."""
    return service().create_monitor(target, name, window=window, last=last, snapshot=snapshot,
                                    reference=reference, label=label, metric=metric,
                                    thresholds=thresholds, per_feature=per_feature,
                                    schedule=schedule)


def run_monitor(name: str) -> MonitorRun:
    """Runs the monitor now; the stored run (status ok, drift, no data or failed)."""
    return service().run_monitor(name)


def get_monitor(name: str) -> Monitor:
    return service().get_monitor(name)


def list_monitors(model: str | None = None) -> list[Monitor]:
    return service().list_monitors(model)


def monitor_runs(name: str, limit: int = 100) -> list[MonitorRun]:
    """The monitor's runs, newest first."""
    return service().list_runs(name, limit)


def delete_monitor(name: str) -> None:
    service().delete_monitor(name)


def log_labels(request_ids, labels, rows=None) -> int:
    """The true outcomes of logged predictions: `request_ids[i]` (the X-Request-Id the model
    server answered with), row `rows[i]` of it (default 0), was `labels[i]`."""
    return service().log_labels(request_ids, labels, rows)
