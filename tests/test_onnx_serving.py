"""`mlops-lab serve --runtime onnx|auto` as a real process: the same API, validation, log and
hot swap, answered by onnxruntime from the version's verified ONNX file, and a process that
never imports scikit-learn (read from `python -X importtime`, which names every import)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import httpx
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlops_lab.services import services_for
from mlops_lab.store import open_store
from test_serving_server import answering, free_port


@pytest.fixture
def parts(store_home):
    return services_for(open_store())


class Server:
    def __init__(self, url: str, proc, stderr_path):
        self.url, self.proc, self.stderr_path = url, proc, stderr_path

    def imported(self) -> set[str]:
        """Top-level packages the server process imported so far (-X importtime lines)."""
        found = set()
        for line in self.stderr_path.read_text().splitlines():
            if line.startswith("import time:") and "|" in line:
                found.add(line.rsplit("|", 1)[1].strip().split(".")[0])
        return found

    def log(self) -> str:
        return self.stderr_path.read_text()


@contextlib.contextmanager
def serving(ref: str, tmp_path, *args: str):
    """`python -X importtime -m mlops_lab.cli serve REF` in a subprocess, once /health
    answers."""
    port = free_port()
    stderr_path = tmp_path / f"serve-{port}.log"
    with open(stderr_path, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-X", "importtime", "-m", "mlops_lab.cli", "serve", ref, "--port",
             str(port), "--poll", "0.2", *args],
            stdout=subprocess.DEVNULL, stderr=err, env=dict(os.environ))
    with answering(proc, port, lambda: stderr_path.read_text()[-3000:]) as url:
        yield Server(url, proc, stderr_path)


def until(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_onnx_runtime_serves_without_scikit_learn(parts, tmp_path):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    clf = LogisticRegression(max_iter=5000).fit(X, y)
    parts.models.register(clf, "cancer", input_example=X, alias="champion", onnx=True)
    records = X[:3].to_dict(orient="records")
    with serving("cancer@champion", tmp_path, "--runtime", "onnx") as server:
        answer = httpx.post(f"{server.url}/predict",
                            json={"records": records, "probabilities": True}).json()
        assert answer["predictions"] == clf.predict(X[:3]).tolist()
        assert answer["classes"] == [0, 1]
        assert np.allclose(answer["probabilities"], clf.predict_proba(X[:3]), atol=1e-4)
        meta = httpx.get(f"{server.url}/metadata").json()
        assert meta["runtime"] == "onnx"
        assert meta["model_class"] == "sklearn.linear_model._logistic.LogisticRegression"
        # validation against the signature is the same as with skops
        bad = httpx.post(f"{server.url}/predict", json={"records": [{"mean radius": 1.0}]})
        assert bad.status_code == 422 and "mean texture" in bad.json()["message"]
        # the prediction log reaches the store
        until(lambda: parts.serving.prediction_logs("cancer"), "no prediction was logged")
        metrics = httpx.get(f"{server.url}/metrics").text
        assert "mlops_lab" in metrics
        imported = server.imported()
    assert "onnxruntime" in imported
    assert "sklearn" not in imported and "skops" not in imported


def test_onnx_runtime_takes_text_columns(parts, tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"age": rng.integers(18, 80, 200).astype(float),
                          "plan": rng.choice(["basic", "pro"], 200)})
    churned = ((frame.age > 50) ^ (frame.plan == "pro")).astype(int)
    pipe = make_pipeline(ColumnTransformer([("n", StandardScaler(), ["age"]),
                                            ("c", OneHotEncoder(), ["plan"])]),
                         LogisticRegression()).fit(frame, churned)
    parts.models.register(pipe, "mixed", input_example=frame, onnx=True)
    with serving("mixed/1", tmp_path, "--runtime", "auto") as server:
        answer = httpx.post(f"{server.url}/predict", json={"columns": {
            "age": [30.0, 70.0], "plan": ["pro", "basic"]}}).json()
        assert answer["predictions"] == pipe.predict(pd.DataFrame(
            {"age": [30.0, 70.0], "plan": ["pro", "basic"]})).tolist()
        assert httpx.get(f"{server.url}/metadata").json()["runtime"] == "onnx"


def test_hot_swap_follows_the_alias_and_falls_back_under_auto(parts, tmp_path):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    first = LogisticRegression(max_iter=5000).fit(X, y)
    parts.models.register(first, "swap", input_example=X, alias="champion", onnx=True)
    parts.models.register(LogisticRegression(max_iter=5000).fit(X, 1 - y), "swap",
                          input_example=X, onnx=True)
    parts.models.register(first, "swap", input_example=X[:5])  # version 3: no ONNX file
    row = {"records": X[:1].to_dict(orient="records")}
    with serving("swap@champion", tmp_path, "--runtime", "onnx") as server:
        parts.models.set_alias("swap", "champion", 2)
        until(lambda: httpx.get(f"{server.url}/health").json()["version"] == 2,
              "the server did not swap to version 2")
        assert httpx.post(f"{server.url}/predict", json=row).json()["predictions"] == \
            (1 - y[:1]).tolist()
        parts.models.set_alias("swap", "champion", 3)  # no ONNX file: onnx keeps version 2
        until(lambda: "has no verified ONNX file" in server.log(),
              "the refusal to switch was not logged")
        assert httpx.get(f"{server.url}/health").json()["version"] == 2
        assert "sklearn" not in server.imported()
    parts.models.set_alias("swap", "champion", 1)
    with serving("swap@champion", tmp_path, "--runtime", "auto") as server:
        parts.models.set_alias("swap", "champion", 3)  # auto: skops, said in the log
        until(lambda: httpx.get(f"{server.url}/health").json()["version"] == 3,
              "the server did not swap to version 3")
        assert "serving it with skops" in server.log()
        assert httpx.get(f"{server.url}/metadata").json()["runtime"] == "skops"


def test_onnx_runtime_refuses_a_version_without_onnx_or_tampered(parts, tmp_path):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    parts.models.register(LogisticRegression(max_iter=5000).fit(X, y), "plain",
                          input_example=X[:5])
    done = subprocess.run([sys.executable, "-m", "mlops_lab.cli", "serve", "plain/1",
                           "--runtime", "onnx", "--port", str(free_port())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "has no verified ONNX file" in done.stderr
    mv = parts.models.register(LogisticRegression(max_iter=5000).fit(X, y), "tampered",
                               input_example=X, onnx=True)
    with open(parts.store.artifacts._path(mv.onnx["blob"]), "r+b") as f:
        f.seek(50)
        f.write(b"\xff\xfe")
    done = subprocess.run([sys.executable, "-m", "mlops_lab.cli", "serve", "tampered/1",
                           "--runtime", "onnx", "--port", str(free_port())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "no longer match the hash" in done.stderr
