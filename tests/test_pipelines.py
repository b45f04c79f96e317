"""Pipeline runs end to end: real papermill, real kernels, worker processes, on SQLite and
PostgreSQL. Synchronisation is by polling the store with a deadline, never by sleeping."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest

from mlops_lab.errors import InvalidInput, NotFound
from mlops_lab.pipelines.runs.service import PipelineService

DEADLINE = 120


def notebook(path: Path, *cells: str, parameters: str | None = "alpha = 1", kernel="python3",
             extra_metadata=None) -> Path:
    """A tiny notebook: an optional `parameters` cell, then `cells`."""
    nb = nbformat.v4.new_notebook()
    if kernel:
        nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def step_notebook(path: Path, parameters: str, body: str) -> Path:
    """A DAG step: a tagged parameters cell, then `body`."""
    return notebook(path, body, parameters=parameters)


def poll(condition, what: str, deadline: float = DEADLINE):
    """Polls `condition` until it returns something truthy (a state change, not a timer)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def clear_pipeline_tables(store) -> None:
    """The PostgreSQL test database is shared by the session: start from empty tables."""
    from sqlalchemy import delete

    from mlops_lab.store.tables import pipelines as p

    with store.db.write() as conn:
        for table in (p.pipeline_outputs, p.schedule_fires, p.pipeline_runs, p.schedules,
                      p.scheduler_leases):
            conn.execute(delete(table))


@pytest.fixture
def pipelines(store):
    clear_pipeline_tables(store)
    return PipelineService(store)


@pytest.fixture
def work(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def test_a_run_succeeds_with_outputs_tracking_run_and_output_notebook(pipelines, work, store):
    from blake3 import blake3

    from mlops_lab.tracking.service import TrackingService

    nb = notebook(work / "train.ipynb",
                  "import mlops_lab as ml\n"
                  "ml.output('double', alpha * 2)\n"
                  "ml.output('info', {'name': name, 'ok': True})\n"
                  "with ml.start_run('fit'):\n    ml.log_metric('score', alpha / 10)\n"
                  "print('done', alpha)",
                  parameters="alpha = 1\nname = 'default'")
    run = pipelines.run_notebook(nb, {"alpha": 4, "name": "café"}, tags={"team": "a"})

    assert run.status == "SUCCEEDED", run.error
    assert run.outputs == {"double": 8, "info": {"name": "café", "ok": True}}
    assert run.parameters == {"alpha": 4, "name": "café"}
    assert run.notebook == str(nb.resolve())
    assert run.notebook_hash == blake3(nb.read_bytes()).hexdigest()
    assert run.duration_ms is not None and run.duration_ms >= 0
    # The output copy is next to the input, openable in JupyterLab, and it is also a blob.
    out = Path(run.output_notebook)
    assert out == work / "train.runs" / f"{run.id}.ipynb" and out.is_file()
    executed = nbformat.reads(out.read_text(), as_version=4)
    assert "done 4" in json.dumps(executed.cells[-1].outputs)
    assert pipelines.output_notebook(run.id) == out.read_bytes()
    assert "Executing" in pipelines.log(run.id)
    # Its tracking run: kind pipeline, params = parameters, the output notebook as artifact,
    # and the run started inside the notebook is its child.
    tracking = TrackingService(store)
    tracked = tracking.get_run(run.run_id)
    assert tracked.status == "FINISHED"
    assert tracked.tags["mlops_lab.kind"] == "pipeline" and tracked.tags["team"] == "a"
    assert tracked.params == {"alpha": "4", "name": "café"}
    # Outputs that are numbers are its metrics too (a dict or text is not a metric).
    assert tracked.metrics == {"double": 8.0}
    assert [a.path for a in tracking.list_artifacts(run.run_id)] == ["output.ipynb"]
    children = tracking.search_runs(filter="attributes.name = 'fit'").runs
    assert [c.parent_run_id for c in children] == [run.run_id]
    assert children[0].metrics == {"score": 0.4}
    # Tagged with the pipeline run it ran in: the run view offers Reproduce on it.
    assert children[0].tags["mlops_lab.pipeline_run"] == run.id
    assert "python" in tracked.environment or poll(
        lambda: tracking.get_run(run.run_id).environment, "environment")


def test_a_failing_cell_fails_the_run_with_the_cell_and_its_error(pipelines, work):
    nb = notebook(work / "fails.ipynb", "x = alpha + 1", "raise ValueError(f'bad value {x}')",
                  "print('never')")
    run = pipelines.run_notebook(nb, {"alpha": 1})
    assert run.status == "FAILED"
    assert "ValueError: bad value 2" in run.error
    cell = run.failing_cell
    assert cell["ename"] == "ValueError" and cell["evalue"] == "bad value 2"
    assert "raise ValueError" in cell["source"]
    assert any("ValueError" in line for line in cell["traceback"])
    assert run.output_blob is not None  # the partial output is kept


@pytest.mark.parametrize("name", ["1x", "a-b", "class", "", "x y", "__import__('os')"])
def test_a_parameter_name_that_is_not_an_identifier_is_refused(pipelines, work, name):
    nb = notebook(work / "p.ipynb", "pass")
    with pytest.raises(InvalidInput, match="identifier"):
        pipelines.run_notebook(nb, {name: 1})
    assert pipelines.list_runs() == []


@pytest.mark.parametrize("value", [float("nan"), float("inf"), object(), {1: 2}, b"x", {"a": {1}}])
def test_a_parameter_value_that_is_not_json_is_refused(pipelines, work, value):
    nb = notebook(work / "p.ipynb", "pass")
    with pytest.raises(InvalidInput):
        pipelines.run_notebook(nb, {"alpha": value})


def test_a_hostile_value_stays_a_literal_string(pipelines, work):
    """BAD-INPUTS 9: the value is injected as a literal; no command runs."""
    marker = work / "INJECTED"
    hostile = f"\"; import os; os.system('touch {marker}') #"
    also = f"'; import os; os.system('touch {marker}') #\n"
    nb = notebook(work / "inj.ipynb", "print(repr(alpha)); print(repr(beta))",
                  parameters="alpha = ''\nbeta = ''")
    run = pipelines.run_notebook(nb, {"alpha": hostile, "beta": also})
    assert run.status == "SUCCEEDED", run.error
    executed = nbformat.reads(Path(run.output_notebook).read_text(), as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    import ast

    tree = ast.parse(injected[0].source)
    assigned = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}
    assert assigned == {"alpha": hostile, "beta": also}  # assignments of literals, nothing else
    printed = "".join(executed.cells[-1].outputs[0]["text"]).splitlines()
    assert printed == [repr(hostile), repr(also)]
    assert not marker.exists()


@pytest.mark.parametrize("content, message", [
    (b"{ not json", "not valid JSON"),
    (json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "cells": [],
                 "metadata": {}}).encode(), "nbformat 3"),
    (b"[1, 2]", "not a notebook"),
])
def test_a_notebook_that_cannot_run_is_a_failed_run_and_nothing_runs(pipelines, work, content,
                                                                       message):
    """BAD-INPUTS 25."""
    bad = work / "bad.ipynb"
    bad.write_bytes(content)
    run = pipelines.run_notebook(bad, {})
    assert run.status == "FAILED" and message in run.error
    assert run.run_id is None and run.pid is None  # no worker, no kernel


def test_a_notebook_naming_a_missing_kernel_fails_and_runs_nothing(pipelines, work):
    marker = work / "RAN"
    nb = notebook(work / "k.ipynb", f"open({str(marker)!r}, 'w').close()", kernel="no-such-kernel")
    run = pipelines.run_notebook(nb, {})
    assert run.status == "FAILED" and "no-such-kernel" in run.error and "not installed" in run.error
    assert not marker.exists()


def test_a_missing_notebook_is_not_found(pipelines, work):
    with pytest.raises(NotFound):
        pipelines.run_notebook(work / "nope.ipynb", {})


def test_timeout_stops_the_kernel_and_fails_the_run(pipelines, work):
    pid_file = work / "kernel.pid"
    nb = notebook(work / "slow.ipynb",
                  f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                  "time.sleep(600)")
    run = pipelines.run_notebook(nb, {}, timeout=10)
    assert run.status == "FAILED" and "Timed out after 10 s" in run.error
    import psutil

    if not pid_file.exists():  # a loaded machine: the kernel was stopped before the cell ran
        return
    kernel = int(pid_file.read_text())
    poll(lambda: not psutil.pid_exists(kernel) or
         psutil.Process(kernel).status() == psutil.STATUS_ZOMBIE, "the kernel to be gone")


def test_cancel_kills_the_kernel(pipelines, work, store):
    import psutil

    from mlops_lab.tracking.service import TrackingService

    pid_file = work / "kernel.pid"
    nb = notebook(work / "long.ipynb",
                  f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                  "time.sleep(600)")
    run = pipelines.run_notebook(nb, {}, wait=False)
    assert run.status in ("QUEUED", "RUNNING")
    kernel = int(poll(lambda: pid_file.exists() and pid_file.read_text(), "the kernel to start"))
    cancelled = pipelines.cancel(run.id)
    assert cancelled.status == "CANCELLED"
    poll(lambda: not psutil.pid_exists(kernel) or
         psutil.Process(kernel).status() == psutil.STATUS_ZOMBIE, "the kernel to be killed")
    # The worker keeps what it had and ends its tracking run KILLED.
    final = poll(lambda: (r := pipelines.get(run.id)).log_blob and r, "the worker to finish")
    assert final.status == "CANCELLED"
    poll(lambda: TrackingService(store).get_run(final.run_id).status == "KILLED",
         "the tracking run to end")
    assert pipelines.cancel(run.id).status == "CANCELLED"  # cancelling again changes nothing


def test_the_log_can_be_read_while_the_run_goes_on(pipelines, work):
    """The end of the log is kept while the notebook runs (it waits here for a file the test
    writes once it has read the first cell's output), the whole log once it ended."""
    go = work / "go"
    nb = notebook(work / "slow.ipynb", "print('first cell done')",
                  f"import pathlib, time\nwhile not pathlib.Path({str(go)!r}).exists():\n"
                  "    time.sleep(0.05)\nprint('second cell done')")
    run = pipelines.run_notebook(nb, {}, wait=False, timeout=DEADLINE)  # never left running
    live = poll(lambda: "first cell done" in (text := pipelines.log(run.id)) and text,
                "the first cell's output in the log of the running run")
    assert pipelines.get(run.id).status == "RUNNING"
    assert "second cell done" not in live
    go.write_text("")
    final = pipelines.wait(run.id, timeout=DEADLINE)
    assert final.status == "SUCCEEDED"
    whole = pipelines.log(run.id)
    assert "first cell done" in whole and "second cell done" in whole


def test_a_failed_attempt_is_retried(pipelines, work):
    counter = work / "attempts"
    nb = notebook(work / "flaky.ipynb",
                  f"p = {str(counter)!r}\nimport os\n"
                  "n = int(open(p).read()) + 1 if os.path.exists(p) else 1\n"
                  "open(p, 'w').write(str(n))\n"
                  "assert n >= 2, 'first attempt fails'")
    run = pipelines.run_notebook(nb, {}, retries=2, retry_backoff=0.1)
    assert run.status == "SUCCEEDED", run.error
    assert run.attempt == 2 and counter.read_text() == "2"
    assert "retrying" in pipelines.log(run.id)


def test_the_concurrency_limit_queues_runs(store, work):
    clear_pipeline_tables(store)
    pipelines = PipelineService(store, max_workers=1)
    spans = work / "spans"
    spans.mkdir()
    nb = notebook(work / "span.ipynb",
                  "import time, os\nstart = time.time()\ntime.sleep(0.3)\n"
                  f"open(os.path.join({str(spans)!r}, str(alpha)), 'w')"
                  ".write(f'{start} {time.time()}')")
    runs = [pipelines.run_notebook(nb, {"alpha": i}, wait=False) for i in range(3)]
    assert sum(r.status == "RUNNING" for r in runs) <= 1
    assert any(r.status == "QUEUED" for r in runs)
    done = [pipelines.wait(r.id, timeout=DEADLINE) for r in runs]
    assert [r.status for r in done] == ["SUCCEEDED"] * 3
    intervals = sorted(tuple(map(float, (spans / str(i)).read_text().split())) for i in range(3))
    for (_, end), (start, _) in zip(intervals, intervals[1:]):
        assert start >= end  # never two at once


def test_runs_of_dead_workers_are_marked_failed(pipelines, work, store):
    import subprocess
    import sys

    from mlops_lab.pipelines.schedules.scheduler import Scheduler

    nb = notebook(work / "n.ipynb", "pass")
    run = pipelines.submit(nb.resolve(), nb.read_bytes(), {}, dispatch=False)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    from sqlalchemy import update

    from mlops_lab.pipelines.runs.executor import HOST
    from mlops_lab.store.tables.pipelines import pipeline_runs as pr

    with store.db.write() as conn:
        conn.execute(update(pr).where(pr.c.id == run.id).values(
            status="RUNNING", host=HOST, pid=int(gone.stdout), started_at=1, heartbeat_at=1))
    assert Scheduler(store, launch=False).recover() == 1
    failed = pipelines.get(run.id)
    assert failed.status == "FAILED" and "scheduler restarted" in failed.error


def test_output_outside_a_pipeline_run_records_nothing_and_bad_values_are_refused(
        pipelines, work, monkeypatch):
    import mlops_lab as ml

    monkeypatch.delenv("MLOPS_LAB_PIPELINE_RUN", raising=False)
    assert ml.output("x", [1, 2]) == [1, 2]
    nb = notebook(work / "n.ipynb", "pass")
    run = pipelines.submit(nb.resolve(), nb.read_bytes(), {}, dispatch=False)
    with pytest.raises(InvalidInput, match="JSON"):
        pipelines.record_output(run.id, "bad", object())
    with pytest.raises(InvalidInput, match="JSON"):
        pipelines.record_output(run.id, "nan", float("nan"))
    pipelines.record_output(run.id, "x", 1)
    pipelines.record_output(run.id, "x", 2)
    assert pipelines.get(run.id).outputs == {"x": 2}


def test_runs_in_a_pipeline_kernel_become_children_of_its_tracking_run(store, monkeypatch):
    """The small hook in tracking.fluent: MLOPS_LAB_PARENT_RUN names the parent run."""
    import mlops_lab as ml
    from mlops_lab.tracking import fluent
    from mlops_lab.tracking.service import TrackingService

    tracking = TrackingService(store)
    experiment = tracking.get_or_create_experiment("pipelines-exp")
    parent = tracking.create_run(experiment.id, name="pipeline")
    monkeypatch.setenv("MLOPS_LAB_PARENT_RUN", parent.id)
    monkeypatch.setenv("MLOPS_LAB_PIPELINE_RUN", "a" * 32)
    fluent._pipeline_parents.clear()
    with ml.start_run("cell") as child:
        with ml.start_run("nested") as nested:
            pass
    got = tracking.get_run(child.id)
    assert got.parent_run_id == parent.id and got.experiment_id == experiment.id
    assert tracking.get_run(nested.id).parent_run_id == child.id
    assert {tracking.get_run(r.id).tags["mlops_lab.pipeline_run"] for r in (child, nested)} \
        == {"a" * 32}
    monkeypatch.setenv("MLOPS_LAB_PARENT_RUN", "f" * 32)  # unknown: stays top-level
    monkeypatch.delenv("MLOPS_LAB_PIPELINE_RUN")
    with ml.start_run("alone") as alone:
        pass
    assert tracking.get_run(alone.id).parent_run_id is None
    assert "mlops_lab.pipeline_run" not in tracking.get_run(alone.id).tags
    fluent._pipeline_parents.clear()


def test_snapshots_outside_runs_in_a_pipeline_kernel_link_to_its_tracking_run(store,
                                                                              monkeypatch):
    """A snapshot taken (or loaded) in a pipeline notebook outside any %%track cell belongs
    to the pipeline run: its tracked run records it."""
    import pandas as pd

    import mlops_lab as ml
    from mlops_lab.tracking import fluent
    from mlops_lab.tracking.service import TrackingService

    tracking = TrackingService(store)
    experiment = tracking.get_or_create_experiment("pipelines-exp")
    parent = tracking.create_run(experiment.id, name="pipeline")
    monkeypatch.setenv("MLOPS_LAB_PARENT_RUN", parent.id)
    fluent._pipeline_parents.clear()
    version = ml.snapshot(pd.DataFrame({"x": [1, 2, 3]}), "pipeline-made", progress=False)
    ml.load_snapshot("pipeline-made")
    links = {(link.direction, link.kind, link.ref) for link in tracking.get_run(parent.id).links}
    assert links == {("output", "snapshot", version.id), ("input", "snapshot", version.id)}
    fluent._pipeline_parents.clear()


def test_list_find_and_prefixes(pipelines, work):
    nb = notebook(work / "n.ipynb", "pass")
    made = [pipelines.submit(nb.resolve(), nb.read_bytes(), {"alpha": i}, dispatch=False)
            for i in range(3)]
    assert [r.id for r in pipelines.list_runs()] == [r.id for r in reversed(made)]
    assert pipelines.list_runs(status="QUEUED", limit=2)[0].id == made[-1].id
    assert pipelines.find(made[0].id[:12]).id == made[0].id
    with pytest.raises(InvalidInput):
        pipelines.find("../x")
    with pytest.raises(InvalidInput):
        pipelines.list_runs(status="DONE")
    for run in made:
        pipelines.cancel(run.id)
    assert {r.status for r in pipelines.list_runs()} == {"CANCELLED"}
