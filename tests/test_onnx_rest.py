"""ONNX export through the REST route and the CLI, on a real store: a version whose run read
a training snapshot is exported and verified on that snapshot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

from mlops_lab.services import services_for
from mlops_lab.store import open_store

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module

CLI = Path(sys.executable).with_name("mlops-lab")


class Odd(ClassifierMixin, BaseEstimator):
    """A custom estimator skl2onnx has no converter for."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return (np.asarray(X)[:, 0] > 15).astype(int)


@pytest.fixture
def parts(store_home):
    return services_for(open_store())


@pytest.fixture
def jp_server_config(parts):
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


@pytest.fixture
def trained(parts):
    """cancer/1: a logistic regression whose run read its training snapshot; odd/1: a model
    skl2onnx cannot convert."""
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    tracking = parts.tracking
    run = tracking.create_run(tracking.get_or_create_experiment("onnx").id, name="fit")
    snapshot = parts.datasets.snapshot(X, "cancer-train", show_progress=False)
    parts.datasets.load(snapshot.id, run_id=run.id)
    parts.models.register(LogisticRegression(max_iter=5000).fit(X, y), "cancer",
                          input_example=X[:5], run_id=run.id, alias="champion")
    parts.models.register(Odd().fit(X, y), "odd", input_example=X[:5], run_id=run.id)
    return X


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = os.environ.copy()  # the custom estimator's module, importable as in a notebook
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"),
                                                      str(Path(__file__).parent)]))
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def test_rest_exports_and_records_the_figures(fetch, jp_auth_header, trained):
    response = fetch("models/cancer/versions/1/onnx", headers=jp_auth_header, method="POST",
                     body="")
    assert response.code == 200, response.body
    doc = json.loads(response.body)
    check = doc["onnx"]["verification"]
    assert check["sources"] == ["training snapshot cancer-train@1"]
    assert check["rows_compared"] == len(trained) and check["passed"]
    # the version as every view reads it carries the record
    version = json.loads(fetch("models/cancer/versions/1", headers=jp_auth_header).body)
    assert version["onnx"]["blob"] == doc["onnx"]["blob"] and "## ONNX" in version["card"]


def test_rest_names_the_unsupported_step(fetch, jp_auth_header, trained):
    response = fetch("models/odd/versions/1/onnx", headers=jp_auth_header, method="POST",
                     body="")
    assert response.code == 400
    assert "Odd" in json.loads(response.body)["message"]
    assert json.loads(fetch("models/odd/versions/1", headers=jp_auth_header).body)["onnx"] is None


def test_rest_needs_credentials_and_a_real_version(fetch, jp_auth_header, trained):
    assert fetch("models/cancer/versions/1/onnx", method="POST", body="").code in (401, 403)
    assert fetch(f"models/{quote('no such', safe='')}/versions/1/onnx",
                 headers=jp_auth_header, method="POST", body="").code == 404
    assert fetch("models/cancer/versions/7/onnx", headers=jp_auth_header, method="POST",
                 body="").code == 404


def test_cli_exports_by_alias(tmp_path, trained):
    done = cli("models", "export", "cancer@champion", "--format", "onnx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cancer/1: ONNX file ")
    assert f"verified on {len(trained)} rows: labels agree 100.00%" in done.stdout
    shown = cli("models", "show", "cancer/1", cwd=tmp_path)
    assert "## ONNX" in shown.stdout and "verified | passed" in shown.stdout
    again = cli("models", "export", "cancer/1", "--json", cwd=tmp_path)
    assert json.loads(again.stdout)["onnx"]["verification"]["passed"] is True


def test_cli_refuses_clearly(tmp_path, trained):
    odd = cli("models", "export", "odd/1", cwd=tmp_path)
    assert odd.returncode == 2 and "Odd" in odd.stderr and "Traceback" not in odd.stderr
    other = cli("models", "export", "cancer/1", "--format", "pmml", cwd=tmp_path)
    assert other.returncode == 2 and "onnx" in other.stderr
