"""Sweeps: points from grids and random draws, run as real pipeline runs on the local pool and
on a real Dask distributed cluster (scheduler and worker processes started here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from mlops_lab.errors import InvalidInput, NotFound
from mlops_lab.pipelines.sweeps import service as sweep_service
from mlops_lab.pipelines.runs.service import PipelineService
from mlops_lab.pipelines.sweeps.api import sweep
from mlops_lab.pipelines.sweeps.points import distribution, parse_grid_values, sweep_points
from mlops_lab.tracking.service import TrackingService

# ---- points ------------------------------------------------------------------------------


def test_grid_points_are_the_cartesian_product():
    points = sweep_points(grid={"alpha": [0.1, 1], "model": ["rf", "lr"]}, parameters={"k": 3})
    assert points == [{"k": 3, "alpha": 0.1, "model": "rf"}, {"k": 3, "alpha": 0.1, "model": "lr"},
                      {"k": 3, "alpha": 1, "model": "rf"}, {"k": 3, "alpha": 1, "model": "lr"}]


def test_random_points_follow_the_seed_and_the_ranges():
    spec = {"lr": "loguniform:1e-4:1e-1", "depth": "int:2:4", "kernel": "choice:rbf,linear",
            "frac": "uniform:0.5:0.75"}
    points = sweep_points(random=spec, n=50, seed=3)
    assert points == sweep_points(random=spec, n=50, seed=3)
    assert points != sweep_points(random=spec, n=50, seed=4)
    assert len(points) == 50
    assert all(1e-4 <= p["lr"] <= 1e-1 and p["depth"] in (2, 3, 4) and
               p["kernel"] in ("rbf", "linear") and 0.5 <= p["frac"] <= 0.75 for p in points)
    assert {p["depth"] for p in points} == {2, 3, 4}  # both ends included
    assert all(type(p["depth"]) is int and type(p["lr"]) is float for p in points)
    # Random draws combine with every grid point.
    both = sweep_points(grid={"alpha": [1, 2]}, random={"lr": "uniform:0:1"}, n=3)
    assert len(both) == 6 and [p["lr"] for p in both[:3]] == [p["lr"] for p in both[3:]]


def test_grid_values_from_the_command_line_are_typed():
    assert parse_grid_values("a", "0.1,1,10,True,None,rf") == [0.1, 1, 10, True, None, "rf"]
    with pytest.raises(InvalidInput, match="comma-separated list"):
        parse_grid_values("a", "")


@pytest.mark.parametrize("kwargs, message", [
    ({}, "A sweep needs --grid"),
    ({"grid": {"a": []}}, "Grid parameter 'a' has no values"),
    ({"grid": {"a": "123"}}, "needs a list of values"),
    ({"grid": {"1a": [1]}}, "Parameter name '1a' is not allowed"),
    ({"grid": {"a": [1]}, "random": {"a": "uniform:0:1"}, "n": 2}, "given both as grid and random"),
    ({"grid": {"a": [1]}, "parameters": {"a": 2}}, "given both as grid and fixed"),
    ({"random": {"a": "uniform:0:1"}}, "A random sweep needs n"),
    ({"random": {"a": "uniform:0:1"}, "n": 0}, "A random sweep needs n"),
    ({"grid": {"a": [1]}, "n": 3}, "n is the number of random points"),
    ({"random": {"a": "normal:0:1"}, "n": 2}, "use uniform:LOW:HIGH"),
    ({"random": {"a": "uniform:1:0"}, "n": 2}, "LOW must be below HIGH"),
    ({"random": {"a": "loguniform:0:1"}, "n": 2}, "and above 0"),
    ({"random": {"a": "int:1.5:3"}, "n": 2}, "use uniform:LOW:HIGH"),
    ({"grid": {"a": list(range(101)), "b": list(range(100))}}, "at most 10000"),
    ({"grid": {"a": [float("nan")]}}, "must be a finite number"),
    ({"grid": {"a": [1]}, "seed": -1}, "seed must be"),
])
def test_bad_sweeps_say_what_is_wrong(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        sweep_points(**kwargs)


def test_scipy_distributions_and_lists_are_taken_as_they_are():
    from scipy import stats

    dist = stats.uniform(0, 1)
    assert distribution("a", dist) is dist
    assert distribution("a", ["x", "y"]) == ["x", "y"]


# ---- running -----------------------------------------------------------------------------

def write_notebook(path: Path, body: str) -> Path:
    cell = new_code_cell("alpha = 1.0\nlr = 0.1")
    cell.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[cell, new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(path))
    return path


TRAIN = """
import os
import mlops_lab as ml
if alpha == 3:
    raise ValueError("alpha 3 diverges")
ml.log_metric("loss", alpha * lr)
ml.output("score", alpha + lr)
ml.output("label", f"a{alpha}")
ml.output("where", os.environ.get("SWEEP_RAN_ON", "here"))
"""


def test_a_grid_sweep_on_the_local_pool(store, tmp_path, monkeypatch):
    # Heartbeats every 0.2 s: a sweep run that did not beat while its points ran would be
    # taken for dead (KILLED) by the first kernel that sweeps the store.
    monkeypatch.setenv("MLOPS_LAB_HEARTBEAT", "0.2")
    notebook = write_notebook(tmp_path / "train.ipynb", TRAIN)
    result = sweep(notebook, grid={"alpha": [1, 2, 3]}, parameters={"lr": 0.5}, workers=2,
                   name="alpha sweep")

    assert result.executor == "local" and result.status == "FAILED"
    assert [p.status for p in result.points] == ["SUCCEEDED", "SUCCEEDED", "FAILED"]
    assert "alpha 3 diverges" in result.points[2].error
    first = result.points[0]
    assert first.parameters == {"lr": 0.5, "alpha": 1}
    # alpha is declared a float (`alpha = 1.0`): a whole number given for it runs as a float.
    assert first.outputs == {"score": 1.5, "label": "a1.0", "where": "here"}
    assert first.metrics == {"loss": 0.5, "score": 1.5}  # logged in the notebook; output

    table = result.table
    assert list(table["params.alpha"]) == [1, 2, 3]
    assert list(table["metrics.score"])[:2] == [1.5, 2.5]

    tracking, pipelines = TrackingService(store), PipelineService(store)
    parent = tracking.get_run(result.id)
    assert parent.name == "alpha sweep" and parent.status == "FINISHED"
    assert parent.tags["mlops_lab.kind"] == "sweep"
    assert parent.metrics == {"points_succeeded": 2, "points_failed": 1}
    for point in result.points:
        run = pipelines.get(point.pipeline_run_id)
        assert run.tags["mlops_lab.sweep"] == result.id
        assert run.tags["mlops_lab.sweep_point"] == str(point.index)
        child = tracking.get_run(point.run_id)
        assert child.parent_run_id == result.id  # compared under the sweep in the runs table
        # As the notebook read it: a float, the type its parameters cell declares.
        assert child.params["alpha"] == str(float(point.parameters["alpha"]))
    assert tracking.get_run(first.run_id).metrics["score"] == 1.5


def test_a_sweep_refuses_a_missing_notebook_and_a_bad_executor(store_home, tmp_path):
    with pytest.raises(NotFound, match="No notebook at"):
        sweep(tmp_path / "missing.ipynb", grid={"alpha": [1]})
    notebook = write_notebook(tmp_path / "train.ipynb", TRAIN)
    with pytest.raises(InvalidInput, match="workers must be"):
        sweep(notebook, grid={"alpha": [1]}, workers=0)
    with pytest.raises(InvalidInput, match="scheduler address like"):
        sweep(notebook, grid={"alpha": [1]}, dask="localhost")


def test_an_unreachable_dask_scheduler_is_a_clear_error(store_home, tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_service, "DASK_CONNECT_SECONDS", 2)
    notebook = write_notebook(tmp_path / "train.ipynb", TRAIN)
    with pytest.raises(InvalidInput, match="Cannot reach the Dask scheduler"):
        sweep(notebook, grid={"alpha": [1]}, dask="tcp://127.0.0.1:9")
    assert run_count() == 0  # nothing recorded


def run_count() -> int:
    from mlops_lab.store import open_store

    return len(TrackingService(open_store()).search_runs(None, "", None, 100).runs)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real Dask scheduler and worker, as separate processes."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    dask = str(Path(sys.executable).parent / "dask")  # the `dask` command of this environment
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--scheduler-file",
         str(scheduler_file), "--port", "0", "--no-dashboard", "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=(folder / "scheduler.log").open("w"))
    procs = [scheduler]
    try:
        deadline = time.monotonic() + 60
        while not (scheduler_file.exists() and scheduler_file.stat().st_size):
            assert scheduler.poll() is None, (folder / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the Dask scheduler did not start"
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        worker = subprocess.Popen(
            [dask, "worker", address, "--nthreads", "2", "--nworkers", "1", "--no-dashboard",
             "--host", "127.0.0.1"],
            env={**os.environ, "SWEEP_RAN_ON": "dask-worker"},
            stdout=subprocess.DEVNULL, stderr=(folder / "worker.log").open("w"))
        procs.append(worker)
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_a_random_sweep_on_a_dask_cluster(store, tmp_path, dask_cluster):
    address = dask_cluster
    notebook = write_notebook(tmp_path / "train.ipynb", TRAIN)
    result = sweep(notebook, random={"lr": "uniform:0:1", "alpha": "choice:1,2"}, n=3, seed=5,
                   dask=address)
    assert result.executor == address and result.status == "SUCCEEDED"
    assert [p.parameters for p in result.points] == sweep_points(
        random={"lr": "uniform:0:1", "alpha": "choice:1,2"}, n=3, seed=5)
    pipelines = PipelineService(store)
    for point in result.points:
        assert point.metrics["score"] == pytest.approx(point.parameters["alpha"]
                                                       + point.parameters["lr"])
        run = pipelines.get(point.pipeline_run_id)
        assert run.tags["mlops_lab.sweep"] == result.id
        # Started from the Dask worker process (whose environment its worker inherits).
        assert point.outputs["where"] == "dask-worker"
    parent = TrackingService(store).get_run(result.id)
    assert parent.tags["mlops_lab.sweep.executor"] == address
