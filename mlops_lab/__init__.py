"""mlops-lab: a notebook-centric MLOps workbench for JupyterLab.

    import mlops_lab as ml
    with ml.start_run("baseline"):
        ml.log_param("C", 1.0)
        ml.log_metric("auc", 0.93)

In a notebook: ``%load_ext mlops_lab`` then ``%%track`` on any cell.

Importing this module is cheap: the tracking API, the store and SQLAlchemy load on first use.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Public name -> module that defines it; loaded on first attribute access (PEP 562).
_LAZY = {
    name: "mlops_lab.tracking.fluent"
    for name in (
        "set_experiment",
        "start_run",
        "end_run",
        "active_run",
        "log_param",
        "log_params",
        "log_metric",
        "log_metrics",
        "set_tag",
        "set_tags",
        "log_artifact",
        "log_figure",
        "list_artifacts",
        "download_artifact",
        "get_run",
        "search_runs",
        "search_runs_df",
        "flush",
    )
}
# Each part's public names, by the module that defines them (one block per part).
_LAZY.update({name: "mlops_lab.datasets.api" for name in (
    "snapshot", "load_snapshot", "get_snapshot", "list_snapshots", "list_datasets",
    "diff_snapshots", "expect", "set_validation", "get_validation")})
_LAZY.update({name: "mlops_lab.features.api" for name in (
    "feature_set", "materialize", "get_training_set", "get_online_features", "search_features",
    "get_feature_set", "get_feature_set_version",
)})
_LAZY.update({name: "mlops_lab.models.api" for name in (
    "register_model", "load_model", "set_alias", "delete_alias", "rollback",
    "list_model_versions", "get_model_version", "export_onnx")})
_LAZY.update({name: "mlops_lab.evaluation.api"
              for name in ("gate", "benchmark_models", "list_evaluations")})
_LAZY.update({name: "mlops_lab.serving.api"
              for name in ("score_file", "package_model", "prediction_logs")})
_LAZY.update({name: "mlops_lab.pipelines.api" for name in (
    "run_notebook", "output", "get_pipeline_run", "list_pipeline_runs", "cancel_pipeline_run",
    "schedule_notebook", "list_schedules", "reproduce")})
_LAZY.update({name: "mlops_lab.pipelines.dags.api"
              for name in ("run_dag", "resume_dag", "get_dag_run", "list_dag_runs")})
_LAZY.update({name: "mlops_lab.pipelines.sweeps.api" for name in ("sweep",)})
_LAZY.update({name: "mlops_lab.model_search.search" for name in ("automl",)})
_LAZY.update({name: "mlops_lab.monitoring.api" for name in (
    "detect_drift", "DriftThresholds", "ReferenceProfile", "create_monitor", "run_monitor",
    "get_monitor", "list_monitors", "monitor_runs", "delete_monitor", "log_labels")})
_LAZY.update({name: "mlops_lab.monitoring.alerts.api" for name in (
    "create_alert_rule", "list_alert_rules", "delete_alert_rule", "list_alerts", "get_alert",
    "acknowledge_alert", "resolve_alert")})
_LAZY.update({name: "mlops_lab.monitoring.webhooks.api" for name in (
    "create_webhook", "list_webhooks", "delete_webhook", "test_webhook",
    "list_webhook_deliveries", "deliver_webhooks")})
_LAZY.update(
    {
        "MlopsLabError": "mlops_lab.errors",
        "InvalidInput": "mlops_lab.errors",
        "NotFound": "mlops_lab.errors",
        "Conflict": "mlops_lab.errors",
        "StoreBusy": "mlops_lab.errors",
        "SchemaError": "mlops_lab.errors",
        "SignatureChangeWarning": "mlops_lab.models.signature",
    }
)

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mlops_lab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    # Only the public API (what `ml.<Tab>` should offer), not this module's own machinery.
    return sorted({*__all__, "__version__", "load_ipython_extension"})


def load_ipython_extension(ipython) -> None:
    """`%load_ext mlops_lab`: registers `%%track` and the other magics."""
    from .magics import load_ipython_extension as load

    load(ipython)


def _jupyter_server_extension_points():
    from .server import _jupyter_server_extension_points as points

    return points()


def _jupyter_labextension_paths():
    return [{"src": "_labextension", "dest": "mlops-lab"}]
