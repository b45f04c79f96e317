"""What the run view shows of an artifact, through a real Jupyter server on a real store: the
start of a text file, indented JSON, the first rows of a CSV and a Parquet table, a plotly
figure, an image (by its type), a notebook as static HTML, a model file with the card of the
version registered from it; and large, damaged or unknown files say why there is no preview."""

from __future__ import annotations

import io
import json

import nbformat
import pandas as pd
import plotly.graph_objects as go
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression

from mlops_lab.services import services_for
from mlops_lab.tracking import previews

from jupyter_server_fixtures import *  # noqa: F401,F403 - pytest-jupyter's, for this module


@pytest.fixture
def parts(store):
    return services_for(store)


@pytest.fixture
def jp_server_config(parts):
    # Depends on the store so the server and the test share it.
    return {"ServerApp": {"jpserver_extensions": {"mlops_lab": True}}}


def notebook_bytes() -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Churn model\n<script>alert(1)</script>"),
                nbformat.v4.new_code_cell("print('fitted')", outputs=[
                    nbformat.v4.new_output("stream", name="stdout", text="fitted\n")])]
    return nbformat.writes(nb).encode()


def test_each_kind_of_artifact_has_its_preview(fetch, jp_auth_header, parts):
    t = parts.tracking
    run = t.create_run(t.get_or_create_experiment("previews").id, name="fit")
    frame = pd.DataFrame({"age": range(30), "plan": ["free", "pro", "team"] * 10})
    parquet = io.BytesIO()
    frame.to_parquet(parquet)
    figure = go.Figure(go.Scatter(x=[0, 1], y=[0.7, 0.9], name="auc"))
    model = LogisticRegression().fit(frame[["age"]], [0, 1] * 15)
    files = {
        "notes.txt": b"trained on customers@3\n",
        "params.json": b'{"C": 2.0, "penalty": "l2"}',
        "broken.json": b'{"C": ',
        "data/sample.csv": frame.to_csv(index=False).encode(),
        "data/sample.parquet": parquet.getvalue(),
        "plots/auc.plotly.json": figure.to_json().encode(),
        "plots/roc.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
        "report.ipynb": notebook_bytes(),
        "model.skops": skops.io.dumps(model),
        "weights.bin": b"\0\1\2",
        "big.log": b"x" * (previews.TEXT_BYTES + 10),
    }
    for path, data in files.items():
        t.log_artifact_bytes(run.id, data, path)
    parts.models.register(name="churn", run_id=run.id, artifact="model.skops")

    def preview(path, status=200):
        response = fetch(f"runs/{run.id}/artifact-previews/{path}", jp_auth_header)
        assert response.code == status, response.body
        return json.loads(response.body)

    assert preview("notes.txt") == {"path": "notes.txt", "size": 23, "kind": "text",
                                    "text": "trained on customers@3\n", "truncated": False}
    assert preview("params.json")["text"] == '{\n  "C": 2.0,\n  "penalty": "l2"\n}'
    broken = preview("broken.json")
    assert broken["kind"] == "text" and broken["message"].startswith("Not valid JSON")
    csv = preview("data/sample.csv")
    assert (csv["kind"], csv["columns"], len(csv["rows"])) == ("table", ["age", "plan"], 20)
    assert csv["rows"][1] == [1, "pro"] and csv["total_rows"] is None
    table = preview("data/sample.parquet")
    assert (table["kind"], table["columns"], table["total_rows"]) == ("table", ["age", "plan"], 30)
    assert table["rows"][0] == [0, "free"] and len(table["rows"]) == 20
    plot = preview("plots/auc.plotly.json")
    assert plot["kind"] == "plotly" and plot["figure"]["data"][0]["name"] == "auc"
    assert preview("plots/roc.png")["media_type"] == "image/png"
    notebook = preview("report.ipynb")
    assert notebook["kind"] == "notebook" and "Churn model" in notebook["html"]
    assert "fitted" in notebook["html"]
    card = preview("model.skops")
    assert (card["kind"], card["format"]) == ("model", "skops")
    assert [(v["name"], v["version"]) for v in card["versions"]] == [("churn", 1)]
    assert "LogisticRegression" in card["versions"][0]["card"]
    unknown = preview("weights.bin")
    assert unknown["kind"] == "none" and "download it" in unknown["message"]
    big = preview("big.log")
    assert big["truncated"] is True and len(big["text"]) == previews.TEXT_BYTES
    assert preview("missing.txt", 404)["error"] == "NotFound"
    assert preview("..%2Fescape", 400)["error"] == "InvalidInput"


def test_a_damaged_table_says_so_rather_than_failing(parts):
    t = parts.tracking
    run = t.create_run(t.get_or_create_experiment("previews").id, name="fit")
    t.log_artifact_bytes(run.id, b"not a parquet file", "data.parquet")
    doc = t.artifact_preview(run.id, "data.parquet")
    assert doc["kind"] == "none" and doc["message"].startswith("This table could not be read")
