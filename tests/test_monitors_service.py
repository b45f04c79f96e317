"""Monitors on a real store: a model trained on a snapshot (its lineage names it), predictions
logged the way the model server logs them, labels arriving later."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlops_lab.clock import now_ms
from mlops_lab.errors import InvalidInput
from mlops_lab.serving.runtime.prediction_log import frame_json, values_json
from mlops_lab.services import services_for

FEATURES = ["age", "income", "tenure", "plan"]


def customers(n: int, seed: int, income_shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "age": rng.normal(40, 10, n),
        "income": rng.normal(50, 15, n) + income_shift * 15,
        "tenure": rng.exponential(3, n),
        "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2]),
    })
    logit = 0.04 * (df.age - 40) - 0.05 * (df.income - 50) + 0.3 * (df.plan == "basic")
    df["churned"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df


@pytest.fixture
def s(store):
    return services_for(store)


def train_champion(s, training_metrics=None):
    """churn@champion: a pipeline fitted in a tracked run that read the snapshot customers@1."""
    train = customers(3000, seed=1)
    snapshot = s.datasets.snapshot(train, "customers")
    run = s.tracking.create_run(s.tracking.get_or_create_experiment("churn").id, name="fit")
    _, frame = s.datasets.load(snapshot.ref, run_id=run.id)
    model = make_pipeline(
        ColumnTransformer([("num", StandardScaler(), ["age", "income", "tenure"]),
                           ("cat", OneHotEncoder(), ["plan"])]),
        LogisticRegression(max_iter=500)).fit(frame[FEATURES], frame["churned"])
    s.tracking.log_metrics(run.id, training_metrics or {"roc_auc": 0.7})
    version = s.models.register(model, "churn", input_example=frame[FEATURES].head(),
                                run_id=run.id, alias="champion")
    return version, model


@pytest.fixture
def champion(s):
    return train_champion(s)


def log_predictions(s, version, model, frame: pd.DataFrame, batch: int = 250) -> list[str]:
    """Writes the prediction log as the server's log writer does, stamped now; returns the
    request ids."""
    rows, ids = [], []
    for start in range(0, len(frame), batch):
        part = frame.iloc[start:start + batch]
        request_id = uuid.uuid4().hex
        ids.append(request_id)
        rows.append({"request_id": request_id, "model_name": version.name,
                     "model_version": version.version, "created_at": now_ms(),
                     "row_count": len(part), "inputs": frame_json(part[FEATURES]),
                     "outputs": values_json(model.predict(part[FEATURES]).tolist())})
    s.serving.write_prediction_logs(rows)
    return ids


def test_same_distribution_is_ok_and_a_shift_is_named(s, champion):
    version, model = champion
    monitor = s.monitors.create_monitor("churn@champion", last=2000)
    log_predictions(s, version, model, customers(2000, seed=2))
    run = s.monitors.run_monitor(monitor.name)
    assert run.status == "ok", run.result.get("message")
    assert run.model_version == version.version and run.rows_current == 2000
    assert run.drift.drifted_features == [] and run.result["reference"] == "customers@1"
    assert s.monitors.get_monitor(monitor.name).reference_version == version.version

    log_predictions(s, version, model, customers(2000, seed=3, income_shift=1.0))
    shifted = s.monitors.run_monitor(monitor.name)
    assert shifted.status == "drift"
    assert shifted.drift.drifted_features == ["income"]
    assert [r.id for r in s.monitors.list_runs(monitor.name)] == [shifted.id, run.id]


def test_an_empty_window_says_there_is_nothing_to_compare(s, champion):
    s.monitors.create_monitor("churn@champion", name="hourly", window="1h")
    run = s.monitors.run_monitor("hourly")
    assert run.status == "no data" and run.rows_current == 0
    assert "nothing to compare" in run.result["message"]
    assert run.drift is None and run.result["staleness"]["since_prediction_s"] is None


def test_labels_give_measured_performance_and_their_absence_an_estimate(s, champion):
    version, model = champion
    current = customers(1000, seed=4)
    ids = log_predictions(s, version, model, current, batch=1)
    s.monitors.create_monitor("churn@champion", metric="accuracy")
    estimate = s.monitors.run_monitor("churn@champion").performance
    assert estimate["estimated"] is True and 0.5 < estimate["value"] < 1
    assert estimate["training"] is None  # the run recorded roc_auc, not accuracy

    s.monitors.log_labels(ids[:600], current["churned"][:600])
    measured = s.monitors.run_monitor("churn@champion").performance
    expected = float((model.predict(current[FEATURES][:600]) == current["churned"][:600]).mean())
    assert measured["estimated"] is False and measured["labelled_rows"] == 600
    assert measured["value"] == pytest.approx(expected)
    assert measured["label_lag_s"] is not None


def test_a_labelled_snapshot_as_current_data(s, champion):
    version, model = champion
    s.datasets.snapshot(customers(1500, seed=5, income_shift=1.0), "customers_weekly")
    s.monitors.create_monitor("churn@champion", name="weekly", snapshot="customers_weekly",
                              label="churned")
    run = s.monitors.run_monitor("weekly")
    assert run.status == "drift" and "income" in run.drift.drifted_features
    perf = run.performance
    assert perf["metric"] == "roc_auc" and perf["training"] == 0.7 and not perf["estimated"]
    assert perf["labelled_rows"] == 1500 and 0.5 < perf["value"] <= 1


def test_a_column_missing_from_the_log_is_said_not_flagged(s, champion):
    version, model = champion
    frame = customers(800, seed=6)
    s.serving.write_prediction_logs([{
        "request_id": "r1", "model_name": "churn", "model_version": version.version,
        "created_at": 5, "row_count": len(frame),
        "inputs": frame_json(frame[["age", "income", "plan"]]),
        "outputs": values_json(model.predict(frame[FEATURES]).tolist())}])
    s.monitors.create_monitor("churn@champion")
    run = s.monitors.run_monitor("churn@champion")
    tenure = run.drift["tenure"]
    assert not tenure.drifted and "missing" in tenure.status
    assert run.status == "ok"


def test_bad_monitors_are_refused_with_what_to_do(s, champion):
    with pytest.raises(InvalidInput, match="alias such as"):
        s.monitors.create_monitor("churn")
    with pytest.raises(InvalidInput, match="either a snapshot or a window"):
        s.monitors.create_monitor("churn@champion", snapshot="customers", last=10)
    with pytest.raises(InvalidInput, match="is a duration such as"):
        s.monitors.create_monitor("churn@champion", window="soon")
    with pytest.raises(InvalidInput, match="alpha"):
        s.monitors.create_monitor("churn@champion", thresholds={"alpha": 3})
    with pytest.raises(InvalidInput, match="Unknown metric"):
        s.monitors.create_monitor("churn@champion", metric="auc")
    s.monitors.create_monitor("churn@champion")
    with pytest.raises(InvalidInput, match="exists"):
        s.monitors.create_monitor("churn@champion")


def test_a_version_without_training_data_asks_for_a_reference(s):
    X = customers(300, seed=7)
    model = LogisticRegression().fit(X[["age", "income"]], X["churned"])
    s.models.register(model, "bare", input_example=X[["age", "income"]].head(), alias="live")
    with pytest.raises(InvalidInput, match="no recorded training data"):
        s.monitors.create_monitor("bare@live")
    s.datasets.snapshot(X, "bare_train")
    monitor = s.monitors.create_monitor("bare@live", reference="bare_train@1")
    assert s.monitors.run_monitor(monitor.name).status == "no data"


def test_scheduled_monitors_run_once_per_tick(s, champion):
    monitor = s.monitors.create_monitor("churn@champion", schedule="*/5 * * * *")
    due = s.monitors.get_monitor(monitor.name).next_run_at
    assert s.monitors.run_due(due - 1) == []
    runs = s.monitors.run_due(due)
    assert [r.trigger for r in runs] == ["schedule"]
    assert s.monitors.run_due(due) == []  # claimed: the next time is 5 minutes on
    assert s.monitors.get_monitor(monitor.name).next_run_at == due + 5 * 60 * 1000


def test_staleness_dates_the_feature_sets_the_version_read(s):
    from test_features import orders_frame, register as register_feature_set

    register_feature_set(s.features)
    s.features.materialize("customer_stats", orders_frame())
    train = customers(500, seed=8)
    snapshot = s.datasets.snapshot(train, "with_features")
    run = s.tracking.create_run(s.tracking.get_or_create_experiment("fs").id, name="fit")
    s.datasets.load(snapshot.ref, run_id=run.id)
    s.tracking.link_run(run.id, "input", "feature_set", "customer_stats", "customer_stats@1")
    model = LogisticRegression().fit(train[["age", "income"]], train["churned"])
    s.models.register(model, "featured", input_example=train[["age", "income"]].head(),
                      run_id=run.id, alias="live")
    figures = s.monitors.run_monitor(s.monitors.create_monitor("featured@live").name).staleness
    assert figures["feature_data_age_s"] is not None and figures["feature_data_age_s"] >= 0
    assert figures["feature_data_age_s"] >= figures["training_data_age_s"]  # materialised first


def test_a_failure_of_the_alert_rules_is_kept_with_the_run(s, champion):
    """The run stands when alerting fails (here: an alerts part that raises); the run says its
    rules were not checked instead of the failure living only in a log."""
    from mlops_lab.monitoring.monitors.service import MonitorService

    class FailingAlerts:
        def evaluate(self, figures):
            raise RuntimeError("alerts store unreachable")

    version, model = champion
    log_predictions(s, version, model, customers(500, seed=9))
    monitors = MonitorService(s.store, alerts=FailingAlerts())
    monitors.create_monitor("churn@champion")
    run = monitors.run_monitor("churn@champion")
    assert run.status == "ok" and run.drift is not None
    assert run.result["alerts_error"] == ("the alert rules were not checked: RuntimeError: "
                                          "alerts store unreachable")
    assert monitors.get_run("churn@champion", run.id).result["alerts_error"]
