"""Every notebook in example_notebooks/ (and its sub-folders) runs top to bottom on a real
kernel and records runs.

Each notebook is executed by papermill in a temporary copy of the folder, in the notebook's own
folder, with the store in a temporary MLOPS_LAB_HOME, exactly as a user running it would write
to `.mlops-lab/`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import papermill
import pytest

from mlops_lab.store import open_store
from mlops_lab.tracking.service import TrackingService

EXAMPLES = Path(__file__).resolve().parent.parent / "example_notebooks"
# Executed copies (`mlops-lab run` writes them to <name>.runs/) are outputs, not examples.
NOTEBOOKS = sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.ipynb")
                   if not any(part.endswith((".runs", ".ipynb_checkpoints"))
                              for part in p.relative_to(EXAMPLES).parts))


def test_there_are_example_notebooks():
    assert NOTEBOOKS, f"no notebooks found in {EXAMPLES}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_example_notebook_runs_and_records_runs(notebook, tmp_path, monkeypatch):
    work = tmp_path / "work"
    shutil.copytree(EXAMPLES, work, ignore=shutil.ignore_patterns(".mlops-lab", ".ipynb_checkpoints",
                                                                  "*.runs"))
    home = tmp_path / "home"
    # The kernel inherits this environment: it and the assertions below use the same store.
    monkeypatch.setenv("MLOPS_LAB_HOME", str(home))
    monkeypatch.delenv("MLOPS_LAB_URI", raising=False)
    monkeypatch.delenv("MLOPS_LAB_ARTIFACTS", raising=False)

    papermill.execute_notebook(
        str(work / notebook),
        str(tmp_path / f"out-{notebook.replace('/', '-')}"),
        cwd=str((work / notebook).parent),
        kernel_name="python3",
        progress_bar=False,
        execution_timeout=240,
    )

    service = TrackingService(open_store(f"sqlite:///{home / 'mlops.db'}", str(home / "artifacts")))
    runs = service.search_runs(max_results=1000).runs
    assert runs, f"{notebook} recorded no runs"
    assert {r.status for r in runs} == {"FINISHED"}, [(r.name, r.status, r.error) for r in runs]
    assert any(r.metrics for r in runs), f"{notebook} recorded runs without metrics"
    if "%%track" in (EXAMPLES / notebook).read_text(encoding="utf-8"):
        full_runs = [service.get_run(r.id) for r in runs]
        tracked = [r for r in full_runs if r.source.get("kind") == "cell"]
        assert tracked, f"{notebook} has %%track cells but no run recorded a cell"
        assert all(r.params and r.source.get("cell_hash") for r in tracked)
    assert not list(work.rglob(".mlops-lab")), "the notebook wrote a store outside MLOPS_LAB_HOME"
