"""`%register` on an in-process IPython shell, and the kernel helper behind the toolbar's
"Register model" button, against the real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from IPython.utils.capture import capture_output

import mlops_lab as ml
from mlops_lab.models import kernel
from mlops_lab.tracking import fluent

from hostile_skops import hostile  # noqa: F401 - the fixture

FIT = """
import numpy as np
from sklearn.linear_model import LogisticRegression
X = np.random.default_rng(0).random((40, 3))
y = (X[:, 0] > 0.5).astype(int)
clf = LogisticRegression().fit(X, y)
"""


@pytest.fixture
def ip(shell, store_home, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    shell.reset(new_session=False)
    events = []
    monkeypatch.setattr(shell.display_pub, "publish",
                        lambda data, metadata=None, **kw: events.append(data))
    shell.events_log = events
    yield shell
    fluent.flush()


def run(ip, cell):
    with capture_output(display=False) as out:
        result = ip.run_cell(cell, store_history=True)
    return result, out.stdout + out.stderr


def test_register_magic_shows_the_new_version_with_a_link(ip):
    run(ip, FIT)
    result, out = run(ip, '%register clf "churn <b>model</b>" --alias champion '
                          '-d "first try" -x X')
    assert result.success, out
    version = ml.get_model_version("churn <b>model</b>@champion")
    assert version.version == 1 and version.description == "first try"
    assert [c["name"] for c in version.signature["inputs"]] == ["f0", "f1", "f2"]
    (shown,) = ip.events_log
    html = shown["text/html"]
    assert "<b>model</b>" not in html and "churn &lt;b&gt;model&lt;/b&gt;" in html
    assert 'class="mlops-lab-model-link"' in html
    assert 'href="#mlops-lab/models/churn%20%3Cb%3Emodel%3C%2Fb%3E/1"' in html
    assert "version 1 [champion]" in shown["text/plain"]


def test_register_magic_inside_a_tracked_cell_links_the_run(ip):
    run(ip, FIT)
    result, out = run(ip, "%%track fit\nml_acc = clf.score(X, y)\n%register clf churn")
    assert result.success, out
    version = ml.get_model_version("churn")
    assert version.run_id is not None
    assert "%register clf churn" in version.source["cell"]
    outputs = [link.ref for link in ml.get_run(version.run_id).links
               if link.direction == "output"]
    assert outputs == ["churn/1"]


@pytest.mark.parametrize("line, message", [
    ("nope churn", "no variable 'nope'"),
    ("clf", "the following arguments are required"),
    ("clf churn --alias 'bad alias'", "alias"),
    ("X churn", "not a model: it has no predict method"),
])
def test_register_magic_usage_errors(ip, line, message):
    run(ip, FIT)
    result, out = run(ip, f"%register {line}")
    assert not result.success and message in out
    assert "Traceback" not in out


# ---- the toolbar button's kernel helper -----------------------------------------------------

def test_candidates_lists_fitted_models_and_examples(ip):
    run(ip, FIT + "\nimport pandas as pd\nframe = pd.DataFrame(X, columns=list('abc'))\n"
            "from sklearn.tree import DecisionTreeClassifier\nunfitted = DecisionTreeClassifier()")
    doc = json.loads(repr(kernel.candidates()))
    assert [m["name"] for m in doc["models"]] == ["clf"]
    assert doc["models"][0]["class"] == "LogisticRegression"
    assert doc["models"][0]["n_features"] == 3
    assert doc["models"][0]["run"] is None  # not saved by a tracked cell
    assert {e["name"]: e["kind"] for e in doc["examples"]} == {"X": "ndarray", "frame": "DataFrame"}
    assert kernel.candidates()._repr_json_() == doc


def test_register_from_the_toolbar_passes_user_text_as_data_only(ip):
    run(ip, FIT)
    payload = {"variable": "clf", "name": "x'); import os; os.system('touch pwned') #",
               "alias": "challenger", "description": "\"\"\"; raise SystemExit", "example": "X"}
    doc = json.loads(repr(kernel.register(json.dumps(payload))))
    assert doc["ok"] is True and doc["version"] == 1 and doc["aliases"] == ["challenger"]
    version = ml.get_model_version(payload["name"] + "/1")
    assert version.description == payload["description"]
    for bad in ({"variable": "clf.__class__", "name": "m"}, {"variable": "os", "name": "m"},
                {"variable": "clf", "name": "m", "example": "X[0]"},
                {"variable": "clf", "name": ""}, {"variable": "clf", "name": "m",
                                                  "alias": "no spaces"}):
        doc = json.loads(repr(kernel.register(json.dumps(bad))))
        assert doc["ok"] is False and doc["error"], bad
    assert json.loads(repr(kernel.register("not json")))["ok"] is False
    assert json.loads(repr(kernel.register("[1]")))["ok"] is False


def tracked_file(version, run_name: str, path: str):
    """(run, artifact) the version came from, checked to be `run_name`'s file `path`."""
    tracked = ml.get_run(version.run_id)
    assert tracked.name == run_name and version.artifact == path
    (artifact,) = [a for a in fluent.service().list_artifacts(tracked.id) if a.path == path]
    return tracked, artifact


def test_register_after_a_tracked_cell_reuses_its_run_and_file(ip):
    run(ip, "%%track fit\n" + FIT)
    assert json.loads(repr(kernel.candidates()))["models"][0]["run"]["name"] == "fit"
    result, out = run(ip, "%register clf churn -x X")
    assert result.success, out
    version = ml.get_model_version("churn/1")
    _, artifact = tracked_file(version, "fit", "models/clf.skops")
    assert version.blob == artifact.blob  # the run's file, not a copy
    assert version.signature["inputs"][0] == {"name": "f0", "dtype": "float64"}
    # Refitted outside a tracked cell: no longer the run's model, so no lineage is claimed.
    run(ip, "clf = LogisticRegression(C=0.1).fit(X, y)")
    result, out = run(ip, "%register clf churn")
    assert result.success, out
    refit = ml.get_model_version("churn/2")
    assert refit.run_id is None and refit.artifact is None and refit.blob != version.blob


# ---- lineage of every model: the tracked run that saved it, or why not ----------------------

TREES = {
    "DecisionTree": "from sklearn.tree import DecisionTreeClassifier as M\ntree = M(max_depth=3)",
    "RandomForest": "from sklearn.ensemble import RandomForestClassifier as M\n"
                    "tree = M(n_estimators=3, random_state=0)",
    "GradientBoosting": "from sklearn.ensemble import GradientBoostingClassifier as M\n"
                        "tree = M(n_estimators=3)",
    "HistGradientBoosting": "from sklearn.ensemble import HistGradientBoostingClassifier as M\n"
                            "tree = M(max_iter=3)",
    "Pipeline": "from sklearn.pipeline import make_pipeline\n"
                "from sklearn.preprocessing import StandardScaler\n"
                "from sklearn.tree import DecisionTreeClassifier\n"
                "tree = make_pipeline(StandardScaler(), DecisionTreeClassifier(max_depth=2))",
}


@pytest.mark.parametrize("kind", sorted(TREES))
def test_register_a_tree_model_links_the_tracked_run_that_saved_it(ip, kind):
    run(ip, FIT)
    result, out = run(ip, f"%%track fit\n{TREES[kind]}\ntree.fit(X, y)\n"
                          "import mlops_lab\nmlops_lab.log_metric('acc', tree.score(X, y))")
    assert result.success, out
    (candidate,) = [m for m in json.loads(repr(kernel.candidates()))["models"]
                    if m["name"] == "tree"]
    assert candidate["note"] is None and candidate["run"]["name"] == "fit", candidate
    result, out = run(ip, "%register tree forest -x X")
    assert result.success, out
    version = ml.get_model_version("forest/1")
    tracked, artifact = tracked_file(version, "fit", "models/tree.skops")
    assert version.blob == artifact.blob and version.trusted_types == artifact.trusted_types
    assert version.metrics == tracked.metrics and "acc" in version.metrics and version.params
    if kind != "Pipeline":
        assert "sklearn.tree._tree.Tree" in version.trusted_types or kind == "HistGradientBoosting"
    assert ml.load_model("forest/1").predict(ip.user_ns["X"]).tolist() == \
        ip.user_ns["tree"].predict(ip.user_ns["X"]).tolist()
    doc = json.loads(repr(kernel.register(json.dumps({"variable": "tree", "name": "forest"}))))
    assert doc["ok"] and doc["run_id"] == tracked.id and doc["note"] is None


def test_register_model_of_a_tracked_cells_model_links_that_run(ip):
    run(ip, FIT)
    run(ip, "%%track fit\n" + TREES["DecisionTree"] + "\ntree.fit(X, y)")
    result, out = run(ip, "import mlops_lab as ml\nv = ml.register_model(tree, 'api')")
    assert result.success, out
    version = ip.user_ns["v"]
    tracked, artifact = tracked_file(version, "fit", "models/tree.skops")
    assert version.blob == artifact.blob and version.trusted_types == ["sklearn.tree._tree.Tree"]
    # Inside a run the user opened, that run is the one linked, as documented.
    result, out = run(ip, "with ml.start_run('explicit') as r:\n"
                          "    v2 = ml.register_model(tree, 'api')")
    assert result.success, out
    assert ip.user_ns["v2"].run_id == ip.user_ns["r"].id != tracked.id
    # Changed since: the live model, without a run, and the reason kept on the version.
    run(ip, "tree.set_params(max_depth=1).fit(X, y)")
    result, out = run(ip, "v3 = ml.register_model(tree, 'api')")
    assert ip.user_ns["v3"].run_id is None
    assert "no tracked cell of this kernel saved this model in its present state" in \
        ip.user_ns["v3"].note


def test_register_says_why_a_model_has_no_run(ip):
    run(ip, FIT)
    result, out = run(ip, "%register clf plain")
    assert result.success, out
    (shown,) = ip.events_log
    assert "Registered without a run: no tracked cell of this kernel saved" in \
        shown["text/html"].replace("&#x27;", "'")
    assert "registered without a run: no tracked cell" in shown["text/plain"]
    run(ip, "%%track fit\nclf.fit(X, y)")
    run(ip, "clf.set_params(C=0.01).fit(X, y)")  # changed outside a tracked cell
    doc = json.loads(repr(kernel.candidates()))["models"][0]
    assert doc["run"] is None and "changed after run 'fit'" in doc["note"]
    doc = json.loads(repr(kernel.register(json.dumps({"variable": "clf", "name": "plain"}))))
    assert doc["ok"] and doc["run_id"] is None and "changed after run 'fit'" in doc["note"]


def test_register_never_uses_a_hostile_file_in_place_of_the_tracked_one(ip, hostile):
    run(ip, FIT)
    run(ip, "%%track fit\nclf.fit(X, y)")
    saved = json.loads(repr(kernel.candidates()))["models"][0]["run"]
    fluent.service().log_artifact_bytes(saved["id"], hostile.file(), "models/clf.skops")
    result, out = run(ip, "%register clf churn")
    assert result.success, out
    version = ml.get_model_version("churn/1")
    assert version.run_id is None and version.artifact is None
    shown = ip.events_log[-1]  # after the tracked cell's summary
    assert "that file was not used" in shown["text/plain"]
    assert "mlops_lab_hostile_type.Marker" in shown["text/plain"]
    with pytest.raises(ml.InvalidInput, match="mlops_lab_hostile_type.Marker"):
        ml.register_model(name="churn", run_id=saved["id"], artifact="models/clf.skops")
    assert not hostile.written()


def test_an_emoji_from_the_toolbar_arrives_intact(ip):
    run(ip, FIT)
    # As the dialog sends it: the JSON document in a Python literal with \U escapes.
    literal = json.dumps(json.dumps({"variable": "clf", "name": "churn \U0001f600",
                                     "description": "caf\u00e9 \U0001f680"}))
    literal = literal.replace("\\ud83d\\ude00", "\\U0001f600").replace(
        "\\ud83d\\ude80", "\\U0001f680")
    doc = json.loads(repr(kernel.register(eval(literal))))  # noqa: S307 - a literal
    assert doc["ok"] and doc["name"] == "churn \U0001f600", doc
    # As older frontends sent it: each UTF-16 half escaped on its own.
    halves = '{"variable": "clf", "name": "churn \ud83d\ude00", "description": "x \ud83d\ude80"}'
    doc = json.loads(repr(kernel.register(halves)))
    assert doc["ok"] and doc["name"] == "churn \U0001f600" and doc["version"] == 2, doc
    assert ml.get_model_version("churn \U0001f600/2").description == "x \U0001f680"
    lone = json.loads(repr(kernel.register('{"variable": "clf", "name": "a\ud83d"}')))
    assert lone["ok"] is False and "not valid Unicode" in lone["error"]


PIPELINE_CELLS = [
    "%load_ext mlops_lab",
    FIT,
    "%%track fit\nfrom sklearn.ensemble import RandomForestClassifier\n"
    "tree = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y)",
    "%register tree forest",
]


@pytest.mark.parametrize("runner", ["papermill", "mlops-lab run"])
def test_register_under_papermill_links_the_tracked_run_not_the_pipeline(store_home, tmp_path,
                                                                          runner):
    from test_pipelines import notebook

    work = tmp_path / "work"
    notebook(work / "train.ipynb", *PIPELINE_CELLS)
    command = (["papermill", "train.ipynb", "out.ipynb", "-p", "alpha", "2"]
               if runner == "papermill" else
               [sys.executable, "-m", "mlops_lab.cli", "run", "train.ipynb", "--json"])
    if runner == "papermill":
        command[0] = str(Path(sys.executable).with_name("papermill"))
    done = subprocess.run(command, cwd=work, capture_output=True, text=True,
                          env=dict(os.environ), timeout=300)
    assert done.returncode == 0, (done.stdout, done.stderr)
    version = ml.get_model_version("forest/1")
    tracked = ml.get_run(version.run_id)
    assert tracked.name == "fit" and version.artifact == "models/tree.skops"
    assert version.trusted_types == ["sklearn.tree._tree.Tree"]
    assert version.params["tree.n_estimators"] == "3"
    if runner == "mlops-lab run":  # the tracked cell's run, a child of the pipeline's run
        pipeline_run = json.loads(done.stdout)
        assert pipeline_run["run_id"] and version.run_id != pipeline_run["run_id"]
        assert tracked.parent_run_id == pipeline_run["run_id"]


def test_candidates_show_the_saving_runs_metrics(ip):
    run(ip, "%%track fit\n" + FIT + "import mlops_lab as ml\n"
        "ml.log_metric('accuracy', 0.75)\nml.log_metric('loss', float('nan'))")
    (model,) = json.loads(repr(kernel.candidates()))["models"]
    assert model["run"]["name"] == "fit"
    metrics = model["run"]["metrics"]
    assert (metrics["accuracy"], metrics["loss"]) == (0.75, "NaN")  # valid JSON
    run(ip, "clf = LogisticRegression(C=0.1).fit(X, y)")  # no longer the run's model
    (model,) = json.loads(repr(kernel.candidates()))["models"]
    assert model["run"] is None and "changed after run 'fit'" in model["note"]


def test_check_names_the_columns_a_new_version_changes_before_it_registers(ip):
    run(ip, FIT + "import pandas as pd\n"
        "named = pd.DataFrame(X, columns=['age', 'income', 'tenure'])\n"
        "retyped = named.astype({'age': 'float32'})\n"
        "clf_named = LogisticRegression().fit(named, y)")
    first = {"variable": "clf", "name": "churn", "example": "X"}
    assert json.loads(repr(kernel.check(json.dumps(first)))) == {"ok": True,
                                                                   "signature_change": None}
    assert json.loads(repr(kernel.register(json.dumps(first))))["version"] == 1
    named = {"variable": "clf_named", "name": "churn", "example": "named"}
    change = json.loads(repr(kernel.check(json.dumps(named))))["signature_change"]
    assert change["version"] == 1
    assert change["added"] == ["age", "income", "tenure"]
    assert change["removed"] == ["f0", "f1", "f2"]
    assert "added age, income, tenure; removed f0, f1, f2" in change["message"]
    assert ml.list_model_versions("churn")[0].version == 1  # asking registered nothing
    assert json.loads(repr(kernel.register(json.dumps(named))))["version"] == 2
    again = {"variable": "clf_named", "name": "churn", "example": "retyped"}
    change = json.loads(repr(kernel.check(json.dumps(again))))["signature_change"]
    assert change["version"] == 2 and change["added"] == change["removed"] == []
    assert change["retyped"] == [{"name": "age", "from": "float64", "to": "float32"}]
    # No example: nothing to compare; a bad request is a clear error, not an exception.
    assert json.loads(repr(kernel.check(json.dumps({"variable": "clf", "name": "churn"}))))[
        "signature_change"] is None
    bad = json.loads(repr(kernel.check(json.dumps({"variable": "nope", "name": "churn"}))))
    assert bad["ok"] is False and "no variable 'nope'" in bad["error"]


def test_register_model_warns_of_other_input_columns(ip):
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    X = np.random.default_rng(0).random((40, 3))
    y = (X[:, 0] > 0.5).astype(int)
    ml.register_model(LogisticRegression().fit(X, y), "churn", input_example=X)
    named = pd.DataFrame(X, columns=["a", "b", "c"])
    with pytest.warns(ml.SignatureChangeWarning,
                      match=r"differ from version 1's: added a, b, c; removed f0, f1, f2\."):
        version = ml.register_model(LogisticRegression().fit(named, y), "churn",
                                    input_example=named)
    assert version.version == 2 and [c["name"] for c in version.signature["inputs"]] == [
        "a", "b", "c"]
