"""AutoML-lite on scikit-learn's bundled datasets: trials are child runs in a real store."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import RandomForestClassifier

from mlops_lab.errors import InvalidInput
from mlops_lab.model_search.search import automl
from mlops_lab.tracking import fluent


def _children(svc, parent_id):
    page = svc.search_runs(None, "", None, 1000)
    return [r for r in page.runs if r.parent_run_id == parent_id]


def test_classification_finds_a_model_and_records_each_trial(store, svc):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    result = automl(X, y, task="classification", time_budget=120, cv=3, max_trials=4,
                    families=["logistic", "random_forest"], random_state=1)

    board = result.leaderboard
    assert len(board) == 4 and list(board["rank"]) == [1, 2, 3, 4]
    assert list(board["score_mean"]) == sorted(board["score_mean"], reverse=True)
    assert set(board["family"]) == {"logistic", "random_forest"}
    assert result.metric == "roc_auc" and result.best_score == board["score_mean"][0]
    assert result.best_params == board["params"][0]
    assert result.best_model.predict(X.iloc[:5]).shape == (5,)
    assert result.best_model.score(X, y) > 0.9  # refit on all the data

    parent = svc.get_run(result.run_id)
    assert parent.name == "automl" and parent.status == "FINISHED"
    assert parent.tags["automl.best_run_id"] == result.best_run_id
    assert parent.metrics["best_roc_auc"] == pytest.approx(result.best_score)
    children = _children(svc, result.run_id)
    assert len(children) == 4 and {c.status for c in children} == {"FINISHED"}
    best = svc.get_run(result.best_run_id)
    assert best.params["family"] == result.best_family
    assert best.metrics["cv_roc_auc_mean"] == pytest.approx(result.best_score)
    assert "cv_roc_auc_std" in best.metrics
    assert [a.path for a in svc.list_artifacts(result.run_id)] == ["leaderboard.csv"]


def test_regression_with_a_chosen_metric(store_home):
    X, y = load_diabetes(return_X_y=True)
    result = automl(X, y, task="regression", metric="neg_root_mean_squared_error",
                    time_budget=120, cv=3, max_trials=3, families=["ridge", "knn", "svm"])
    assert result.metric == "neg_root_mean_squared_error"
    assert list(result.leaderboard["family"]).count("ridge") == 1
    assert (result.leaderboard["score_mean"] < 0).all()  # negated errors: higher is better
    assert result.best_model.predict(X[:3]).shape == (3,)


def test_multiclass_defaults_to_accuracy_and_same_seed_gives_same_trials(store_home):
    X, y = load_iris(return_X_y=True)
    kw = dict(time_budget=120, cv=3, max_trials=3, families=["knn", "hist_gradient_boosting"],
              random_state=7)
    first, second = automl(X, y, **kw), automl(X, y, **kw)
    assert first.failed_trials == second.failed_trials == []
    assert first.metric == "accuracy"
    cols = ["family", "score_mean", "score_std"]
    assert first.leaderboard[cols].equals(second.leaderboard[cols])
    assert list(first.leaderboard["params"]) == list(second.leaderboard["params"])
    other = automl(X, y, **{**kw, "random_state": 8})
    assert list(other.leaderboard["params"]) != list(first.leaderboard["params"])


def test_a_failing_trial_is_a_failed_child_run_and_is_skipped(store_home, tracking):
    X, y = load_breast_cancer(return_X_y=True)
    bad = LogisticRegression(max_iter=100)
    result = automl(X, y, time_budget=120, cv=3, max_trials=2,
                    families={"bad": (bad, {"C": [-1.0]}), "logistic": None})
    assert list(result.leaderboard["family"]) == ["logistic"]
    assert len(result.failed_trials) == 1
    failure = result.failed_trials[0]
    assert "C" in failure["error"]
    run = tracking.get_run(failure["run_id"])
    assert run.status == "FAILED" and run.parent_run_id == result.run_id
    assert run.error == failure["error"]
    assert tracking.get_run(result.run_id).metrics["failed_trials"] == 1


def test_a_trial_over_its_time_cap_is_stopped_and_failed(store_home, tracking):
    X, y = load_breast_cancer(return_X_y=True)
    slow = RandomForestClassifier(n_estimators=3000, n_jobs=1)
    with pytest.raises(InvalidInput, match="No AutoML trial finished.*longer than"):
        automl(X, y, time_budget=120, cv=3, max_trials=1, trial_time_limit=0.05,
               families={"slow": (slow, {"max_depth": [None]})})
    runs = tracking.search_runs(None, "", None, 100).runs
    child = next(r for r in runs if r.name == "slow-1")
    assert child.status == "FAILED" and "limit" in child.error
    parent = tracking.get_run(child.parent_run_id)
    assert parent.status == "FAILED"
    assert fluent.active_run() is None
    # The killed workers are replaced: the next search runs.
    again = automl(X, y, time_budget=120, cv=3, max_trials=1, families=["logistic"])
    assert len(again.leaderboard) == 1


def test_time_budget_is_checked_between_trials(store_home):
    X, y = load_iris(return_X_y=True)
    # A budget spent before the first trial ends: that trial runs to its end (its own cap is
    # generous), then the budget stops the search.
    result = automl(X, y, time_budget=0.001, trial_time_limit=300, cv=3, families=["knn"])
    assert len(result.leaderboard) == 1 and result.failed_trials == []


@pytest.mark.parametrize("kwargs, message", [
    ({"task": "clustering"}, "task must be one of"),
    ({"metric": "best_guess"}, "Unknown metric 'best_guess'"),
    ({"families": ["xgboost"]}, "Unknown model family 'xgboost'"),
    ({"families": {"mine": "not a pair"}}, "Model family 'mine'"),
    ({"cv": 1}, "cv is the number"),
    ({"time_budget": 0}, "time_budget is a number"),
    ({"time_budget": float("nan")}, "time_budget is a number"),
    ({"max_trials": 0}, "max_trials must be"),
])
def test_bad_arguments_say_what_is_wrong(store_home, kwargs, message):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(InvalidInput, match=message):
        automl(X, y, **kwargs)


def test_bad_data_says_what_is_wrong(store_home):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(InvalidInput, match="X has 150 rows but y has 149"):
        automl(X, y[:-1])
    with pytest.raises(InvalidInput, match="at least two classes"):
        automl(X, np.zeros(150))
    with pytest.raises(InvalidInput, match="rarest class has 2 rows"):
        automl(X[:52], y[:52], cv=3)


def test_html_summary_escapes_names(store_home):
    X, y = load_iris(return_X_y=True)
    evil = "<img src=x onerror=alert(1)>"
    result = automl(X, y, time_budget=120, cv=3, max_trials=1,
                    families={evil: (LogisticRegression(max_iter=500), {"C": [1.0]})})
    page = result._repr_html_()
    assert evil not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "AutoMLResult" in repr(result)


def test_public_name(store_home):
    import mlops_lab as ml

    assert ml.automl is automl
