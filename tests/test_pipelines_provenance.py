"""Where a pipeline run's records say they come from: `%%track` cells inside it name their
notebook (relative to the store's root), the output notebook names the notebook that was run
rather than the worker's deleted temporary copy, and runs of two `train.ipynb` differ."""

from __future__ import annotations

import json
from pathlib import Path

from mlops_lab.tracking.service import TrackingService

from test_pipelines import notebook, pipelines  # noqa: F401 - fixture

TRACKED = "%load_ext mlops_lab"


def two_trains(root: Path) -> list[Path]:
    return [notebook(root / folder / "train.ipynb", TRACKED,
                     "%%track fit\nimport mlops_lab as ml\nml.log_metric('m', alpha)")
            for folder in ("jobs", "experiments/v2")]


def test_cells_name_their_notebook_and_runs_of_two_train_notebooks_differ(pipelines, store,
                                                                             store_home):
    root = store_home.parent  # the folder holding `.mlops-lab`
    tracking = TrackingService(store)
    names = []
    for path in two_trains(root):
        run = pipelines.run_notebook(path)
        assert run.status == "SUCCEEDED", run.error
        where = path.relative_to(root).as_posix()
        outer = tracking.get_run(run.run_id)
        assert outer.name == where and outer.source["notebook"] == where
        cells = [r for r in (tracking.get_run(x.id) for x in tracking.search_runs().runs)
                 if r.parent_run_id == outer.id]
        assert [c.source["notebook"] for c in cells] == [where]
        names.append(outer.name)
    assert names == ["jobs/train.ipynb", "experiments/v2/train.ipynb"]


def test_the_output_notebook_names_the_notebook_that_was_run(pipelines, store_home):
    path = notebook(store_home.parent / "jobs" / "report.ipynb", "print(alpha)")
    run = pipelines.run_notebook(path, {"alpha": 2})
    assert run.status == "SUCCEEDED", run.error
    for doc in (json.loads(pipelines.output_notebook(run.id)),
                json.loads(Path(run.output_notebook).read_text())):
        meta = doc["metadata"]["papermill"]
        assert meta["input_path"] == str(path) and Path(meta["input_path"]).is_file()
        assert meta["output_path"] == run.output_notebook
        assert meta["parameters"] == {"alpha": 2}
