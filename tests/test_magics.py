"""%%track on an in-process IPython shell, against the real store."""

from __future__ import annotations

import re
import subprocess

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

import mlops_lab as ml
from mlops_lab.tracking import capture_git, fluent


@pytest.fixture
def ip(shell, store_home, monkeypatch, tmp_path):
    """The shell with an empty namespace, a fresh store, a working directory outside any git
    repository, and every display it makes recorded in order in ``ip.events``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    shell.reset(new_session=False)
    events = []
    monkeypatch.setattr(shell.display_pub, "publish",
                        lambda data, metadata=None, **kw: events.append(("display", data)))
    monkeypatch.setattr(shell.displayhook, "write_format_data",
                        lambda data, md=None: events.append(("result", data)))
    shell.events_log = events
    yield shell
    fluent.flush()


def run(ip, cell):
    """Runs a cell as a kernel does (stored in history, counted) and returns its result and
    what it printed (tracebacks included)."""
    with capture_output(display=False) as out:
        result = ip.run_cell(cell, store_history=True)
    return result, out.stdout + out.stderr


def runs():
    """All runs of the store, oldest first, read back in full once their model files are
    written."""
    ml.flush()
    page = ml.search_runs(order_by=["attributes.start_time asc"], max_results=1000)
    return [ml.get_run(r.id) for r in page.runs]


def summaries(ip):
    return [data for kind, data in ip.events_log if kind == "display" and "text/html" in data
            and "mlops-lab-run-summary" in data["text/html"]]


# --- what a finished cell records ------------------------------------------------------------


def test_a_tracked_cell_records_source_params_metrics_seeds_and_environment(ip):
    cell = (
        "import numpy as np, random\n"
        "import mlops_lab as ml\n"
        "lr, epochs = 0.1, 3\n"
        "name = 'baseline'\n"
        "np.random.seed(42)\n"
        "random.seed(7)\n"
        "ml.log_metric('loss', 0.25)\n"
        "ml.log_metric('loss', 0.125, step=1)\n"
        "lr * epochs\n"
    )
    result, _ = run(ip, f"%%track my run -e 'exp one'\n{cell}")
    assert result.success and result.result == pytest.approx(0.3)
    assert ip.user_ns["lr"] == 0.1 and ip.user_ns["name"] == "baseline"

    [r] = runs()
    assert r.name == "my run" and r.status == "FINISHED" and r.error is None
    assert ml.search_runs(experiment="exp one").runs[0].id == r.id
    assert r.params == {"lr": "0.1", "epochs": "3", "name": "baseline"}
    assert r.metrics == {"loss": 0.125}
    assert [m.value for m in fluent.service().metric_history(r.id, "loss")] == [0.25, 0.125]

    from blake3 import blake3

    assert r.source["cell"] == cell and r.source["cell_hash"] == blake3(cell.encode()).hexdigest()
    assert r.source["kind"] == "cell" and r.source["notebook"] is None
    assert r.source["execution_count"] == result.execution_count
    assert r.end_time >= r.start_time  # the cell's wall time
    assert r.environment["seeds"] == {"numpy": 42, "random": 7}
    assert r.environment["python"] and "numpy" in r.environment["packages"]
    assert r.environment["git"] is None  # the working directory is not a repository
    assert fluent.active_run() is None


def test_notebook_path_from_the_kernel_session(ip):
    ip.user_ns["__session__"] = "/work/notebooks/train.ipynb"
    run(ip, "%%track\nx = 1\n")
    assert runs()[0].source["notebook"] == "/work/notebooks/train.ipynb"


def test_the_run_name_may_use_variables(ip):
    ip.user_ns["lr"] = 0.5
    run(ip, "%%track run-{lr}\nx = 1\n")
    assert runs()[0].name == "run-0.5"


def test_git_state_is_written_after_the_cell(ip, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    (repo / "train.py").write_text("A = 1\n")
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "c"], cwd=repo, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                          text=True, check=True).stdout.strip()
    monkeypatch.chdir(repo)

    run(ip, "%%track\nx = 1\n")
    ml.flush()  # the git state is read just after the cell, off its critical path
    (repo / "train.py").write_text("A = 2\n")
    run(ip, "%%track\nx = 2\n")
    ml.flush()
    clean, dirty = runs()
    assert clean.environment["git"] == {"commit": head, "branch": "main", "dirty": False, "diff_hash": None}
    assert dirty.environment["git"]["dirty"] is True and dirty.environment["git"]["diff_hash"]
    assert dirty.environment["seeds"] == {} and "python" in dirty.environment  # merged, not replaced
    assert capture_git.git_state(repo)["diff_hash"] == dirty.environment["git"]["diff_hash"]

    # Once known, the state is recorded with the run itself (and checked again after the cell).
    run(ip, "%%track\nimport mlops_lab as ml\nstarted_with = ml.active_run().info.environment['git']\n")
    assert ip.user_ns["started_with"] == dirty.environment["git"]
    ml.flush()
    assert runs()[-1].environment["git"] == dirty.environment["git"]


# --- models --------------------------------------------------------------------------------------


def test_fitted_models_become_params_and_skops_artifacts(ip):
    run(ip, "from sklearn.linear_model import LogisticRegression\n"
            "X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]\n"
            "old = LogisticRegression().fit(X, y)\n"
            "later = LogisticRegression(C=3.0)\n")
    run(ip, "%%track\n"
            "from sklearn.tree import DecisionTreeClassifier\n"
            "clf = LogisticRegression(C=0.5).fit(X, y)\n"
            "tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)\n"
            "unfitted = LogisticRegression()\n"
            "later.fit(X, y)\n"
            "score = clf.score(X, y)\n")
    [r] = runs()
    assert r.status == "FINISHED"
    assert r.params["clf.C"] == "0.5" and r.params["tree.max_depth"] == "2"
    assert r.params["later.C"] == "3.0"  # fitted in place by the cell
    assert not any(k.startswith(("old.", "unfitted.")) for k in r.params)  # untouched / not fitted
    assert r.environment["seeds"] == {"random_state": 0}
    svc = fluent.service()
    assert [a.path for a in svc.list_artifacts(r.id)] == [
        "models/clf.skops", "models/later.skops", "models/tree.skops"]

    import skops.io

    _, fh = svc.open_artifact(r.id, "models/clf.skops")
    with fh:
        data = fh.read()
    model = skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))
    assert model.predict([[0.0], [3.0]]).tolist() == ip.user_ns["clf"].predict([[0.0], [3.0]]).tolist()


def test_a_model_skops_cannot_save_is_reported_not_fatal(ip):
    run(ip, "from sklearn.base import BaseEstimator\n"
            "class Odd(BaseEstimator):\n"
            "    def fit(self, X, y=None):\n"
            "        self.handle_ = open(__file__ if '__file__' in globals() else 'odd.txt', 'w')\n"
            "        return self\n")
    result, _ = run(ip, "%%track\nodd = Odd().fit([[1]])\n")
    assert result.success
    [r] = runs()
    assert r.status == "FINISHED" and "odd" not in [a.path for a in fluent.service().list_artifacts(r.id)]
    assert "model 'odd' not saved" in r.tags["models.not_saved"]
    _, out = run(ip, "x = 1\n")  # the next cell says it
    assert f"run {r.id}: model 'odd' not saved" in out


def test_model_files_are_written_after_the_cell_and_the_run_ends_then(ip):
    run(ip, "import threading\n"
            "from sklearn.base import BaseEstimator\n"
            "gate = threading.Event()\n"
            "class Slow(BaseEstimator):\n"
            "    def fit(self, X, y=None):\n"
            "        self.fitted_ = True\n"
            "        return self\n"
            "    def __getstate__(self):  # skops reads the state to save it\n"
            "        gate.wait(30)\n"
            "        return dict(self.__dict__)\n")
    result, _ = run(ip, "%%track\nslow = Slow().fit([[1]])\n")
    assert result.success  # the cell returned while its model is still being written
    [summary] = summaries(ip)
    assert "saving models/slow.skops" in summary["text/plain"]
    svc = fluent.service()
    [pending] = svc.search_runs().runs
    assert pending.status == "RUNNING" and svc.list_artifacts(pending.id) == []
    assert fluent.active_run() is None  # the next run is not its child
    ip.user_ns["gate"].set()
    [r] = runs()
    assert r.status == "FINISHED" and [a.path for a in svc.list_artifacts(r.id)] == ["models/slow.skops"]


def test_in_a_pipeline_kernel_model_files_are_written_before_the_cell_returns(ip, monkeypatch):
    """The pipeline's kernel is stopped soon after its last cell: nothing is left to write."""
    svc = fluent.service()
    pipeline = svc.create_run(svc.get_or_create_experiment("pipes").id, name="pipeline")
    monkeypatch.setenv("MLOPS_LAB_PARENT_RUN", pipeline.id)
    run(ip, "%%track\nfrom sklearn.linear_model import LogisticRegression\n"
            "clf = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])\n")
    [r] = [r for r in svc.search_runs().runs if r.parent_run_id == pipeline.id]  # no flush
    assert r.status == "FINISHED" and [a.path for a in svc.list_artifacts(r.id)] == ["models/clf.skops"]
    [summary] = summaries(ip)
    assert "saved models/clf.skops" in summary["text/plain"]


def test_the_register_button_right_after_the_cell_finds_its_run(ip):
    """The toolbar asks the kernel silently (no next cell to wait): registering waits for the
    tracked cell's model file, so the version keeps the run's lineage."""
    import json

    from mlops_lab.models import kernel

    run(ip, "%%track fit\nfrom sklearn.linear_model import LogisticRegression\n"
            "clf = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])\n")
    doc = json.loads(repr(kernel.register(json.dumps({"variable": "clf", "name": "churn"}),
                                          ip.user_ns)))
    assert doc["ok"] is True and doc["run_id"] == runs()[0].id


def test_a_model_inside_another_is_saved_once(ip):
    run(ip, "%%track\n"
            "from sklearn.ensemble import VotingRegressor\n"
            "from sklearn.linear_model import LinearRegression, Ridge\n"
            "from sklearn.tree import DecisionTreeRegressor\n"
            "X, y = [[0.0], [1.0], [2.0], [3.0]], [0.0, 1.0, 2.0, 3.5]\n"
            "lr = LinearRegression().fit(X, y)\n"
            "tree = DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, y)\n"
            "alone = Ridge().fit(X, y)\n"
            "same = alone\n"
            "vote = VotingRegressor([('lr', lr), ('tree', tree)]).fit(X, y)\n")
    [r] = runs()
    assert sorted(a.path for a in fluent.service().list_artifacts(r.id)) == [
        "models/alone.skops", "models/vote.skops"]
    assert r.params["lr.fit_intercept"] == "true" and r.params["vote.tree.max_depth"] == "2"
    [summary] = summaries(ip)
    assert "lr inside vote, tree inside vote, same inside alone" in summary["text/plain"]


def test_two_identical_runs_record_identical_params(ip):
    """Callables by qualified name, nested estimators by structure: no memory address."""
    cell = ("%%track\n"
            "import numpy as np\n"
            "from sklearn.model_selection import GridSearchCV\n"
            "from sklearn.pipeline import Pipeline\n"
            "from sklearn.preprocessing import StandardScaler\n"
            "from sklearn.svm import SVC\n"
            "def refit_strategy(cv_results):\n"
            "    return 0\n"
            "X, y = [[0.0], [1.0], [2.0], [3.0], [0.5], [2.5]], [0, 0, 1, 1, 0, 1]\n"
            "pipe = Pipeline([('scaler', StandardScaler()),\n"
            "                 ('svc', SVC(random_state=np.random.RandomState(0)))])\n"
            "grid_search = GridSearchCV(pipe, {'svc__C': [1, 10]}, cv=2, refit=refit_strategy)\n"
            "grid_search.fit(X, y)\n")
    run(ip, cell)
    run(ip, cell)
    first, second = [r for r in runs() if r.parent_run_id is None]  # not the candidates
    assert first.params == second.params
    assert first.params["grid_search.refit"] == "__main__.refit_strategy"
    assert first.params["grid_search.estimator"] == "Pipeline"
    assert first.params["grid_search.estimator.steps"] == '["scaler: StandardScaler", "svc: SVC"]'
    assert first.params["grid_search.estimator.svc.C"] == "1.0"
    assert not any("0x" in value for value in first.params.values())


def test_the_summary_shows_literals_and_telling_params_first(ip):
    run(ip, "%%track\n"
            "from sklearn.ensemble import RandomForestClassifier\n"
            "depth = 3\n"
            "forest = RandomForestClassifier(n_estimators=5, max_depth=depth, random_state=0)\n"
            "forest.fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])\n")
    [summary] = summaries(ip)
    shown = summary["text/plain"].split("params: ")[1].split("\n")[0]
    assert shown.startswith("depth=3, forest.n_estimators=5, forest.max_depth=3, ")
    assert "forest.random_state=0" in shown
    assert shown.index("forest.random_state=") < shown.index("forest.bootstrap=")  # alphabetical after


# --- how the cell ends ---------------------------------------------------------------------------


def test_an_exception_fails_the_run_and_still_reaches_the_user(ip):
    plain, plain_out = run(ip, "x = 1\nraise ValueError('bad <input>')\n")
    tracked, tracked_out = run(ip, "%%track\nx = 1\nraise ValueError('bad <input>')\n")
    assert isinstance(tracked.error_in_exec, ValueError) and not tracked.success
    [r] = runs()
    assert r.status == "FAILED" and r.error == "ValueError: bad <input>"
    # The user sees their own traceback, not the magic's frames.
    normalise = lambda text: re.sub(r"Cell In\[\d+\]", "Cell In[N]", text)
    traceback_of = lambda text: normalise(text[: text.index("ValueError: bad <input>") + 23])
    assert traceback_of(tracked_out) == traceback_of(plain_out)
    assert "run_cell_magic" not in tracked_out and "mlops_lab/magics" not in tracked_out
    assert plain.execution_count + 1 == tracked.execution_count
    assert f"Cell In[{tracked.execution_count}], line 2" in tracked_out
    assert fluent.active_run() is None


def test_keyboard_interrupt_kills_the_run(ip):
    result, out = run(ip, "%%track\nx = 1\nraise KeyboardInterrupt\n")
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    assert "KeyboardInterrupt" in out
    [r] = runs()
    assert r.status == "KILLED" and r.error.startswith("KeyboardInterrupt")


@pytest.mark.filterwarnings("ignore:To exit")  # IPython's own hint, shown with or without %%track
def test_sys_exit_kills_the_run_and_the_shell_goes_on(ip):
    result, _ = run(ip, "%%track\nimport sys\nsys.exit(3)\n")
    assert isinstance(result.error_in_exec, SystemExit)
    run(ip, "%%track\nafter = 1\n")
    killed, after = runs()
    assert killed.status == "KILLED" and killed.error == "SystemExit: 3"
    assert after.status == "FINISHED" and after.parent_run_id is None


def test_a_syntax_error_fails_the_run(ip):
    result, out = run(ip, "%%track\nx = (1,\n")
    assert isinstance(result.error_in_exec, SyntaxError) and "SyntaxError" in out
    [r] = runs()
    assert r.status == "FAILED" and r.error.startswith("SyntaxError")


def test_a_param_the_cell_logs_itself_wins(ip):
    result, _ = run(ip, "%%track\nimport mlops_lab as ml\nlr = 0.1\nml.log_param('lr', 0.2)\n")
    assert result.success
    [r] = runs()
    assert r.status == "FINISHED" and r.params == {"lr": "0.2"}
    [summary] = summaries(ip)
    assert "param &#x27;lr&#x27; not recorded" in summary["text/html"]


def test_a_cell_that_ends_its_own_run(ip):
    run(ip, "%%track\nimport mlops_lab as ml\nml.end_run('KILLED')\n")
    [r] = runs()
    assert r.status == "KILLED" and fluent.active_run() is None


# --- runs over time --------------------------------------------------------------------------------


def test_rerunning_a_cell_makes_a_new_run(ip):
    for _ in range(3):
        result, out = run(ip, "%%track same\nx = 1\n")
        assert result.success and "already active" not in out
    done = runs()
    assert [r.name for r in done] == ["same"] * 3 and len({r.id for r in done}) == 3
    assert all(r.status == "FINISHED" and r.parent_run_id is None for r in done)


def test_a_cell_inside_an_open_run_becomes_its_child(ip):
    run(ip, "import mlops_lab as ml\nparent = ml.start_run('parent')\n")
    run(ip, "%%track child\nx = 1\n")
    assert fluent.active_run().name == "parent"  # still open for the next cells
    run(ip, "%%track second\ny = 1\n")
    run(ip, "ml.end_run()\n")
    by_name = {r.name: r for r in runs()}
    parent = by_name["parent"]
    assert by_name["child"].parent_run_id == parent.id == by_name["second"].parent_run_id
    assert parent.status == "FINISHED" and by_name["child"].status == "FINISHED"


def test_a_cell_run_inside_a_with_block_becomes_its_child(ip):
    run(ip, "import mlops_lab as ml\n"
            "with ml.start_run('outer') as outer:\n"
            "    get_ipython().run_cell_magic('track', 'inner', 'x = 1\\n')\n")
    by_name = {r.name: r for r in runs()}
    assert by_name["inner"].parent_run_id == by_name["outer"].id
    assert by_name["outer"].status == by_name["inner"].status == "FINISHED"


def test_a_run_left_open_inside_the_cell_ends_with_it(ip):
    run(ip, "%%track cell\nimport mlops_lab as ml\nleft = ml.start_run('left open')\n")
    by_name = {r.name: r for r in runs()}
    assert by_name["left open"].parent_run_id == by_name["cell"].id
    assert by_name["cell"].status == "FINISHED" and by_name["left open"].status == "KILLED"
    assert fluent.active_run() is None


# --- what the user sees -----------------------------------------------------------------------------


def test_display_output_is_unchanged_and_the_summary_comes_last(ip):
    body = "from IPython.display import display, HTML\nprint('printed')\ndisplay(HTML('<i>shown</i>'))\n41 + 1\n"
    plain, plain_out = run(ip, body)
    plain_events = list(ip.events_log)
    ip.events_log.clear()
    tracked, tracked_out = run(ip, "%%track\n" + body)
    assert tracked.result == plain.result == 42
    assert ip.user_ns["_"] == 42 and ip.user_ns["Out"][tracked.execution_count] == 42
    assert re.sub(r"Out\[\d+\]", "Out[N]", tracked_out) == re.sub(r"Out\[\d+\]", "Out[N]", plain_out)
    assert ip.events_log[:-1] == plain_events
    kind, summary = ip.events_log[-1]
    assert kind == "display" and set(summary) == {"text/html", "text/plain"}
    assert "FINISHED" in summary["text/plain"] and runs()[0].id in summary["text/plain"]


def test_a_trailing_semicolon_still_hides_the_value(ip):
    result, _ = run(ip, "%%track\n1 + 1;\n")
    assert result.result is None
    assert [kind for kind, _ in ip.events_log] == ["display"]  # the summary only


def test_ipython_syntax_inside_a_tracked_cell(ip):
    result, out = run(ip, "%%track\nval = 5\n%time y = val * 2\nfiles = !echo hi\n")
    assert result.success and ip.user_ns["y"] == 10 and list(ip.user_ns["files"]) == ["hi"]
    assert runs()[0].status == "FINISHED"


def test_summary_escapes_everything(ip):
    xss = "<img src=x onerror=alert(1)>"
    run(ip, f"%%track {xss}\nlabel = '{xss}'\nraise ValueError('{xss}')\n")
    [r] = runs()
    assert r.name == xss and r.params["label"] == xss and xss in r.error
    [summary] = summaries(ip)
    page = summary["text/html"]
    assert "<img" not in page and "onerror=alert(1)&gt;" in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 3  # name, param, error
    assert f'href="#mlops-lab/runs/{r.id}"' in page
    assert xss in summary["text/plain"]


def test_summary_shows_params_metrics_and_how_many_more(ip):
    cell = "".join(f"p{i:02d} = {i}\n" for i in range(20)) + "import mlops_lab as ml\nml.log_metric('auc', float('nan'))\n"
    run(ip, "%%track\n" + cell)
    [summary] = summaries(ip)
    assert "(+8 more)" in summary["text/plain"] and "auc=NaN" in summary["text/plain"]


# --- bad invocations ----------------------------------------------------------------------------------


def test_a_bad_run_name_stops_before_the_cell_runs(ip):
    with capture_output() as out:
        ip.run_cell("%%track " + "n" * 600 + "\nran = True\n", store_history=True)
    assert "ran" not in ip.user_ns and "at most 500 characters" in out.stderr + out.stdout
    assert runs() == []


def test_bad_arguments_are_a_usage_error(ip):
    with pytest.raises(UsageError):
        ip.run_cell_magic("track", "--no-such-option", "ran = True\n")
    with pytest.raises(UsageError, match="double quotes"):
        ip.run_cell_magic("track", "Bob's run", "ran = True\n")
    assert "ran" not in ip.user_ns and runs() == []


def test_quotes_group_words(ip):
    run(ip, """%%track "Bob's run" -e 'my experiment'\nx = 1\n""")
    [r] = runs()
    assert r.name == "Bob's run" and ml.search_runs(experiment="my experiment").runs[0].id == r.id


def test_top_level_await_is_refused_before_running(ip):
    with pytest.raises(UsageError, match="top-level await"):
        ip.run_cell_magic("track", "", "ran = True\nimport asyncio\nawait asyncio.sleep(0)\n")
    assert "ran" not in ip.user_ns and runs() == []


def test_the_param_rule_is_documented_in_the_magic_help(ip):
    doc = ip.find_cell_magic("track").__doc__
    assert "top-level" in doc and "literal" in doc and "_" in doc and "tuple unpacking" in doc
