"""`mlops-lab package --runtime onnx` and `--edge`: the folders are installed into a fresh
virtualenv (pip, the machine's index) and serve or score with no scikit-learn installed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

from mlops_lab.errors import InvalidInput
from mlops_lab.services import services_for
from mlops_lab.store import open_store

CLI = Path(sys.executable).with_name("mlops-lab")


@pytest.fixture
def parts(store_home):
    return services_for(open_store())


@pytest.fixture
def cancer(parts):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    clf = LogisticRegression(max_iter=5000).fit(X, y)
    parts.models.register(clf, "cancer", input_example=X, alias="champion", onnx=True)
    parts.models.register(clf, "plain", input_example=X[:5])
    return X, clf


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    """A new virtualenv with nothing installed in it yet."""
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    return folder / "bin" / "python"


def pip_install(python: Path, requirements: Path) -> None:
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(requirements)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_onnx_context_serves_from_a_fresh_venv_without_scikit_learn(tmp_path, parts, cancer,
                                                                    fresh_venv):
    X, clf = cancer
    out = tmp_path / "ctx"
    done = subprocess.run([str(CLI), "package", "cancer@champion", "--runtime", "onnx",
                           "-o", str(out), "--json"], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    names = {line.split("==")[0] for line in summary["requirements"]}
    assert "onnxruntime" in names and "starlette" in names and "uvicorn" in names
    assert not names & {"scikit-learn", "skops", "pandas", "scipy"}
    assert "model.onnx" in summary["files"] and "model.skops" not in summary["files"]
    assert "skops" not in (out / "Dockerfile").read_text()

    pip_install(fresh_venv, out / "requirements.txt")
    port = free_port()
    proc = subprocess.Popen([str(fresh_venv), "serve.py", "--port", str(port)], cwd=out,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the packaged server did not start"
            time.sleep(0.05)
        answer = httpx.post(f"http://127.0.0.1:{port}/predict",
                            json={"records": X[:4].to_dict(orient="records")}).json()
        assert answer["predictions"] == clf.predict(X[:4]).tolist()
    finally:
        proc.terminate()
        proc.wait(30)
    has_sklearn = subprocess.run([str(fresh_venv), "-c", "import sklearn"],
                                 capture_output=True)
    assert has_sklearn.returncode != 0  # it served with scikit-learn not even installed


def test_edge_folder_scores_with_onnxruntime_only(tmp_path, parts, cancer, fresh_venv):
    X, clf = cancer
    out = tmp_path / "edge"
    result = parts.serving.package("cancer@champion", out, edge=True)
    assert result["files"] == ["MODEL_CARD.md", "client.py", "model.onnx", "requirements.txt",
                               "signature.json"]
    signature = json.loads((out / "signature.json").read_text())
    assert signature["layout"] == "matrix" and signature["classes"] == [0, 1]
    assert signature["verification"]["passed"] is True
    assert "## ONNX" in (out / "MODEL_CARD.md").read_text()
    pip_install(fresh_venv, out / "requirements.txt")
    rows = json.dumps({"records": X[:3].to_dict(orient="records")})
    done = subprocess.run([str(fresh_venv), str(out / "client.py"), rows],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["predictions"] == clf.predict(X[:3]).tolist()
    assert len(answer["probabilities"]) == 3


def test_packaging_onnx_needs_a_verified_onnx_file(tmp_path, parts, cancer):
    with pytest.raises(InvalidInput, match="no verified ONNX file"):
        parts.serving.package("plain/1", tmp_path / "a", runtime="onnx")
    with pytest.raises(InvalidInput, match="no verified ONNX file"):
        parts.serving.package("plain/1", tmp_path / "b", edge=True)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    # auto packages the skops file of a version without one
    auto = parts.serving.package("plain/1", tmp_path / "c", runtime="auto")
    assert "model.skops" in auto["files"]
