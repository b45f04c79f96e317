"""Gates and benchmarks on a real store: the statistics against scikit-learn and a resampling
check, the verdicts, promotion with its evidence in the alias history, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlops_lab.errors import InvalidInput, NotFound
from mlops_lab.evaluation import statistics
from mlops_lab.evaluation.statistics import bootstrap_means, delong
from mlops_lab.models.signature import SignatureChangeWarning
from mlops_lab.services import services_for

from evaluation_models import COLUMNS, cancer_data, churn_data, register_churn


@pytest.fixture
def ml(store):
    return services_for(store)


@pytest.fixture
def churn(ml):
    train, holdout = churn_data()
    versions = register_churn(ml.models, train)
    ml.datasets.snapshot(holdout, "holdout")
    return versions, holdout


# ---- the statistics --------------------------------------------------------------------------

def test_delong_gives_scikit_learns_auc_and_the_spread_resampling_finds():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 3000)
    a = y + rng.normal(0, 1.0, y.size)
    b = 0.6 * a + 0.4 * (y + rng.normal(0, 1.2, y.size))  # correlated, as two models are
    aucs, cov = delong(y, np.vstack([a, b]))
    assert (cov == cov.T).all()
    assert aucs == pytest.approx([roc_auc_score(y, a), roc_auc_score(y, b)], abs=1e-12)
    spread = np.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    draws = []
    for _ in range(400):
        rows = rng.integers(0, y.size, y.size)
        draws.append(roc_auc_score(y[rows], a[rows]) - roc_auc_score(y[rows], b[rows]))
    assert spread == pytest.approx(np.std(draws), rel=0.2)


def test_counting_distinct_rows_resamples_as_drawing_rows_does(monkeypatch):
    rng = np.random.default_rng(2)
    right = (rng.random((5000, 2)) < [0.8, 0.75]).astype(float)  # two models' hits
    counted = bootstrap_means(right, 2000, seed=3)
    monkeypatch.setattr(statistics, "FEW_DISTINCT", 0)  # force row-by-row resampling
    drawn = bootstrap_means(right, 2000, seed=3)
    for means in (counted, drawn):
        assert means.mean(axis=0) == pytest.approx(right.mean(axis=0), abs=0.002)
    difference = lambda m: np.percentile(m[:, 0] - m[:, 1], [2.5, 97.5])  # noqa: E731
    assert difference(counted) == pytest.approx(difference(drawn), abs=0.004)


def test_the_same_seed_gives_the_same_interval(ml, churn):
    runs = [ml.evaluation.gate("churn/2", "churn@champion", "holdout", "churned",
                               metric="log_loss", seed=seed).doc["improvement"]
            for seed in (7, 7, 8)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2] and runs[0]["value"] == runs[2]["value"]


# ---- gates -----------------------------------------------------------------------------------

def test_a_clearly_better_challenger_passes_and_moves_the_alias_with_its_evidence(ml, churn):
    versions, _ = churn
    gate = ml.evaluation.gate("churn/2", "churn@champion", "holdout", "churned",
                              metric="roc_auc", margin=0.02, promote="champion",
                              keep_previous="previous", reason="weekly retrain")
    doc = gate.to_json()
    assert gate.passed and doc["reasons"] == [] and doc["method"] == "delong"
    assert doc["improvement"]["low"] > 0.02
    assert doc["challenger"]["version"] == versions["forest"]
    assert doc["champion"]["version"] == versions["stump"]
    assert doc["data"]["snapshot"] == "holdout@1" and doc["data"]["rows"] == 2000
    assert doc["promoted"] == {"alias": "champion", "from_version": versions["stump"],
                               "to_version": versions["forest"]}
    assert ml.models.alias_target("churn", "champion") == versions["forest"]
    assert ml.models.alias_target("churn", "previous") == versions["stump"]
    moves = ml.models.alias_history("churn", "champion")
    assert moves[0].evaluation_id == gate.id and f"gate #{gate.id}" in moves[0].reason
    assert "weekly retrain" in moves[0].reason
    stored = ml.evaluation.list_evaluations("churn", version=versions["forest"])
    assert [e.id for e in stored] == [gate.id]
    assert ml.evaluation.get_evaluation(gate.id).to_json() == doc
    assert "PASSED" in str(gate) and "Moved champion from version 1 to version 2" in str(gate)


def test_identical_versions_never_pass_even_with_no_margin(ml, churn):
    versions, _ = churn
    forest = ml.serving.load_predictor("churn/2").model
    again = ml.models.register(forest, "churn", input_example=churn[1][COLUMNS].head(3))
    gate = ml.evaluation.gate(f"churn/{again.version}", "churn/2", "holdout", "churned")
    assert not gate.passed
    assert gate.doc["improvement"] == {"value": 0.0, "low": 0.0, "high": 0.0}
    assert "not above the margin" in gate.doc["reasons"][0]


def test_a_better_score_on_few_rows_is_not_enough(ml):
    """On 143 rows of the breast cancer data, models this close are too close to call: the
    gate says no, even where the challenger's point estimate is the better one (a comparison
    of two numbers, `accuracy > prod_accuracy`, would promote it)."""
    train, holdout = cancer_data()
    X, y = train.drop(columns="target"), train["target"]
    for model in (make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
                  make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000)),
                  HistGradientBoostingClassifier(random_state=0)):
        ml.models.register(model.fit(X, y), "cancer", input_example=X.head(2))
    ml.datasets.snapshot(holdout, "cancer_holdout")
    gate = ml.evaluation.gate("cancer/2", "cancer/1", "cancer_holdout", "target")
    assert gate.doc["improvement"]["value"] > 0 and not gate.passed
    for metric in ("accuracy", "roc_auc", "log_loss"):
        gate = ml.evaluation.gate("cancer/3", "cancer/1", "cancer_holdout", "target",
                                  metric=metric)
        i = gate.doc["improvement"]
        assert i["low"] < 0 < i["high"], (metric, i)
        assert not gate.passed


def test_a_worse_challenger_fails_and_moves_nothing(ml, churn):
    gate = ml.evaluation.gate("churn/1", "churn/2", "holdout", "churned", promote="champion")
    assert not gate.passed and gate.doc["improvement"]["high"] < 0
    assert gate.doc["promoted"] is None
    assert ml.models.alias_target("churn", "champion") == 1
    assert "FAILED" in str(gate)


def test_a_pass_against_a_version_the_alias_left_moves_nothing(ml, churn):
    ml.models.set_alias("churn", "champion", 3, reason="moved meanwhile")
    gate = ml.evaluation.gate("churn/2", "churn/1", "holdout", "churned", promote="champion")
    assert gate.passed and gate.doc["promoted"] is None
    assert "points at version 3, not at version 1" in gate.doc["promotion_skipped"]
    assert ml.models.alias_target("churn", "champion") == 3
    assert ml.evaluation.get_evaluation(gate.id).doc["promotion_skipped"]


def test_a_slice_much_worse_for_the_challenger_fails_the_gate(ml, churn):
    versions, holdout = churn
    stump = ml.serving.load_predictor("churn/1").model
    forest = ml.serving.load_predictor("churn/2").model
    X = holdout[COLUMNS]
    # The slice where the forest is wrong and the stump right: the challenger's worst case.
    hard = (forest.predict(X) != holdout["churned"]) & (stump.predict(X) == holdout["churned"])
    assert hard.sum() >= 30
    holdout = holdout.assign(segment=np.where(hard, "hard", "usual"))
    ml.datasets.snapshot(holdout, "holdout")
    gate = ml.evaluation.gate("churn/2", "churn/1", "holdout", "churned",
                              slices=["segment"], max_slice_drop=0.05)
    rail = next(g for g in gate.doc["guardrails"] if g["name"] == "slices by segment")
    assert not rail["passed"] and "segment=hard" in rail["detail"]
    assert gate.doc["improvement"]["low"] > 0  # better overall, refused for the slice
    assert not gate.passed
    assert any("slices by segment" in r for r in gate.doc["reasons"])


def test_a_much_slower_challenger_fails_the_latency_guardrail(ml, churn):
    X = churn[1][COLUMNS]
    slow = RandomForestClassifier(n_estimators=300, random_state=0).fit(X, churn[1]["churned"])
    v = ml.models.register(slow, "churn", input_example=X.head(3)).version
    gate = ml.evaluation.gate(f"churn/{v}", "churn/3", "holdout", "churned",
                              max_latency_increase=0.5)
    rail = next(g for g in gate.doc["guardrails"] if g["name"] == "latency")
    assert not rail["passed"] and "per 1,000 rows" in rail["detail"]
    assert not gate.passed


def test_a_challenger_that_needs_a_new_input_column_fails_the_signature_guardrail(ml, churn):
    holdout = churn[1].assign(tenure=np.arange(len(churn[1])) % 7)
    X = holdout[COLUMNS + ["tenure"]]
    wider = RandomForestClassifier(n_estimators=40, random_state=0).fit(X, holdout["churned"])
    with pytest.warns(SignatureChangeWarning, match="added tenure"):
        v = ml.models.register(wider, "churn", input_example=X.head(3)).version
    ml.datasets.snapshot(holdout, "holdout")
    gate = ml.evaluation.gate(f"churn/{v}", "churn/1", "holdout", "churned")
    rail = next(g for g in gate.doc["guardrails"] if g["name"] == "signature")
    assert not rail["passed"] and "added tenure" in rail["detail"]
    unchecked = ml.evaluation.gate(f"churn/{v}", "churn/1", "holdout", "churned",
                                   check_signature=False)
    assert unchecked.passed and unchecked.doc["guardrails"] == []


def test_a_guardrail_with_nothing_to_compare_says_so_and_does_not_pass_as_checked(ml, churn):
    forest = ml.serving.load_predictor("churn/2").model
    bare = ml.models.register(forest, "churn").version  # no input example: no signature
    gate = ml.evaluation.gate(f"churn/{bare}", "churn/1", "holdout", "churned")
    (rail,) = gate.doc["guardrails"]
    assert rail == {"name": "signature", "passed": True, "checked": False,
                    "detail": rail["detail"]} and "Cannot tell" in rail["detail"]
    assert "?    signature" in str(gate)


def test_a_regressor_gate_on_rmse_and_r2(ml):
    data = load_diabetes(as_frame=True).frame
    train, holdout = data.iloc[:300], data.iloc[300:]
    X, y = train.drop(columns="target"), train["target"]
    ml.models.register(DummyRegressor().fit(X, y), "sugar", input_example=X.head(2))
    line = LinearRegression().fit(X, y)
    ml.models.register(line, "sugar", input_example=X.head(2))
    ml.datasets.snapshot(holdout, "sugar_holdout")
    gate = ml.evaluation.gate("sugar/2", "sugar/1", "sugar_holdout", "target")
    assert gate.doc["metric"] == "rmse" and gate.passed
    assert gate.doc["improvement"]["low"] > 0  # lower rmse counts as better
    r2 = ml.evaluation.gate("sugar/2", "sugar/1", "sugar_holdout", "target", metric="r2")
    expected = r2_score(holdout["target"], line.predict(holdout.drop(columns="target")))
    assert r2.doc["challenger"]["value"] == pytest.approx(expected, abs=1e-9)


# ---- benchmarks ------------------------------------------------------------------------------

def test_a_benchmark_ranks_versions_with_intervals(ml, churn):
    versions, holdout = churn
    bench = ml.evaluation.benchmark_models(["churn/1", "churn/2", "churn/3", "churn@champion"],
                                           "holdout", "churned",
                                           metrics=["roc_auc", "accuracy", "brier"])
    board = bench.doc["leaderboard"]
    assert len(board) == 3  # churn@champion is churn/1: scored once
    aucs = [row["values"]["roc_auc"]["value"] for row in board]
    assert aucs == sorted(aucs, reverse=True)
    assert [row["rank"] for row in board] == [1, 2, 3]
    assert bench.doc["methods"] == {"roc_auc": "delong", "accuracy": "bootstrap",
                                    "brier": "bootstrap"}
    assert board[0]["behind_leader"] is None
    assert all(row["behind_leader"]["value"] > 0 for row in board[1:])
    for row in board:
        model = ml.serving.load_predictor(row["ref"]).model
        p = model.predict_proba(holdout[COLUMNS])[:, 1]
        auc = roc_auc_score(holdout["churned"] == "yes", p)
        assert row["values"]["roc_auc"]["value"] == pytest.approx(auc, abs=1e-12)
        assert 0 <= row["values"]["roc_auc"]["low"] and row["values"]["roc_auc"]["high"] <= 1
        v = row["values"]["accuracy"]
        assert v["low"] <= v["value"] <= v["high"]
    assert ml.evaluation.list_evaluations("churn", kind="benchmark")[0].id == bench.id
    assert "Benchmark #" in str(bench)


# ---- bad input: a clear error, nothing stored, no alias moved --------------------------------

@pytest.mark.parametrize("call, message", [
    (dict(label="nope"), "has no column 'nope'"),
    (dict(challenger="other/1"), "one model"),
    (dict(challenger="churn/1"), "nothing to compare"),
    (dict(challenger="churn/9"), "no version 9"),
    (dict(metric="f1"), "No metric 'f1'"),
    (dict(metric="rmse"), "compares regressors"),
    (dict(confidence=1.5), "confidence is a fraction"),
    (dict(resamples=10), "resamples is a whole number"),
    (dict(margin=float("nan")), "margin is a number"),
    (dict(data="holdout@7"), "no such version"),
])
def test_a_gate_on_bad_input_says_what_is_wrong_and_stores_nothing(ml, churn, call, message):
    other = LogisticRegression().fit(churn[1][COLUMNS], churn[1]["churned"])
    ml.models.register(other, "other", input_example=churn[1][COLUMNS].head(2))
    args = dict(challenger="churn/2", champion="churn@champion", data="holdout",
                label="churned", promote="champion") | call
    with pytest.raises((InvalidInput, NotFound), match=message):
        ml.evaluation.gate(**args)
    assert ml.evaluation.list_evaluations("churn") == []
    assert ml.models.alias_target("churn", "champion") == 1


def test_a_snapshot_without_the_models_columns_or_with_empty_labels_is_refused(ml, churn):
    holdout = churn[1]
    ml.datasets.snapshot(holdout.drop(columns=["x3"]), "narrow")
    with pytest.raises(InvalidInput, match=r"does not fit churn/2.*x3"):
        ml.evaluation.gate("churn/2", "churn/1", "narrow", "churned")
    ml.datasets.snapshot(holdout.assign(churned=holdout["churned"].where(
        holdout.index % 10 > 0)), "unlabelled")
    with pytest.raises(InvalidInput, match="200 empty label"):
        ml.evaluation.gate("churn/2", "churn/1", "unlabelled", "churned")
    ml.datasets.snapshot(holdout.assign(churned="maybe"), "strange")
    with pytest.raises(InvalidInput, match="values the model does not know"):
        ml.evaluation.gate("churn/2", "churn/1", "strange", "churned", metric="log_loss")


def test_roc_auc_needs_two_classes(ml):
    iris = load_iris(as_frame=True).frame
    X, y = iris.drop(columns="target"), iris["target"]
    for _ in range(2):
        ml.models.register(LogisticRegression(max_iter=500).fit(X, y), "iris",
                           input_example=X.head(2))
    ml.datasets.snapshot(iris, "iris")
    with pytest.raises(InvalidInput, match="two classes; this one has 3"):
        ml.evaluation.gate("iris/2", "iris/1", "iris", "target", metric="roc_auc")
    ok = ml.evaluation.gate("iris/2", "iris/1", "iris", "target", metric="log_loss")
    assert ok.doc["improvement"]["value"] == 0.0


def test_the_rule_dialog_offers_the_metrics_a_gate_knows():
    """The panel's "Gate metric" suggestions are a copy of the metrics' names: kept equal."""
    import re
    from pathlib import Path

    from mlops_lab.evaluation.metrics import METRICS

    dialog = (Path(__file__).resolve().parent.parent / "labextension" / "src" / "models"
              / "newRetrainingRuleDialog.tsx").read_text()
    offered = re.search(r"GATE_METRICS = \[(.*?)\]", dialog).group(1)
    assert re.findall(r"'(\w+)'", offered) == list(METRICS)
