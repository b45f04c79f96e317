"""What a tracked cell captures: literal params, seeds, fitted models, environment, git state."""

from __future__ import annotations

import ast
import subprocess
import sys
import threading

import pytest

from mlops_lab.tracking import capture, capture_env, capture_git, capture_models, model_saving


def params_of(source: str) -> dict:
    return capture.analyze_cell(source).params


# --- literal params -------------------------------------------------------------------------


def test_top_level_literals_are_params():
    cell = "lr = 0.1\nepochs = 10\nname = 'rf'\nuse_bias = True\nneg = -3\nsmall = -1e-3\nplus = +2\n"
    assert params_of(cell) == {
        "lr": 0.1, "epochs": 10, "name": "rf", "use_bias": True, "neg": -3, "small": -1e-3, "plus": 2,
    }


def test_tuple_unpacking_chains_and_annotations():
    cell = "a, b = 1, 'x'\n[c, d] = [2.5, False]\ne = f = 7\ng: float = 0.5\n(h, (i, j)) = (1, (2, 3))\n"
    assert params_of(cell) == {
        "a": 1, "b": "x", "c": 2.5, "d": False, "e": 7, "f": 7, "g": 0.5, "h": 1, "i": 2, "j": 3,
    }


def test_non_literals_nesting_and_private_names_are_not_params():
    cell = (
        "import numpy as np\n"
        "x = np.arange(3)\n"          # not a literal
        "y = None\n"                  # None is not a param
        "z = [1, 2]\n"                # containers are not params
        "w = 1 + 2\n"                 # expressions are not params
        "_hidden = 5\n"               # private
        "a, *rest = 1, 2, 3\n"        # starred unpacking: nothing is certain
        "p, q = 1\n"                  # not a literal tuple
        "obj.attr = 3\n"              # not a name
        "for i in range(3):\n    inside_loop = 1\n"
        "if True:\n    inside_if = 2\n"
        "def f():\n    inside_def = 3\n"
        "with open('x') as fh:\n    inside_with = 4\n"
        "c = -True\n"                 # negated bool is arithmetic, not a literal
        "b = b'bytes'\n"
    )
    assert params_of(cell) == {}


def test_last_binding_wins():
    assert params_of("n = 5\nn += 1\n") == {}
    assert params_of("n = 5\nn = 6\n") == {"n": 6}
    assert params_of("n = foo()\nn = 6\n") == {"n": 6}
    assert params_of("n = 6\nn: int\n") == {"n": 6}  # a bare annotation binds nothing


def test_ipython_syntax_or_broken_source_gives_nothing():
    analysis = capture.analyze_cell("x = 1\n%time y = 2\n")
    assert analysis.parsed is False and analysis.params == {}
    assert capture.analyze_cell("def (:\n").parsed is False


def test_analysis_is_cached_by_hash():
    cell = "cached_param = 123\n"
    first = capture.analyze_cell(cell)
    assert capture.analyze_cell(cell) is first
    assert capture.analyze_cell(cell, capture.cell_hash(cell)) is first


def test_cell_hash_is_blake3_hex():
    from blake3 import blake3

    assert capture.cell_hash("x = 1") == blake3(b"x = 1").hexdigest()
    assert len(capture.cell_hash("")) == 64
    assert capture.cell_hash("\ud800") == blake3("\ud800".encode("utf-8", "surrogatepass")).hexdigest()


# --- seeds ----------------------------------------------------------------------------------


def seeds_of(source: str) -> dict:
    return capture.analyze_cell(source).seeds


def test_common_seed_calls():
    cell = (
        "import numpy as np, random, torch\n"
        "np.random.seed(42)\n"
        "random.seed(7)\n"
        "rng = np.random.default_rng(3)\n"
        "torch.manual_seed(11)\n"
        "clf = RandomForestClassifier(n_estimators=10, random_state=0)\n"
    )
    assert seeds_of(cell) == {"numpy": 42, "random": 7, "numpy_rng": 3, "torch": 11, "random_state": 0}


def test_seed_aliases_keywords_and_params():
    assert seeds_of("import numpy as xp\nxp.random.seed(seed=5)\n") == {"numpy": 5}
    assert seeds_of("from numpy import random\nrandom.seed(8)\n") == {"numpy": 8}
    assert seeds_of("from random import seed\nseed(9)\n") == {"random": 9}
    assert seeds_of("SEED = 12\nnumpy.random.seed(SEED)\n") == {"numpy": 12}
    assert seeds_of("tf.random.set_seed(1)\n") == {"tensorflow": 1}


def test_seeds_inside_functions_count_and_unknown_values_are_ignored():
    assert seeds_of("def setup():\n    np.random.seed(4)\n") == {"numpy": 4}
    assert seeds_of("np.random.seed(compute())\nrandom.seed('text')\n") == {}
    assert seeds_of("a = f(random_state=1)\nb = g(random_state=2)\nc = h(random_state=1)\n") == {
        "random_state": [1, 2]}


# --- names the cell fits or binds -------------------------------------------------------------


def test_fit_targets_and_changed_names():
    analysis = capture.analyze_cell("clf.fit(X, y)\nscaler.fit_transform(X)\nmodel().fit(X)\n")
    assert analysis.fit_targets == {"clf", "scaler"}
    kept, rebound = object(), object()
    before = {"kept": id(kept), "rebound": id(object())}
    ns = {"kept": kept, "rebound": rebound, "new": 1, "_private": 2}
    assert sorted(capture.changed_names(before, ns)) == ["new", "rebound"]


# --- fitted models ----------------------------------------------------------------------------


def test_fitted_estimators_params_and_skops_bytes():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0]], [0, 1, 0, 1]
    fitted = LogisticRegression(C=0.5).fit(X, y)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    ns = {"clf": fitted, "unfitted": LogisticRegression(), "pipe": pipe, "cls": LogisticRegression,
          "number": 3}
    found = capture_models.fitted_estimators(ns, ["clf", "unfitted", "pipe", "cls", "number", "missing"])
    assert list(found) == ["clf", "pipe"]

    params = capture_models.estimator_params("clf", fitted)
    assert params["clf.C"] == 0.5 and params["clf.penalty"] in ("l2", "deprecated")
    assert params["clf.class_weight"] is None
    pipe_params = capture_models.estimator_params("pipe", pipe)
    assert "\n" not in pipe_params["pipe.steps"] and len(pipe_params["pipe.steps"]) <= 500
    assert capture_models.model_artifact_path("clf") == "models/clf.skops"

    import skops.io

    data, trusted = capture_models.serialize_estimator(fitted)
    assert trusted == sorted(skops.io.get_untrusted_types(data=data))
    loaded = skops.io.loads(data, trusted=trusted)
    assert loaded.predict(X).tolist() == fitted.predict(X).tolist()


def test_params_are_stable_text_whatever_the_process():
    import functools

    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import GradientBoostingRegressor, VotingRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import StandardScaler

    class Thing:
        pass

    assert capture_models.param_value(len) == "len"
    assert capture_models.param_value(capture_models.estimator_params) == (
        "mlops_lab.tracking.capture_models.estimator_params")
    assert capture_models.param_value(functools.partial(max, 1)) == "partial(max)"
    assert "0x" not in capture_models.param_value(Thing())
    assert capture_models.param_value({"C": [1, 10]}) == '{"C": [1, 10]}'

    vote = VotingRegressor([("gb", GradientBoostingRegressor(max_depth=2)), ("lr", LinearRegression())])
    params = capture_models.estimator_params("vote", vote)
    assert params["vote.estimators"] == '["gb: GradientBoostingRegressor", "lr: LinearRegression"]'
    assert params["vote.gb.max_depth"] == 2 and params["vote.lr.fit_intercept"] is True
    columns = ColumnTransformer([("num", StandardScaler(), [0, 1]), ("rest", "passthrough", [2])])
    params = capture_models.estimator_params("ct", columns)
    assert params["ct.transformers"] == '["num: StandardScaler [0, 1]", "rest: passthrough [2]"]'
    assert params["ct.num.with_mean"] is True


def test_the_data_a_model_is_fitted_on_and_the_calls_bound_to_names():
    analysis = capture.analyze_cell(
        "clf = LogisticRegression().fit(X, y)\n"
        "gs.fit(X_train, y_train)\n"
        "tree.fit(X, y, sample_weight=w)\n"
        "knn.fit(X[:10], y[:10])\n"
        "acc = accuracy_score(y, clf.predict(X))\n"
        "folds = model_selection.cross_val_score(clf, X, y)\n"
        "f1: float = m.f1_score(y, p)\n"
        "changed = accuracy_score(y, p)\n"
        "changed += 1\n"
        "rebound = accuracy_score(y, p)\n"
        "rebound = 0.5\n"
        "for i in range(3):\n"
        "    inner = accuracy_score(y, p)\n")
    assert analysis.fit_data == {"clf": ("X", "y"), "gs": ("X_train", "y_train")}
    assert analysis.score_calls == {"acc": "accuracy_score", "folds": "model_selection.cross_val_score",
                                    "f1": "m.f1_score"}


def test_a_model_inside_another_gets_no_file_of_its_own():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = [[0.0], [1.0], [2.0], [3.0], [0.5], [2.5]], [0, 0, 1, 1, 0, 1]
    scaler = StandardScaler().fit(X)
    pipe = Pipeline([("scaler", scaler), ("clf", LogisticRegression())]).fit(X, y)
    search = GridSearchCV(pipe, {"clf__C": [1.0, 2.0]}, cv=2).fit(X, y)
    alone = LogisticRegression().fit(X, y)
    models = {"scaler": scaler, "pipe": pipe, "search": search, "alone": alone, "again": alone}
    save, inside = model_saving.models_to_save(models)
    assert list(save) == ["search", "alone"]
    assert inside == {"scaler": "search", "pipe": "search", "again": "alone"}


def test_long_param_reprs_are_cut():
    value = capture_models.param_value(list(range(1000)))
    assert len(value) == 500 and value.endswith("\u2026")


# --- environment --------------------------------------------------------------------------------


def test_environment_lists_imported_key_packages():
    import numpy
    import sklearn

    env = capture_env.environment()
    assert env["python"] == "%d.%d.%d" % sys.version_info[:3]
    assert env["platform"]
    assert env["packages"]["numpy"] == numpy.__version__
    assert env["packages"]["scikit-learn"] == sklearn.__version__
    if "torch" not in sys.modules:
        assert "torch" not in env["packages"]


def test_notebook_path_sources(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert capture_env.notebook_path({}) is None
    monkeypatch.setenv("JPY_SESSION_NAME", "/srv/env.ipynb")
    assert capture_env.notebook_path({}) == "/srv/env.ipynb"
    assert capture_env.notebook_path({"__vsc_ipynb_file__": "/v.ipynb"}) == "/v.ipynb"
    assert capture_env.notebook_path({"__session__": "/a/b.ipynb"}) == "/a/b.ipynb"


# --- git ------------------------------------------------------------------------------------------


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "code.py").write_text("x = 1\n")
    git(tmp_path, "add", "code.py")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def test_git_state_clean_dirty_and_untracked(repo):
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    clean = capture_git.git_state(repo)
    assert clean == {"commit": head, "branch": "main", "dirty": False, "diff_hash": None}

    (repo / "notebook.ipynb").write_text("{}")  # untracked files do not make the tree dirty
    assert capture_git.git_state(repo)["dirty"] is False

    (repo / "code.py").write_text("x = 2\n")
    dirty = capture_git.git_state(repo)
    assert dirty["dirty"] is True and dirty["commit"] == head and len(dirty["diff_hash"]) == 64
    assert capture_git.git_state(repo)["diff_hash"] == dirty["diff_hash"]  # same change, same hash

    (repo / "code.py").write_text("x = 3\n")
    assert capture_git.git_state(repo)["diff_hash"] != dirty["diff_hash"]

    git(repo, "add", "code.py")  # staged changes are still uncommitted changes
    assert capture_git.git_state(repo)["dirty"] is True

    sub = repo / "sub"
    sub.mkdir()
    assert capture_git.git_state(sub)["commit"] == head  # found from a sub-folder


def test_git_state_detached_and_before_first_commit(repo, tmp_path_factory):
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    git(repo, "checkout", "-q", "--detach")
    assert capture_git.git_state(repo)["branch"] is None

    fresh = tmp_path_factory.mktemp("fresh")
    git(fresh, "init", "-q", "-b", "main")
    assert capture_git.git_state(fresh) == {"commit": None, "branch": "main", "dirty": False, "diff_hash": None}
    (fresh / "a.py").write_text("a = 1\n")
    git(fresh, "add", "a.py")
    state = capture_git.git_state(fresh)
    assert state["commit"] is None and state["dirty"] is True and state["diff_hash"]
    assert head


def test_git_state_outside_a_repository(tmp_path):
    assert capture_git.git_state(tmp_path) is None
    assert capture_git.git_state(tmp_path / "missing") is None


def test_git_recorder_delivers_in_order_off_the_calling_thread(repo):
    from concurrent.futures import ThreadPoolExecutor

    delivered, calls = [], []
    main_thread = threading.current_thread()

    def state(folder):
        calls.append(folder)
        return capture_git.git_state(folder)

    with ThreadPoolExecutor(max_workers=1) as executor:
        gate = threading.Event()
        executor.submit(gate.wait)  # hold the worker so that the requests queue up
        recorder = capture_git.GitRecorder(
            lambda key, st: delivered.append((key, st["commit"], threading.current_thread() is main_thread)),
            executor.submit, state=state)
        for i in range(20):
            recorder.record(f"run{i}", str(repo))
        gate.set()
    assert [k for k, _, _ in delivered] == [f"run{i}" for i in range(20)]
    assert all(commit and not on_main for _, commit, on_main in delivered)
    assert calls == [str(repo)]  # twenty queued runs of one folder: one git call


def test_git_recorder_survives_a_failing_callback(repo):
    from concurrent.futures import ThreadPoolExecutor

    errors, delivered = [], []

    def deliver(key, state):
        if key == "bad":
            raise RuntimeError("store down")
        delivered.append(key)

    with ThreadPoolExecutor(max_workers=1) as executor:
        recorder = capture_git.GitRecorder(deliver, executor.submit,
                                           on_error=lambda key, exc: errors.append((key, str(exc))))
        recorder.record("bad", str(repo))
        recorder.record("good", str(repo))
    assert delivered == ["good"] and errors == [("bad", "store down")]


def test_module_docstring_documents_the_param_rule():
    doc = ast.get_docstring(ast.parse(open(capture.__file__).read()))
    assert "top-level" in doc and "tuple unpacking" in doc and "_" in doc


def test_data_bound_again_after_the_fit_is_not_the_fitting_data():
    tree = ast.parse("clf.fit(X, y)\n"
                     "X, y = X_test, y_test\n"
                     "reg.fit(A, b)\n"
                     "for A in parts:\n    pass\n"
                     "ok.fit(P, q)\n")
    assert capture.fit_data(tree) == {"ok": ("P", "q")}
