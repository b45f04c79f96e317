"""Notebooks shaped like scikit-learn gallery examples (tests/notebooks/gallery/), run as a user
runs them: under papermill, and as pipeline runs with `mlops-lab run`. The records are checked:
each `%%track` cell is a run with its params and metrics, a child of the pipeline's run, naming
its notebook; the pipeline's run records every parameter, given or default."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GALLERY = Path(__file__).parent / "notebooks" / "gallery"

# notebook -> (a parameter to override and its value, {tracked run: (a param, a metric)}, output)
NOTEBOOKS = {
    "cross_val_predict.ipynb": (("cv", 4), {"cv-predict": ("lr.fit_intercept", "r2_cv")},
                                "r2_cv"),
    "ols_ridge.ipynb": (("alpha", 2.0), {"ols": ("ols.fit_intercept", "test_mse"),
                                         "ridge": ("ridge.alpha", "test_mse")}, "coef"),
    "voting_regressor.ipynb": (("n_estimators", 5), {"voting": ("ereg.weights", "train_r2")},
                               "first_predictions"),
    "permutation_importance.ipynb": (("n_repeats", 2),
                                     {"forest": ("rf.n_estimators", "test_accuracy")},
                                     "top_features"),
    "grid_search_digits.ipynb": (("cv", 2), {"grid-search": ("grid.cv", "best_cv_accuracy")},
                                 "best_params"),
}


@pytest.fixture
def tracking(store_home):
    from mlops_lab.store import open_store
    from mlops_lab.tracking.service import TrackingService

    return TrackingService(open_store())


def copy_gallery(folder: Path) -> Path:
    shutil.copytree(GALLERY, folder)
    return folder


def cell_runs(tracking, parent: str | None = None) -> dict:
    """The runs `%%track` cells made directly under `parent` (a search's candidates are their
    children; a search leaves out the source, `get_run` has it)."""
    found = (tracking.get_run(r.id) for r in tracking.search_runs(max_results=1000).runs)
    return {r.name: r for r in found
            if r.source.get("kind") == "cell" and r.parent_run_id == parent}


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_gallery_notebook_under_papermill_records_its_tracked_cells(name, tracking, tmp_path):
    import papermill as pm

    folder = copy_gallery(tmp_path / "gallery")
    (param, value), expected, _ = NOTEBOOKS[name]
    pm.execute_notebook(str(folder / name), str(tmp_path / "out.ipynb"),
                        parameters={param: value}, cwd=str(folder), progress_bar=False)
    runs = cell_runs(tracking)
    assert set(runs) == set(expected)
    for run_name, (param_key, metric) in expected.items():
        run = runs[run_name]
        assert run.status == "FINISHED" and run.parent_run_id is None
        assert param_key in run.params and metric in run.metrics, (run.params, run.metrics)


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_gallery_notebook_under_mlops_lab_run_records_children_of_the_pipeline_run(
        name, tracking, tmp_path):
    from papermill.inspection import inspect_notebook

    folder = copy_gallery(tmp_path / "gallery")
    (param, value), expected, output = NOTEBOOKS[name]
    done = subprocess.run([sys.executable, "-m", "mlops_lab.cli", "run", name, "-p", param,
                           str(value), "--json"], cwd=folder, capture_output=True, text=True,
                          env=dict(os.environ), timeout=300)
    assert done.returncode == 0, (done.stdout, done.stderr)
    pipeline_run = json.loads(done.stdout)
    assert pipeline_run["status"] == "SUCCEEDED" and output in pipeline_run["outputs"]
    assert pipeline_run["parameters"] == {param: value}
    effective = pipeline_run["effective_parameters"]
    assert effective[param] == {"value": value, "from": "given", "text": repr(value)}
    assert set(effective) == set(inspect_notebook(str(folder / name)))
    assert all(info["from"] == "default" for key, info in effective.items() if key != param)
    outer = tracking.get_run(pipeline_run["run_id"])
    assert outer.status == "FINISHED" and outer.params[param] == json.dumps(value)
    assert set(outer.params) == set(effective)  # the defaults are recorded too
    assert json.loads(outer.tags["mlops_lab.parameter_sources"]) == {
        key: info["from"] for key, info in effective.items()}
    assert outer.name == f"gallery/{name}"
    runs = cell_runs(tracking, parent=outer.id)
    assert set(runs) == set(expected)
    for run_name, (param_key, metric) in expected.items():
        run = runs[run_name]
        assert run.status == "FINISHED" and run.source["notebook"] == f"gallery/{name}"
        assert param_key in run.params and metric in run.metrics, (run.params, run.metrics)
