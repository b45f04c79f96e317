"""%%track cells executed on a real kernel (nbclient), then the store read from this process."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from mlops_lab.tracking import fluent

CELLS = [
    "%load_ext mlops_lab",
    "%%track first -e kernel\nlr = 0.1\nimport mlops_lab as ml\nml.log_metric('acc', 0.5)\nlr * 10",
    "%%track model -e kernel\nfrom sklearn.linear_model import LogisticRegression\n"
    "clf = LogisticRegression(C=2.0).fit([[0.0], [1.0]], [0, 1])",
    "%%track <img src=x onerror=alert(1)> -e kernel\nraise ValueError('boom')",
    "after_the_error = True",
]


def execute(path, cwd):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nbformat.write(nb, path)
    client = NotebookClient(nb, kernel_name="python3", timeout=120,
                            resources={"metadata": {"path": str(cwd)}})
    with pytest.raises(CellExecutionError) as failure:
        client.execute()
    return nb, failure.value


def test_tracked_cells_on_a_kernel(store_home, tmp_path, monkeypatch):
    path = tmp_path / "train.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))  # what the Jupyter server tells a kernel
    nb, error = execute(path, tmp_path)  # the kernel inherits MLOPS_LAB_HOME: the same store
    runs = [fluent.get_run(r.id) for r in fluent.search_runs(
        experiment="kernel", order_by=["attributes.start_time asc"]).runs]

    # The store, as the kernel left it.
    first, model, failed = runs
    assert [r.status for r in runs] == ["FINISHED", "FINISHED", "FAILED"]
    assert first.name == "first" and first.params == {"lr": "0.1"} and first.metrics == {"acc": 0.5}
    assert first.source["notebook"] == str(path) and first.source["execution_count"] == 2
    assert first.source["cell"] == CELLS[1].split("\n", 1)[1] + "\n"  # IPython ends a body with \n
    assert "git" in first.environment and first.environment["python"]
    assert first.duration_ms >= 0 and first.end_time >= first.start_time
    assert model.params["clf.C"] == "2.0"
    assert [a.path for a in fluent.service().list_artifacts(model.id)] == ["models/clf.skops"]
    assert failed.name == "<img src=x onerror=alert(1)>" and failed.error == "ValueError: boom"

    # The outputs, in order: the cell's own result first, then the summary.
    first_out = nb.cells[1].outputs
    assert [o.output_type for o in first_out] == ["execute_result", "display_data"]
    assert first_out[0].data["text/plain"] == "1.0" and first_out[0].execution_count == 2
    assert first.id in first_out[1].data["text/plain"]

    failing = nb.cells[3].outputs
    assert [o.output_type for o in failing] == ["error", "display_data"]
    assert failing[0].ename == "ValueError" and failing[0].evalue == "boom"
    assert not any("run_cell_magic" in line or "magics.py" in line for line in failing[0].traceback)
    summary = failing[1].data["text/html"]
    assert "<img" not in summary and "&lt;img src=x onerror=alert(1)&gt;" in summary
    # The kernel reported the cell as failed, as without the magic: execution stopped there.
    assert error.ename == "ValueError" and nb.cells[4].get("execution_count") is None
    nbformat.validate(nb)
