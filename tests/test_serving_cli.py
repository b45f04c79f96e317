"""`mlops-lab predict` (batch scoring) and `mlops-lab package` (a container build context that
a fresh virtual environment installs and serves from)."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time

import httpx
import numpy as np
import pandas as pd
import pytest

from mlops_lab.cli import main


@pytest.fixture
def iris_model(store_home):
    """A registered iris classifier (champion), its training frame and the fitted model."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    from mlops_lab.models import api

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=500).fit(X, y)
    api.register_model(model, "iris", input_example=X.head(5), alias="champion")
    return X, model


def test_predict_scores_csv_in_chunks_into_parquet(iris_model, tmp_path, capsys):
    X, model = iris_model
    source = tmp_path / "in.csv"
    X.assign(id=range(len(X))).to_csv(source, index=False)
    out = tmp_path / "scored.parquet"
    assert main(["predict", "iris@champion", str(source), "-o", str(out),
                 "--chunk-rows", "40"]) == 0
    printed = capsys.readouterr()
    assert "rows" in printed.out and "150" in printed.out
    assert "ignored by the model (kept in the output): id" in printed.err
    assert "scoring" in printed.err  # the progress bar
    scored = pd.read_parquet(out)
    assert len(scored) == 150 and list(scored.columns) == [*X.columns, "id", "prediction"]
    assert scored["prediction"].tolist() == model.predict(X).tolist()
    assert scored["id"].tolist() == list(range(150))


def test_predict_scores_parquet_and_prints_json(iris_model, tmp_path, capsys):
    X, model = iris_model
    source = tmp_path / "in.parquet"
    X.to_parquet(source)
    out = tmp_path / "scored.parquet"
    assert main(["predict", "iris/1", str(source), "-o", str(out), "--chunk-rows", "64",
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == 150 and summary["ref"] == "iris/1"
    assert np.array_equal(pd.read_parquet(out)["prediction"], model.predict(X))


def test_a_bad_row_fails_the_whole_file_naming_its_row_and_writes_nothing(iris_model, tmp_path,
                                                                          capsys):
    X, _ = iris_model
    frame = X.astype(object)
    frame.iloc[97, 1] = "oops"
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    out = tmp_path / "out" / "scored.parquet"
    out.parent.mkdir()
    assert main(["predict", "iris@champion", str(source), "-o", str(out), "--chunk-rows", "40",
                 "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "Column 'sepal width (cm)', row 97: expected a number (float64), got the text 'oops'" in err
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no temp file left


def test_predict_adds_class_probabilities_and_keeps_explicit_nulls_apart(iris_model, tmp_path,
                                                                         capsys):
    X, model = iris_model
    source = tmp_path / "in.parquet"
    X.head(10).to_parquet(source)
    out = tmp_path / "scored.parquet"
    assert main(["predict", "iris@champion", str(source), "-o", str(out), "--probabilities",
                 "--no-progress"]) == 0
    assert "probability_0, probability_1, probability_2" in capsys.readouterr().out
    scored = pd.read_parquet(out)
    assert list(scored.columns)[-4:] == ["prediction", "probability_0", "probability_1",
                                         "probability_2"]
    assert np.allclose(scored[["probability_0", "probability_1", "probability_2"]],
                       model.predict_proba(X.head(10)))


def test_predict_refuses_what_it_cannot_do(iris_model, tmp_path, capsys):
    X, _ = iris_model
    source = tmp_path / "in.csv"
    X.to_csv(source, index=False)
    assert main(["predict", "iris@champion", str(source), "-o", str(tmp_path / "o.csv")]) == 2
    assert "name it *.parquet" in capsys.readouterr().err
    assert main(["predict", "iris@champion", str(tmp_path / "nope.csv"), "-o",
                 str(tmp_path / "o.parquet")]) == 2
    assert "No input file" in capsys.readouterr().err
    assert main(["predict", "iris@nobody", str(source), "-o", str(tmp_path / "o.parquet")]) == 1
    assert "has no alias 'nobody'" in capsys.readouterr().err
    X.drop(columns=X.columns[0]).to_csv(source, index=False)
    assert main(["predict", "iris@champion", str(source), "-o", str(tmp_path / "o.parquet")]) == 2
    assert "Missing column(s) 'sepal length (cm)'" in capsys.readouterr().err


def test_package_writes_a_build_context_and_refuses_to_overwrite(iris_model, tmp_path, capsys):
    out = tmp_path / "ctx"
    assert main(["package", "iris@champion", "-o", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ref"] == "iris/1"
    names = set(summary["files"])
    assert {"Dockerfile", "requirements.txt", "model.skops", "model.json", "serve.py",
            "serving_runtime/app.py", "serving_runtime/validation.py",
            "serving_runtime/skops_import.py"} <= names
    dockerfile = (out / "Dockerfile").read_text()
    assert "FROM python:3." in dockerfile and "-slim" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile and "EXPOSE 8080" in dockerfile
    assert 'CMD ["python", "serve.py"' in dockerfile
    pins = (out / "requirements.txt").read_text().split()
    assert all("==" in line for line in pins)
    assert {p.split("==")[0] for p in pins} >= {"scikit-learn", "skops", "numpy", "pandas",
                                                  "starlette", "uvicorn", "prometheus-client"}
    assert main(["package", "iris@champion", "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_package_makes_the_missing_parents_of_its_folder(iris_model, tmp_path, capsys):
    out = tmp_path / "build" / "nested" / "iris"  # neither build/ nor nested/ exists
    assert main(["package", "iris@champion", "-o", str(out)]) == 0
    assert (out / "Dockerfile").is_file() and (out / "model.skops").is_file()
    assert [p.name for p in (tmp_path / "build" / "nested").iterdir()] == ["iris"]  # no staging
    (tmp_path / "file").write_text("x")
    assert main(["package", "iris@champion", "-o", str(tmp_path / "file" / "ctx")]) == 2
    err = capsys.readouterr().err
    assert "part of that path is a file" in err and "Traceback" not in err


def test_the_context_installs_in_a_fresh_venv_and_serves(iris_model, tmp_path):
    """The test the container build stands for (no Docker engine here): a fresh virtual
    environment installs the context's pinned requirements and serves from its entrypoint."""
    X, model = iris_model
    ctx = tmp_path / "ctx"
    assert main(["package", "iris@champion", "-o", str(ctx)]) == 0
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check",
                              "-q", "-r", str(ctx / "requirements.txt")],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLOPS_LAB")}
    env.pop("PYTHONPATH", None)
    # The image's build step that keeps skops's list of estimators, run as the Dockerfile does.
    env["XDG_CACHE_HOME"] = str(tmp_path / "image-cache")
    [warm] = [line for line in (ctx / "Dockerfile").read_text().splitlines()
              if line.startswith("RUN python -c")]
    subprocess.run([str(python), *shlex.split(warm)[2:]], cwd=ctx, env=env, check=True,
                   timeout=300)
    assert list((tmp_path / "image-cache" / "mlops-lab").glob("skops-sklearn-types-*.json"))
    proc = subprocess.Popen([str(python), "serve.py", "--host", "127.0.0.1", "--port", str(port),
                             "--probabilities"],
                            cwd=ctx, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                r = httpx.post(f"{url}/predict", json={"records": X.head(3).to_dict("records")},
                               timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the packaged server did not answer"
                time.sleep(0.1)
        assert r.status_code == 200, r.text
        assert r.json()["predictions"] == model.predict(X.head(3)).tolist()
        assert r.json()["version"] == 1
        assert r.json()["classes"] == [0, 1, 2]
        assert np.allclose(r.json()["probabilities"], model.predict_proba(X.head(3)))
        bad = httpx.post(f"{url}/predict", json={"records": [{"nope": 1}]}, timeout=5)
        assert bad.status_code == 422 and "Unknown column(s) 'nope'" in bad.json()["message"]
        assert "mlops_lab_requests_total" in httpx.get(f"{url}/metrics", timeout=5).text
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    # the container's prediction log: one JSON line per answered request, on stdout
    logged = [json.loads(line)["prediction_log"] for line in out.splitlines()
              if line.startswith('{"prediction_log"')]
    assert len(logged) == 1 and logged[0]["outputs"] == model.predict(X.head(3)).tolist()
    # the packaged copy runs without mlops_lab: nothing imported it
    check = subprocess.run([str(python), "-c", "import mlops_lab"], capture_output=True, cwd=ctx,
                           env=env)
    assert check.returncode != 0


@pytest.mark.parametrize("command", ["serve", "predict", "package"])
def test_every_serving_command_has_help_with_examples(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "examples:" in text and f"mlops-lab {command} " in text


def test_python_api_scores_and_packages(iris_model, tmp_path):
    import mlops_lab as ml

    X, model = iris_model
    X.to_parquet(tmp_path / "in.parquet")
    result = ml.score_file("iris@champion", tmp_path / "in.parquet", tmp_path / "out.parquet",
                           progress=False)
    assert result.rows == 150
    assert pd.read_parquet(tmp_path / "out.parquet")["prediction"].tolist() == \
        model.predict(X).tolist()
    assert "serve.py" in ml.package_model("iris/1", tmp_path / "build" / "ctx")["files"]
    assert ml.prediction_logs("iris") == []  # batch scoring is not request traffic
