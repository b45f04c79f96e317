"""Reproducing a pipeline run: inputs checked (dataset snapshots still there), environment
compared, the same notebook snapshot re-executed with the same parameters, then metrics and
outputs compared. Real kernels and workers."""

from __future__ import annotations

import pandas as pd
import pytest

from mlops_lab.errors import Conflict, InvalidInput
from mlops_lab.pipelines.reproduce import ReproduceService
from mlops_lab.pipelines.service import PipelineService

from test_pipelines import clear_pipeline_tables, notebook


@pytest.fixture
def original(store, tmp_path):
    from mlops_lab.datasets.service import DatasetService

    clear_pipeline_tables(store)
    name = f"small-{tmp_path.name[-12:]}"
    version = DatasetService(store).snapshot(pd.DataFrame({"a": [1, 2, 3]}), name)
    nb = notebook(tmp_path / "work" / "fit.ipynb",
                  "import mlops_lab as ml\n"
                  "with ml.start_run('fit'):\n"
                  f"    df = ml.load_snapshot({name!r})\n"
                  "    ml.log_metric('rows', len(df) * alpha)\n"
                  "ml.output('n', len(df) + alpha)", parameters="alpha = 1")
    run = PipelineService(store).run_notebook(nb, {"alpha": 2})
    assert run.status == "SUCCEEDED", run.error
    # The notebook changes afterwards: reproducing uses the snapshot, not the file.
    nb.write_text("{ not a notebook any more")
    return run, version


def test_check_finds_the_inputs_and_the_environment(store, original):
    run, version = original
    check = ReproduceService(store).check(run.id)
    assert check["original"]["id"] == run.id
    assert [(i["kind"], i["ref"], i["exists"]) for i in check["inputs"]] == [
        ("snapshot", version.id, True)]
    assert check["environment_recorded"] is True
    assert check["environment_changes"] == {}
    assert check["problems"] == []


def test_reproduce_reexecutes_the_snapshot_and_compares(store, original):
    run, _ = original
    report = ReproduceService(store).reproduce(run.id)
    again = report["reproduction"]
    assert again["status"] == "SUCCEEDED" and again["reproduce_of"] == run.id
    assert again["parameters"] == {"alpha": 2}
    assert again["notebook_hash"] == run.notebook_hash
    comparison = report["comparison"]
    assert comparison["same"] is True and comparison["same_notebook"] is True
    assert comparison["outputs"] == [{"name": "n", "original": 5, "reproduction": 5,
                                      "same": True, "delta": 0}]
    assert {m["name"]: m["reproduction"] for m in comparison["metrics"]} == {"fit/rows": 6.0}
    assert ReproduceService(store).report(again["id"])["same"] is True


def test_a_tracked_run_made_inside_a_pipeline_run_reproduces_it(store, original):
    from mlops_lab.tracking.service import TrackingService

    run, _ = original
    runs = TrackingService(store).search_runs(filter="attributes.name = 'fit'").runs
    (child,) = [r for r in runs if r.parent_run_id == run.run_id]  # the notebook's own run
    assert ReproduceService(store).original(child.id).id == run.id
    assert ReproduceService(store).original(run.run_id).id == run.id


def test_a_gone_input_snapshot_stops_the_reproduction_unless_forced(store, original):
    run, version = original
    store.artifacts.delete(version.blob)
    check = ReproduceService(store).check(run.id)
    assert check["inputs"][0]["exists"] is False and check["problems"]
    with pytest.raises(Conflict, match="no longer exists"):
        ReproduceService(store).reproduce(run.id)
    assert PipelineService(store).list_runs(limit=10)[0].id == run.id  # nothing started
    forced = ReproduceService(store).reproduce(run.id, force=True)
    assert forced["reproduction"]["status"] == "FAILED"  # the notebook reads the lost data


def test_a_run_not_made_by_a_pipeline_cannot_be_reproduced(store):
    from mlops_lab.tracking.service import TrackingService

    clear_pipeline_tables(store)
    tracking = TrackingService(store)
    plain = tracking.create_run(tracking.get_or_create_experiment("plain").id, name="plain")
    with pytest.raises(InvalidInput, match="not made by a pipeline run"):
        ReproduceService(store).check(plain.id)
