"""Autologging in %%track cells: training scores, search estimators, sklearn.metrics results
and figures, on real estimators in an in-process IPython shell against the real store."""

from __future__ import annotations

import csv
import io
import struct
import zlib

import pytest
from IPython.core.error import UsageError

import mlops_lab as ml
from mlops_lab.tracking import autolog, fluent
from test_magics import ip, run, runs, summaries  # noqa: F401 - the shell fixture and its readers

DATA = ("from sklearn.datasets import load_iris\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "X, y = load_iris(return_X_y=True)\n"
        "X, y = X[::3], y[::3]\n")


def top_runs():
    return [r for r in runs() if r.parent_run_id is None]


def artifact(run_id, path) -> bytes:
    _, fh = fluent.service().open_artifact(run_id, path)
    with fh:
        return fh.read()


def test_training_score_of_a_model_fitted_on_the_cells_data(ip):
    run(ip, DATA)
    run(ip, "%%track\n"
            "clf = LogisticRegression(max_iter=500).fit(X, y)\n"
            "other = LogisticRegression(max_iter=500)\n"
            "other.fit(X[:30], y[:30])\n")  # not plain names: no cheap score to take
    [r] = top_runs()
    assert r.metrics["clf.training_score"] == pytest.approx(ip.user_ns["clf"].score(
        ip.user_ns["X"], ip.user_ns["y"]))
    assert "other.training_score" not in r.metrics and "other.C" in r.params
    [summary] = summaries(ip)
    assert "clf.training_score=" in summary["text/plain"]


def test_a_grid_search_records_best_params_results_and_one_child_per_candidate(ip):
    run(ip, DATA)
    run(ip, "%%track search\n"
            "from sklearn.model_selection import GridSearchCV\n"
            "gs = GridSearchCV(LogisticRegression(max_iter=500), {'C': [0.1, 1.0, 10.0]}, cv=3)\n"
            "gs.fit(X, y)\n")
    [r] = top_runs()
    gs = ip.user_ns["gs"]
    assert r.params["gs.best.C"] == str(gs.best_params_["C"])
    assert r.metrics["gs.best_cv_score"] == pytest.approx(gs.best_score_)
    assert r.metrics["gs.training_score"] == pytest.approx(gs.score(ip.user_ns["X"], ip.user_ns["y"]))

    table = list(csv.DictReader(io.StringIO(artifact(r.id, "search/gs/cv_results.csv").decode())))
    assert [float(row["param_C"]) for row in table] == [0.1, 1.0, 10.0]
    assert float(table[0]["mean_test_score"]) == pytest.approx(gs.cv_results_["mean_test_score"][0])

    children = [c for c in runs() if c.parent_run_id == r.id]
    assert len(children) == 3 and all(c.status == "FINISHED" for c in children)
    by_c = {c.params["C"]: c for c in children}
    assert set(by_c) == {"0.1", "1.0", "10.0"}
    for i, value in enumerate(("0.1", "1.0", "10.0")):
        assert by_c[value].metrics["mean_test_score"] == pytest.approx(
            gs.cv_results_["mean_test_score"][i])
        assert by_c[value].metrics["std_test_score"] == pytest.approx(
            gs.cv_results_["std_test_score"][i])


def test_child_runs_are_capped_best_ranked_first():
    from sklearn.datasets import load_iris
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, RandomizedSearchCV
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_iris(return_X_y=True)
    random = RandomizedSearchCV(DecisionTreeClassifier(random_state=0),
                                {"max_depth": [1, 2, 3, 4]}, n_iter=4, cv=3, random_state=0).fit(X, y)
    halving = HalvingGridSearchCV(DecisionTreeClassifier(random_state=0),
                                  {"max_depth": [1, 2, 3]}, cv=3, random_state=0).fit(X, y)
    grids = GridSearchCV(DecisionTreeClassifier(random_state=0),
                         [{"max_depth": [1, 2]}, {"min_samples_leaf": [5]}], cv=3).fit(X, y)
    found = autolog.Recorded()
    autolog.searches({"random": random, "halving": halving, "grids": grids}, found, max_runs=2)
    table = list(csv.DictReader(io.StringIO(found.artifacts[-1][1].decode())))
    assert [(row["param_max_depth"], row["param_min_samples_leaf"]) for row in table] == [
        ("1", ""), ("2", ""), ("", "5")]  # a param a candidate does not have is empty
    names = [name for name, _, _ in found.children]
    assert len(names) == 6 and sum(n.startswith("random") for n in names) == 2
    best = found.children[0]
    assert best[2]["rank_test_score"] == 1.0
    ranks = [metrics["rank_test_score"] for name, _, metrics in found.children
             if name.startswith("grids")]
    assert ranks == sorted(ranks)  # the other candidates follow best first
    assert "random: child runs for the 2 best of 4 candidates" in found.notes
    assert "halving.best_cv_score" in found.metrics


def test_sklearn_metrics_and_cross_validation_results_become_metrics(ip):
    run(ip, DATA + "from sklearn import metrics\n"
                   "from sklearn.metrics import accuracy_score, classification_report\n"
                   "from sklearn.model_selection import cross_val_score, cross_validate\n")
    run(ip, "%%track\n"
            "import mlops_lab as ml\n"
            "clf = LogisticRegression(max_iter=500).fit(X, y)\n"
            "acc = accuracy_score(y, clf.predict(X))\n"
            "f1 = metrics.f1_score(y, clf.predict(X), average='macro')\n"
            "folds = cross_val_score(clf, X, y, cv=3)\n"
            "cv = cross_validate(clf, X, y, cv=3)\n"
            "report = classification_report(y, clf.predict(X))\n"
            "mine = accuracy_score(y, clf.predict(X))\n"
            "ml.log_metric('mine', 0.5)\n"
            "n = len(y)\n")
    [r] = top_runs()
    ns = ip.user_ns
    assert r.metrics["acc"] == pytest.approx(ns["acc"]) and r.metrics["f1"] == pytest.approx(ns["f1"])
    assert r.metrics["folds.mean"] == pytest.approx(ns["folds"].mean())
    assert r.metrics["folds.std"] == pytest.approx(ns["folds"].std())
    assert r.metrics["cv.test_score.mean"] == pytest.approx(ns["cv"]["test_score"].mean())
    assert "cv.fit_time.mean" not in r.metrics and not any(k.startswith("report") for k in r.metrics)
    assert r.metrics["mine"] == 0.5  # the cell's own value, not logged again
    assert "n" not in r.metrics


def _png() -> bytes:
    """A 1x1 PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def test_figures_the_cell_displays_are_kept(ip):
    ip.user_ns["png"] = _png()
    run(ip, "%%track\n"
            "import plotly.graph_objects as go\n"
            "import plotly.io as pio\n"
            "from IPython.display import Image, display\n"
            "pio.renderers.default = 'plotly_mimetype'\n"
            "fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))\n"
            "fig.show()\n"
            "display(Image(data=png, format='png'))\n")
    [r] = top_runs()
    paths = [a.path for a in fluent.service().list_artifacts(r.id)]
    assert paths == ["figures/figure-1.plotly.json", "figures/figure-2.png"]
    import json

    assert json.loads(artifact(r.id, paths[0]))["data"][0]["y"] == [3, 4]
    assert artifact(r.id, paths[1]) == ip.user_ns["png"]
    # what the cell displayed still reached the user, before the summary
    kinds = [next(iter(data)) for kind, data in ip.events_log if kind == "display"]
    assert len(kinds) == 3 and "application/vnd.plotly.v1+json" in ip.events_log[0][1]


def test_matplotlib_figures_the_cell_leaves_open_are_kept_as_png(ip):
    """The gallery's usual plot: pyplot figures made in the cell (the inline backend shows
    them after the cell), not one opened before it."""
    run(ip, "import matplotlib\n"
            "matplotlib.use('Agg')\n"
            "import matplotlib.pyplot as plt\n"
            "plt.close('all')\n"
            "before = plt.figure()\n")
    run(ip, "%%track\n"
            "fig, ax = plt.subplots()\n"
            "ax.plot([1, 2, 3], [3, 1, 2])\n"
            "plt.figure().add_subplot().bar(['a', 'b'], [1, 2])\n")
    [r] = top_runs()
    paths = [a.path for a in fluent.service().list_artifacts(r.id)]
    assert paths == ["figures/figure-1.png", "figures/figure-2.png"]
    for path in paths:
        assert artifact(r.id, path).startswith(b"\x89PNG\r\n\x1a\n")
    run(ip, "plt.close('all')\n")


def test_autologging_can_be_switched_off_in_whole_or_in_part(ip):
    run(ip, DATA + "from sklearn.metrics import accuracy_score\n")
    cell = ("clf = LogisticRegression(max_iter=500).fit(X, y)\n"
            "acc = accuracy_score(y, clf.predict(X))\n")
    run(ip, "%%track none --no-autolog\n" + cell)
    run(ip, "%%track some --no-autolog=scores,figures\n" + cell)
    run(ip, "%%track all\n" + cell)
    none, some, every = top_runs()
    assert none.name == "none" and none.metrics == {} and "clf.C" in none.params
    assert set(some.metrics) == {"clf.training_score"}
    assert set(every.metrics) == {"clf.training_score", "acc"}


def test_an_unknown_autolog_part_is_a_usage_error(ip):
    with pytest.raises(UsageError, match="training_score, search, scores, figures"):
        ip.run_cell_magic("track", "--no-autolog=scorse", "ran = True\n")
    assert "ran" not in ip.user_ns and ml.search_runs().runs == []


def test_figures_beyond_the_limit_are_said_not_kept(ip, monkeypatch):
    monkeypatch.setattr(autolog, "MAX_FIGURES", 2)
    ip.user_ns["png"] = _png()
    run(ip, "%%track\n"
            "from IPython.display import Image, display\n"
            "for _ in range(3):\n"
            "    display(Image(data=png, format='png'))\n")
    [r] = top_runs()
    assert [a.path for a in fluent.service().list_artifacts(r.id)] == [
        "figures/figure-1.png", "figures/figure-2.png"]
    [summary] = summaries(ip)
    assert "1 more figure(s) not kept: at most 2 a cell" in summary["text/plain"]
