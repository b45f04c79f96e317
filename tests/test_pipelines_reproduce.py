"""Reproducing a pipeline run: inputs checked (dataset snapshots still there), environment
compared, the same notebook snapshot re-executed with the same parameters, then metrics and
outputs compared. Real kernels and workers."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from mlops_lab.errors import Conflict, InvalidInput
from mlops_lab.pipelines.reproduce.service import ReproduceService
from mlops_lab.pipelines.runs.service import PipelineService

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
    assert comparison["verdict"] == "reproduced", comparison["differences"]
    assert comparison["same_notebook"] is True and comparison["differences"] == []
    # the output, the notebook's run's metric and the cell's displayed result
    assert comparison["counts"] == {"output": 1, "metric": 1, "cell output": 1}
    assert comparison["summary"] == "reproduced: 3 things compared, all equal"
    assert ReproduceService(store).report(again["id"])["verdict"] == "reproduced"


DRIFTING = """\
import datetime, pathlib, tempfile
import mlops_lab as ml
score = float(pathlib.Path('data.txt').read_text())
ml.output('score', score)
print('score', score)"""
TRACKED = """\
%%track
seen = score * 2
ml.log_metric('seen', seen)
print('fitted at', datetime.datetime.now(), 'in', tempfile.mkdtemp(), object())"""


def test_a_rerun_that_reads_changed_data_differs_and_says_what(store, tmp_path):
    clear_pipeline_tables(store)
    (tmp_path / "data.txt").write_text("0.5")
    nb = notebook(tmp_path / "drift.ipynb", "%load_ext mlops_lab", DRIFTING, TRACKED,
                  "with ml.start_run():\n    ml.log_metric('seen', seen)")
    run = PipelineService(store).run_notebook(nb)
    assert run.status == "SUCCEEDED", run.error
    (tmp_path / "data.txt").write_text("0.75")
    comparison = ReproduceService(store).reproduce(run.id)["comparison"]
    assert comparison["verdict"] == "differs"
    rows = {(d["kind"], d["name"]): (d["before"], d["after"])
            for d in comparison["differences"]}
    # The %%track cell's run is matched by its cell, the run named at random by its order
    # (shown under the original's name); what the tracked cell prints besides (a timestamp,
    # a temp folder, an object's address) is masked, so its stdout is no difference.
    (random_name,) = [name for _, name in rows if re.fullmatch(r"[a-z]+-[a-z]+-\d+/seen", name)]
    assert rows == {("output", "score"): (0.5, 0.75),
                    ("cell output", "cell [3] stdout"): ("score 0.5\n", "score 0.75\n"),
                    ("metric", "cell [4]/seen"): (1.0, 1.5),
                    ("metric", random_name): (1.0, 1.5)}
    assert comparison["counts"]["cell output"] == 2  # cell [3] and cell [4] stdout
    assert comparison["summary"].startswith("differs: 4 of ")


def test_a_run_that_recorded_nothing_cannot_tell(store, tmp_path):
    # It used to answer "same" with nothing compared.
    clear_pipeline_tables(store)
    nb = notebook(tmp_path / "quiet.ipynb", "x = alpha + 1")
    run = PipelineService(store).run_notebook(nb, {"alpha": 2})
    assert run.status == "SUCCEEDED", run.error
    comparison = ReproduceService(store).reproduce(run.id)["comparison"]
    assert comparison["verdict"] == "cannot tell" and comparison["compared"] == 0
    assert "same" not in comparison and comparison["differences"] == []
    assert comparison["summary"].startswith("cannot tell: the run recorded nothing")


def test_the_python_api_takes_a_tolerance_and_names_to_leave_out(store, original):
    import mlops_lab as ml

    run, _ = original
    with pytest.raises(InvalidInput, match="rel_tol"):
        ml.reproduce(run.id, rel_tol=2)
    comparison = ml.reproduce(run.id, rel_tol=0.01, ignore=["cell*"])["comparison"]
    assert comparison["verdict"] == "reproduced" and comparison["compared"] == 2
    assert comparison["tolerance"] == {"rel": 0.01, "abs": 1e-9, "ignore": ["cell*"]}
    assert [i["kind"] for i in comparison["ignored"]] == ["cell output"]


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
    comparison = forced["comparison"]
    assert comparison["verdict"] == "differs"
    assert comparison["differences"][0] == {"kind": "status", "name": "pipeline run",
                                            "before": "SUCCEEDED", "after": "FAILED"}


def test_a_run_not_made_by_a_pipeline_cannot_be_reproduced(store):
    from mlops_lab.tracking.service import TrackingService

    clear_pipeline_tables(store)
    tracking = TrackingService(store)
    plain = tracking.create_run(tracking.get_or_create_experiment("plain").id, name="plain")
    with pytest.raises(InvalidInput, match="not made by a pipeline run"):
        ReproduceService(store).check(plain.id)
