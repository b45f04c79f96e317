"""Retraining rules on a real store with real papermill runs: a new snapshot or an alert fires a
notebook pipeline, the version it registers meets the champion at the gate, a pass moves the
alias; a failed retraining leaves the alias and raises an alert; one at a time, cooldowns, and
two checkers firing once."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from mlops_lab.errors import Conflict, InvalidInput, NotFound
from mlops_lab.services import services_for
from mlops_lab.store import open_store

from evaluation_models import churn_data, register_churn
from test_alerts_service import add_monitor, figures
from test_pipelines import notebook
from webhook_receivers import receiver_fixture

RETRAIN = """\
import os, time
import mlops_lab as ml
from sklearn.ensemble import RandomForestClassifier
while hold and not os.path.exists(hold):  # held until the test lets go (or kills it)
    time.sleep(0.05)
if fail:
    raise RuntimeError("the training data was broken")
frame = ml.load_snapshot(snapshot)
X, y = frame[[f"x{i}" for i in range(8)]], frame["churned"]
model = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth,
                               random_state=0).fit(X, y)
ml.register_model(model, "churn", input_example=X.head(3))
"""
GATE = {"data": "holdout", "label": "churned", "metric": "roc_auc", "margin": 0.01}


@pytest.fixture
def ml(store_home, tmp_path):
    found = services_for(open_store())
    train, holdout = churn_data(rows=2000)
    register_churn(found.models, train)  # churn/1 a stump, the champion
    found.datasets.snapshot(holdout, "holdout")
    found.datasets.snapshot(train, "train")
    return found


@pytest.fixture
def retrain_nb(tmp_path):
    return notebook(tmp_path / "retrain.ipynb", RETRAIN, parameters=(
        'snapshot = "train"\nn_estimators = 40\nmax_depth = 8\nfail = False\nhold = ""'))


def finish(ml, firing):
    """Waits for the firing's pipeline run to end, then judges it (what the scheduler's
    next round does)."""
    ml.pipelines.wait(firing.pipeline_run_id, timeout=180)
    ended = ml.retraining.check()["ended"]
    assert [f.id for f in ended] == [firing.id]
    return ended[0]


def test_a_new_snapshot_retrains_gates_and_moves_the_champion(ml, retrain_nb):
    rule = ml.retraining.create_rule("churn-on-data", "churn", retrain_nb, on="snapshot",
                                     dataset="train", parameters={"snapshot": "{snapshot}"},
                                     gate=GATE, cooldown=0)
    assert ml.retraining.check() == {"fired": [], "ended": []}  # train@1 is not news
    train, _ = churn_data(rows=2000)
    ml.datasets.snapshot(train.iloc[:-5], "train")  # this week's rows
    (firing,) = ml.retraining.check()["fired"]
    assert firing.status == "running" and firing.trigger["snapshot"] == "train@2"
    assert firing.trigger["snapshot_id"] == ml.datasets.resolve("train@2").id  # a panel link
    run = ml.pipelines.get(firing.pipeline_run_id)
    assert run.parameters["snapshot"] == "train@2"
    assert run.tags["mlops_lab.retraining_rule"] == rule.name
    ended = finish(ml, firing)
    assert ended.status == "promoted", ended.message
    assert ended.version == 4 and ended.evaluation_id is not None
    assert ml.models.alias_target("churn", "champion") == 4
    assert ml.models.alias_target("churn", "previous") == 1
    move = ml.models.alias_history("churn", "champion")[0]
    assert move.evaluation_id == ended.evaluation_id and "churn-on-data" in move.reason
    gate = ml.evaluation.get_evaluation(ended.evaluation_id)
    assert gate.passed and gate.doc["challenger"]["version"] == 4
    assert ml.retraining.check() == {"fired": [], "ended": []}  # nothing new, nothing again


def test_an_alert_fires_a_retraining_and_a_worse_challenger_keeps_the_champion(ml, retrain_nb):
    ml.models.set_alias("churn", "champion", 2, reason="the forest")
    monitor = add_monitor(ml.store)
    ml.alerts.create_alert_rule("drifting", "feature_drift", monitor="churn-drift")
    ml.retraining.create_rule("churn-on-drift", "churn", retrain_nb, on="alert",
                              monitor="churn-drift", gate=GATE,
                              parameters={"n_estimators": 1, "max_depth": 1})
    (alert,) = ml.alerts.evaluate(figures(monitor))
    (firing,) = ml.retraining.check()["fired"]
    assert firing.trigger["alert"] == alert.id
    ended = finish(ml, firing)
    assert ended.status == "kept" and "did not promote version 4" in ended.message
    assert ml.models.alias_target("churn", "champion") == 2
    assert not ml.evaluation.get_evaluation(ended.evaluation_id).passed
    ml.alerts.evaluate(figures(monitor))  # seen again, still open: no new event
    assert ml.retraining.check()["fired"] == []


def test_a_failed_retraining_keeps_the_champion_and_raises_an_alert(ml, retrain_nb):
    ml.retraining.create_rule("broken", "churn", retrain_nb, on="schedule", cron="0 3 * * *",
                              parameters={"fail": True}, gate=GATE)
    firing = ml.retraining.fire("broken")
    ended = finish(ml, firing)
    assert ended.status == "failed" and "the training data was broken" in ended.message
    assert ml.models.alias_target("churn", "champion") == 1
    (alert,) = ml.alerts.list_alerts(model="churn")
    assert alert.severity == "error" and "Retraining rule broken failed" in alert.message
    assert alert.figures["firing"] == firing.id
    # The retraining's own alert does not fire a rule that follows the model's alerts.
    ml.retraining.create_rule("on-any-alert", "churn", retrain_nb, on="alert", gate=GATE)
    assert ml.retraining.check()["fired"] == []


def test_a_rule_can_run_a_dag_file(ml, retrain_nb, tmp_path):
    """A two-step DAG: prepare writes nothing a retraining needs but must run first; train
    is the retraining notebook. The version any step registers meets the gate."""
    notebook(tmp_path / "prepare.ipynb", "print('preparing', rows)", parameters="rows = 10")
    dag = tmp_path / "retrain.yaml"
    dag.write_text("steps:\n  prepare: prepare.ipynb\n"
                   "  train: {notebook: retrain.ipynb, depends_on: [prepare]}\n")
    ml.retraining.create_rule("dag", "churn", dag, on="schedule", cron="0 3 * * 1", gate=GATE,
                              parameters={"train.max_depth": 6})
    firing = ml.retraining.fire("dag")
    assert firing.status == "running" and firing.dag_run_id and not firing.pipeline_run_id
    from test_pipelines import poll

    poll(lambda: ml.dags.get(firing.dag_run_id).ended, "the DAG run to end", 180)
    (ended,) = ml.retraining.check()["ended"]
    assert ended.status == "promoted", ended.message
    assert ml.dags.get(firing.dag_run_id).step("train").parameters["max_depth"] == 6
    with pytest.raises(InvalidInput, match="zz"):
        ml.retraining.create_rule("bad", "churn", dag, on="alert", parameters={"zz.a": 1})


def test_a_worker_killed_mid_retraining_fails_it_and_leaves_the_alias(ml, retrain_nb,
                                                                       tmp_path):
    import os
    import signal

    from test_pipelines import poll

    ml.retraining.create_rule("held", "churn", retrain_nb, on="alert", gate=GATE,
                              parameters={"hold": str(tmp_path / "never")})
    firing = ml.retraining.fire("held")
    run = poll(lambda: (lambda r: r if r.status == "RUNNING" and r.pid else None)(
        ml.pipelines.get(firing.pipeline_run_id)), "the retraining run to start", 120)
    os.kill(run.pid, signal.SIGKILL)  # the server (and its worker) dies mid-retraining
    poll(lambda: ml.pipelines.sweep_dead_runs("The process running it ended (restarted)"),
         "the dead run to be swept", 30)
    (ended,) = ml.retraining.check()["ended"]
    assert ended.status == "failed" and "restarted" in ended.message
    assert ml.models.alias_target("churn", "champion") == 1
    assert ml.models.list_versions("churn")[0].version == 3  # nothing registered


def test_one_retraining_at_a_time_and_a_cooldown_between(ml, retrain_nb):
    ml.retraining.create_rule("hourly", "churn", retrain_nb, on="schedule", cron="0 * * * *",
                              gate=GATE, cooldown="1h")
    first = ml.retraining.fire("hourly")
    second = ml.retraining.fire("hourly")
    assert first.status == "running"
    assert second.status == "skipped" and f"#{first.id}" in second.message
    finish(ml, first)
    third = ml.retraining.fire("hourly")
    assert third.status == "skipped" and "Cooling down" in third.message
    statuses = [f.status for f in ml.retraining.list_firings("hourly")]
    assert statuses == ["skipped", "skipped", "promoted"]


def test_two_checkers_reading_the_same_news_fire_once(ml, retrain_nb):
    rule = ml.retraining.create_rule("data", "churn", retrain_nb, on="snapshot",
                                     dataset="train", parameters={"snapshot": "{snapshot}"})
    ml.datasets.snapshot(churn_data(rows=2000)[0].iloc[5:], "train")
    events, cursor = ml.retraining._news(rule, 0)
    won = ml.retraining._start(rule, events, 1, move_cursor=True, cursor=cursor)
    lost = ml.retraining._start(rule, events, 1, move_cursor=True, cursor=cursor)
    assert won is not None and lost is None
    assert len(ml.retraining.list_firings("data")) == 1
    ml.pipelines.wait(won.pipeline_run_id, timeout=180)
    ended = ml.retraining._judge(won)
    assert ml.retraining._judge(won) is None  # the second judge finds it taken
    assert ended.status == "registered" and "no gate" in ended.message  # no gate: alias stays
    assert ml.models.alias_target("churn", "champion") == 1


def test_a_retraining_that_times_out_keeps_the_champion_and_raises_an_alert(ml, retrain_nb,
                                                                          tmp_path):
    ml.retraining.create_rule("slow", "churn", retrain_nb, on="alert", gate=GATE, timeout=2,
                              parameters={"hold": str(tmp_path / "never")})
    ended = finish(ml, ml.retraining.fire("slow"))
    assert ended.status == "failed" and "ended FAILED" in ended.message, ended.message
    assert "time" in ended.message.lower()
    assert ml.models.alias_target("churn", "champion") == 1
    assert "Retraining rule slow failed" in ml.alerts.list_alerts(model="churn")[0].message


def test_a_firing_whose_judge_died_mid_gate_ends_failed(ml, retrain_nb):
    from mlops_lab.store.tables.retraining import retraining_firings

    ml.retraining.create_rule("data", "churn", retrain_nb, on="alert", gate=GATE)
    firing = ml.retraining.fire("data")
    ml.pipelines.wait(firing.pipeline_run_id, timeout=180)
    assert ml.retraining._claim(firing)  # a judge took it, then its process died
    with ml.store.db.write() as conn:
        conn.execute(retraining_firings.update().values(ended_at=1))
    (ended,) = ml.retraining.check()["ended"]
    assert ended.status == "failed" and "interrupted" in ended.message
    assert ml.models.alias_target("churn", "champion") == 1


receiver = receiver_fixture("s3cret")


def test_webhooks_hear_the_retraining_and_the_gate(ml, retrain_nb, receiver):
    ml.webhooks.create_webhook("ops", receiver.url, secret="s3cret")
    ml.retraining.create_rule("weekly", "churn", retrain_nb, on="schedule", cron="0 3 * * 1",
                              gate=GATE)
    ended = finish(ml, ml.retraining.fire("weekly"))
    ml.webhooks.deliver_due()
    assert receiver.bad_signatures == 0
    events = [json.loads(body) for _, body in receiver.received]
    names = [e["event"] for e in events]
    assert names == ["retraining.started", "model_version.registered", "gate.passed",
                     "alias.moved", "alias.moved", "retraining.ended"], names
    started, gate, moved, ended_event = events[0], events[2], events[3], events[-1]
    assert started["rule"] == "weekly" and started["trigger"]["kind"] == "by hand"
    assert all(isinstance(e["at"], int) for e in events)
    assert gate["evaluation_id"] == ended.evaluation_id and gate["challenger"]["version"] == 4
    assert moved["alias"] == "champion" and moved["evaluation_id"] == ended.evaluation_id
    assert ended_event["firing"]["status"] == "promoted"


@pytest.mark.parametrize("call, error, message", [
    (dict(on="drift"), InvalidInput, "fires on one of alert, schedule, snapshot"),
    (dict(on="snapshot"), InvalidInput, "needs dataset="),
    (dict(on="schedule", cron="every day"), InvalidInput, "cron"),
    (dict(model="nobody"), NotFound, "No model named 'nobody'"),
    (dict(notebook="missing.ipynb"), NotFound, "No notebook"),
    (dict(parameters={"learning_rate": 0.1}), InvalidInput, "learning_rate"),
    (dict(gate={"data": "holdout"}), InvalidInput, "The gate needs label"),
    (dict(gate={"data": "holdout", "label": "y", "promote": "x"}), InvalidInput, "no promote"),
    (dict(monitor="nobody"), NotFound, "nobody"),
    (dict(keep_previous="champion"), InvalidInput, "another alias"),
])
def test_a_bad_rule_is_refused_with_a_clear_error(ml, retrain_nb, call, error, message):
    args = dict(name="r", model="churn", notebook=retrain_nb, on="alert") | call
    with pytest.raises(error, match=message):
        ml.retraining.create_rule(**args)
    assert ml.retraining.list_rules() == []


def test_rule_names_are_unique_and_rules_can_be_paused(ml, retrain_nb):
    ml.retraining.create_rule("r", "churn", retrain_nb, on="alert")
    with pytest.raises(Conflict):
        ml.retraining.create_rule("r", "churn", retrain_nb, on="alert")
    assert not ml.retraining.set_enabled("r", False).enabled
    assert ml.retraining.delete_rule("r").name == "r"
    with pytest.raises(NotFound):
        ml.retraining.get_rule("r")


@pytest.fixture(autouse=True)
def _no_postgres_leftovers(store_home):
    yield
    store = open_store()
    if not store.db.is_sqlite:  # pragma: no cover - these tests run on the SQLite store
        with store.db.write() as conn:
            conn.execute(text("TRUNCATE retraining_rules CASCADE"))
