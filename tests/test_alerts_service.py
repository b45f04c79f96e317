"""Alert rules and alerts on a real store (SQLite and PostgreSQL): what each kind of rule
fires on, one alert per dedup key, re-opening and its cooldown, the life cycle's moves, paging,
failed pipeline runs, and deliveries queued with the alert change."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, insert, select, text

from mlops_lab.clock import now_ms
from mlops_lab.errors import Conflict, InvalidInput, NotFound
from mlops_lab.services import Services
from mlops_lab.store.tables.monitoring import alerts as alerts_table
from mlops_lab.store.tables.monitoring import monitors, webhook_deliveries


@pytest.fixture
def parts(store):
    if not store.db.is_sqlite:
        with store.db.write() as conn:
            conn.execute(text("TRUNCATE webhook_deliveries, alerts, alert_rules, webhooks, "
                              "monitors, pipeline_runs RESTART IDENTITY CASCADE"))
    return Services(store)


def add_monitor(store, name="churn-drift") -> int:
    """A monitor row as the monitors part would store it (rules and alerts point at it)."""
    now = now_ms()
    with store.db.write() as conn:
        return conn.execute(insert(monitors).values(
            name=name, model_name="churn", alias="champion", current="{}", created_at=now,
            updated_at=now)).inserted_primary_key[0]


def figures(monitor_id, drifted=("age",), share=0.1, value=0.81, training=0.86,
            version_age_s=86400.0, monitor="churn-drift"):
    return {"monitor": monitor, "monitor_id": monitor_id, "model_name": "churn",
            "alias": "champion", "model_version": 3, "run_id": 17,
            "drift": {"share": share, "features": {
                **{f: {"drifted": True, "effect_size": 0.3, "p_value": 0.001, "method": "ks"}
                   for f in drifted},
                "income": {"drifted": False, "effect_size": 0.01, "p_value": 0.6,
                           "method": "ks"}}},
            "performance": {"metric": "roc_auc", "value": value, "training": training,
                            "estimated": False},
            "staleness": {"version_age_s": version_age_s, "since_retraining_s": None,
                          "since_prediction_s": 60.0, "training_data_age_s": None}}


def deliveries(store) -> list:
    with store.db.read() as conn:
        return conn.execute(select(webhook_deliveries).order_by(webhook_deliveries.c.id)).all()


def test_each_kind_fires_on_its_figures_and_not_otherwise(parts, store):
    monitor = add_monitor(store)
    alerts = parts.alerts
    alerts.create_alert_rule("any drift", "feature_drift", monitor="churn-drift")
    alerts.create_alert_rule("share", "drift_share", over=0.3)
    alerts.create_alert_rule("floor", "metric_below", below=0.8, metric="roc_auc")
    alerts.create_alert_rule("drop", "metric_drop", by=0.1, relative=True)
    alerts.create_alert_rule("stale", "staleness", figure="version_age", over="7d")
    calm = figures(monitor, drifted=(), share=0.0, value=0.85, training=0.86)
    assert alerts.evaluate(calm) == []
    loud = figures(monitor, drifted=("age", "tenure"), share=0.5, value=0.5, training=0.86,
                   version_age_s=8 * 86400.0)
    fired = alerts.evaluate(loud)
    by_rule = sorted((a.figures["rule"], a.feature) for a in fired)
    assert by_rule == [("any drift", "age"), ("any drift", "tenure"), ("drop", None),
                       ("floor", None), ("share", None), ("stale", None)]
    assert all(a.state == "open" and a.times_seen == 1 for a in fired)
    age = next(a for a in fired if a.feature == "age")
    assert age.model == "churn" and age.alias == "champion" and age.monitor == "churn-drift"
    assert age.monitor_id == monitor and "age" in age.message
    assert json.loads(age.key) == ["churn", "champion", "churn-drift", age.rule_id, "age"]


def test_a_named_feature_rule_and_another_monitors_rule(parts, store):
    mine, other = add_monitor(store), add_monitor(store, "other")
    parts.alerts.create_alert_rule("age only", "feature_drift", monitor=mine, feature="age")
    parts.alerts.create_alert_rule("theirs", "feature_drift", monitor="other")
    fired = parts.alerts.evaluate(figures(mine, drifted=("age", "tenure")))
    assert [(a.figures["rule"], a.feature) for a in fired] == [("age only", "age")]
    assert [a.feature for a in parts.alerts.evaluate(figures(other, monitor="other",
                                                             drifted=("tenure",)))] == ["tenure"]


def test_degenerate_figures_raise_no_alarm(parts, store):
    monitor = add_monitor(store)
    for kind, params in (("feature_drift", {}), ("drift_share", {"over": 0.1}),
                         ("metric_below", {"below": 0.9}), ("metric_drop", {"by": 0.01}),
                         ("staleness", {"figure": "since_retraining", "over": "1d"})):
        parts.alerts.create_alert_rule(kind, kind, **params)
    empty = {"monitor": "churn-drift", "monitor_id": monitor, "model_name": "churn",
             "alias": "champion", "drift": None, "performance": None,
             "staleness": {"version_age_s": None, "since_retraining_s": None}}
    assert parts.alerts.evaluate(empty) == []
    nan = figures(monitor, drifted=(), share=float("nan"), value=float("nan"),
                  training=float("inf"), version_age_s=float("nan"))
    assert parts.alerts.evaluate(nan) == []
    with pytest.raises(InvalidInput, match="figures are a dict"):
        parts.alerts.evaluate([1, 2])
    with pytest.raises(NotFound, match="No monitor 424242"):
        parts.alerts.evaluate(figures(424242))


def test_bad_rules_get_clear_errors(parts, store):
    make = parts.alerts.create_alert_rule
    with pytest.raises(InvalidInput, match="the kinds are feature_drift, drift_share, "
                                           "metric_below, metric_drop, staleness, pipeline_failed"):
        make("r", "drift")
    with pytest.raises(InvalidInput, match="needs over"):
        make("r", "drift_share")
    with pytest.raises(InvalidInput, match="from 0 to 1"):
        make("r", "drift_share", over=1.5)
    with pytest.raises(InvalidInput, match="does not take below"):
        make("r", "drift_share", over=0.3, below=2)
    with pytest.raises(InvalidInput, match="one of version_age, since_retraining"):
        make("r", "staleness", figure="age", over="7d")
    with pytest.raises(InvalidInput, match="is a duration such as"):
        make("r", "staleness", figure="version_age", over="a week")
    with pytest.raises(InvalidInput, match="cooldown is a duration"):
        make("r", "feature_drift", cooldown="soon")
    with pytest.raises(InvalidInput, match="severity is one of"):
        make("r", "feature_drift", severity="panic")
    with pytest.raises(InvalidInput, match="not a monitor"):
        make("r", "pipeline_failed", monitor="churn-drift")
    with pytest.raises(NotFound, match="No monitor 'nope'"):
        make("r", "feature_drift", monitor="nope")
    rule = make("r", "staleness", figure="version_age_s", over="7d", cooldown="30m")
    assert rule.params == {"figure": "version_age", "over": 7 * 86400.0, "severity": "warning"}
    assert rule.cooldown_s == 1800


def test_seen_again_is_counted_not_repeated(parts, store):
    monitor = add_monitor(store)
    parts.webhooks.create_webhook("ops", "http://127.0.0.1:9/hook")
    parts.alerts.create_alert_rule("drift", "feature_drift")
    (first,) = parts.alerts.evaluate(figures(monitor))
    (again,) = parts.alerts.evaluate(figures(monitor, share=0.4))
    assert again.id == first.id and again.times_seen == 2 and again.state == "open"
    assert again.last_seen_at >= first.last_seen_at
    assert [d.event for d in deliveries(store)] == ["opened"]  # one delivery, not two
    parts.alerts.acknowledge_alert(first.id, note="on it", user="ana")
    (acked,) = parts.alerts.evaluate(figures(monitor))
    assert acked.state == "acknowledged" and acked.times_seen == 3
    assert acked.acknowledged_by == "ana" and acked.note == "on it"
    assert len(deliveries(store)) == 1


def test_resolved_and_seen_again_reopens_within_and_past_the_cooldown(parts, store):
    monitor = add_monitor(store)
    parts.webhooks.create_webhook("ops", "http://127.0.0.1:9/hook")
    parts.alerts.create_alert_rule("slow", "feature_drift", cooldown="1h")
    parts.alerts.create_alert_rule("eager", "drift_share", over=0.05, cooldown=0)
    opened = {a.figures["rule"]: a for a in parts.alerts.evaluate(figures(monitor))}
    for alert in opened.values():
        resolved = parts.alerts.resolve_alert(alert.id, note="fixed", user="bo")
        assert resolved.state == "resolved" and resolved.resolved_by == "bo"
    again = {a.figures["rule"]: a for a in parts.alerts.evaluate(figures(monitor))}
    assert {a.state for a in again.values()} == {"open"}
    assert all(a.times_reopened == 1 and a.resolved_by is None for a in again.values())
    events = [(d.alert_id, d.event) for d in deliveries(store)]
    # within its hour the slow rule's re-open is not sent again; the eager one's is
    assert events.count((opened["slow"].id, "reopened")) == 0
    assert events.count((opened["eager"].id, "reopened")) == 1
    assert events.count((opened["slow"].id, "resolved")) == 1


def test_moves_the_life_cycle_does_not_allow_are_refused(parts, store):
    monitor = add_monitor(store)
    parts.alerts.create_alert_rule("drift", "feature_drift")
    (alert,) = parts.alerts.evaluate(figures(monitor))
    parts.alerts.acknowledge_alert(alert.id)
    with pytest.raises(Conflict, match="acknowledged already"):
        parts.alerts.acknowledge_alert(alert.id)
    parts.alerts.resolve_alert(alert.id)
    for move in (parts.alerts.acknowledge_alert, parts.alerts.resolve_alert):
        with pytest.raises(Conflict, match="it is resolved; it re-opens by itself"):
            move(alert.id)
    with pytest.raises(NotFound, match="No alert with id 999"):
        parts.alerts.resolve_alert(999)
    with pytest.raises(InvalidInput):
        parts.alerts.acknowledge_alert("../1")
    with pytest.raises(InvalidInput, match="NUL"):
        parts.alerts.acknowledge_alert(alert.id, note="a\x00b")


def test_alerts_list_by_state_monitor_model_in_pages(parts, store):
    monitor = add_monitor(store)
    parts.alerts.create_alert_rule("drift", "feature_drift")
    fired = parts.alerts.evaluate(figures(monitor, drifted=[f"f{i}" for i in range(7)]))
    parts.alerts.acknowledge_alert(fired[0].id)
    assert len(parts.alerts.list_alerts(state="open")) == 6
    assert len(parts.alerts.list_alerts(state="acknowledged", monitor="churn-drift")) == 1
    assert parts.alerts.list_alerts(model="other") == []
    seen, after = [], None
    while True:
        page = parts.alerts.list_alerts(limit=3, after=after)
        seen += [a.id for a in page]
        if len(page) < 3:
            break
        after = [page[-1].last_seen_at, page[-1].id]
    assert sorted(seen) == sorted(a.id for a in fired) and len(seen) == len(set(seen))
    with pytest.raises(InvalidInput, match="state is one of open, acknowledged, resolved"):
        parts.alerts.list_alerts(state="closed")


def test_failed_pipeline_runs_open_alerts_once_per_run(parts, store, tmp_path):
    parts.alerts.create_alert_rule("any pipeline", "pipeline_failed")
    parts.alerts.create_alert_rule("training", "pipeline_failed", pipeline="train.ipynb")
    since = now_ms()
    notebook = tmp_path / "train.ipynb"
    run = parts.pipelines.submit(notebook, b"not a notebook", dispatch=False)
    assert run.status == "FAILED"
    fired = parts.alerts.check_pipeline_failures(since)
    assert sorted(a.figures["rule"] for a in fired) == ["any pipeline", "training"]
    assert all(a.feature == str(notebook) and run.id[:8] in a.message for a in fired)
    assert parts.alerts.check_pipeline_failures(since) == []  # the same run is not counted twice
    parts.pipelines.submit(tmp_path / "score.ipynb", b"{}", dispatch=False)
    assert [a.figures["rule"] for a in parts.alerts.check_pipeline_failures(since)] == [
        "any pipeline"]


def test_an_alert_and_its_deliveries_commit_together(parts, store):
    """A failure while queueing deliveries leaves neither the alert nor any delivery."""
    from mlops_lab.monitoring.webhooks.service import WebhookService

    class Broken(WebhookService):
        def queue(self, conn, event, doc, alert_id, now=None):
            super().queue(conn, event, doc, alert_id, now)
            raise RuntimeError("the process died here")

    monitor = add_monitor(store)
    broken = Services(store, classes={"webhooks": Broken})
    broken.webhooks.create_webhook("ops", "http://127.0.0.1:9/hook")
    broken.alerts.create_alert_rule("drift", "feature_drift")
    with pytest.raises(RuntimeError):
        broken.alerts.evaluate(figures(monitor))
    with store.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(alerts_table)).scalar() == 0
    assert deliveries(store) == []
    (alert,) = parts.alerts.evaluate(figures(monitor))  # the working part: both are stored
    assert [(d.alert_id, d.event, d.status) for d in deliveries(store)] == [
        (alert.id, "opened", "pending")]
    body = json.loads(deliveries(store)[0].body)
    assert body["event"] == "opened" and body["alert"]["id"] == alert.id
    assert body["alert"]["feature"] == "age" and body["alert"]["figures"]["run_id"] == 17
