"""`%register` on an in-process IPython shell, and the kernel helper behind the toolbar's
"Register model" button, against the real store."""

from __future__ import annotations

import json

import pytest
from IPython.utils.capture import capture_output

import mlops_lab as ml
from mlops_lab.registry import kernel
from mlops_lab.tracking import fluent

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


def test_register_after_a_tracked_cell_reuses_its_run_and_file(ip):
    run(ip, "%%track fit\n" + FIT)
    assert json.loads(repr(kernel.candidates()))["models"][0]["run"]["name"] == "fit"
    result, out = run(ip, "%register clf churn -x X")
    assert result.success, out
    version = ml.get_model_version("churn/1")
    run_ = ml.get_run(version.run_id)
    assert run_.name == "fit" and version.artifact == "models/clf.skops"
    (artifact,) = [a for a in fluent.service().list_artifacts(run_.id)
                   if a.path == "models/clf.skops"]
    assert version.blob == artifact.blob  # the run's file, not a copy
    assert version.signature["inputs"][0] == {"name": "f0", "dtype": "float64"}
    # Refitted outside a tracked cell: no longer the run's model, so no lineage is claimed.
    run(ip, "clf = LogisticRegression(C=0.1).fit(X, y)")
    result, out = run(ip, "%register clf churn")
    assert result.success, out
    refit = ml.get_model_version("churn/2")
    assert refit.run_id is None and refit.artifact is None and refit.blob != version.blob
