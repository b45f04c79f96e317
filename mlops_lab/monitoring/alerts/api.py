"""Alerts' public functions (`import mlops_lab as ml`):

    ml.create_alert_rule("age drift", "feature_drift", monitor="churn-drift", feature="age")
    ml.create_alert_rule("auc floor", "metric_below", below=0.8, cooldown="6h")
    ml.create_alert_rule("stale model", "staleness", figure="version_age", over="30d")
    ml.create_alert_rule("training failed", "pipeline_failed", pipeline="train.ipynb")
    ml.list_alerts(state="open")
    ml.acknowledge_alert(3, note="looking into it"); ml.resolve_alert(3, note="retrained")
"""

from __future__ import annotations

from .entities import Alert, AlertRule


def _service():
    from ...services import services

    return services().alerts


def create_alert_rule(name: str, kind: str, monitor=None, cooldown="1h", **params) -> AlertRule:
    """A rule that opens an alert. Kinds and their params: feature_drift (feature=None: any),
    drift_share (over=0.3), metric_below (below=0.8, metric=None), metric_drop (by=0.05,
    relative=False, metric=None), staleness (figure='version_age' | 'since_retraining' |
    'since_prediction' | 'training_data_age' | 'feature_data_age', over='7d'), pipeline_failed (pipeline=None).
    Each also takes severity ('info', 'warning' or 'critical'). `monitor`: its name or id
    (None: every monitor). A resolved alert that re-opens is sent to webhooks again at most
    once per `cooldown`."""
    return _service().create_alert_rule(name, kind, monitor=monitor, cooldown=cooldown, **params)


def list_alert_rules(monitor=None) -> list[AlertRule]:
    return _service().list_alert_rules(monitor)


def delete_alert_rule(rule_id: int) -> AlertRule:
    return _service().delete_alert_rule(rule_id)


def list_alerts(state: str | None = None, monitor=None, model: str | None = None,
                limit: int = 100) -> list[Alert]:
    """Alerts most recently seen first; `state` one of open, acknowledged, resolved."""
    return _service().list_alerts(state=state, monitor=monitor, model=model, limit=limit)


def get_alert(alert_id: int) -> Alert:
    return _service().get_alert(alert_id)


def acknowledge_alert(alert_id: int, note: str | None = None) -> Alert:
    """open -> acknowledged, recorded with your user name, the time and `note`."""
    return _service().acknowledge_alert(alert_id, note)


def resolve_alert(alert_id: int, note: str | None = None) -> Alert:
    """open or acknowledged -> resolved; webhooks are told. It re-opens if seen again."""
    return _service().resolve_alert(alert_id, note)
