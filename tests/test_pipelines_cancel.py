"""A cancel that cancels: at each moment a pipeline run can be in (queued, claimed before its
worker started, kernel starting, running a cell) the work stops, the record says where, and
nothing after the cancel is stored as a result. Real workers, kernels and papermill; each
moment is reached by waiting on files the test writes, never by timing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from mlops_lab.pipelines.runs import executor
from mlops_lab.tracking.service import TrackingService

from test_pipelines import DEADLINE, notebook, pipelines, poll, work  # noqa: F401 - fixtures

# The notebook waits for the test's "go" file inside a tracked cell, then records an output.
WAITS = ("%load_ext mlops_lab\nimport mlops_lab as ml, pathlib, time",
         "%%track fit\npathlib.Path(folder, 'cell-started').write_text('x')\n"
         "while not pathlib.Path(folder, 'go').exists():\n    time.sleep(0.05)\n"
         "ml.log_metric('m', 1)",
         "ml.output('done', 1)\npathlib.Path(folder, 'ran-to-the-end').write_text('x')")


def waiting_notebook(work: Path) -> Path:
    return notebook(work / "waits.ipynb", *WAITS, parameters=f"folder = {str(work)!r}")


def worker_ended(pipelines, run_id: str):
    """The run once its worker process has exited."""
    pid = poll(lambda: pipelines.get(run_id).pid, "the worker to start")
    poll(lambda: not executor.pid_alive(pid), "the worker to exit")
    return pipelines.get(run_id)


def assert_nothing_stored(pipelines, store, run, where: str) -> None:
    assert run.status == "CANCELLED" and run.error == f"Cancelled by the user {where}."
    assert run.outputs == {} and run.output_blob is None
    assert not Path(run.output_notebook).exists()
    if run.run_id:
        tracking = TrackingService(store)
        assert tracking.get_run(run.run_id).status == "KILLED"
        children = [r for r in tracking.search_runs().runs if r.parent_run_id == run.run_id]
        assert all(c.status == "KILLED" for c in children), [c.status for c in children]


def test_cancel_while_queued(pipelines, store, work):
    run = pipelines.submit(waiting_notebook(work), waiting_notebook(work).read_bytes(), {},
                           dispatch=False)
    pipelines.cancel(run.id)
    assert pipelines.dispatch() == []
    assert_nothing_stored(pipelines, store, pipelines.get(run.id), "while queued")
    assert pipelines.get(run.id).run_id is None


def test_cancel_after_the_claim_before_the_worker_starts(pipelines, store, work):
    path = waiting_notebook(work)
    run = pipelines.submit(path, path.read_bytes(), {}, dispatch=False)
    assert executor.claim(store, 4) == run.id
    pipelines.cancel(run.id)
    executor.start_worker(store, run.id).wait(timeout=DEADLINE)
    ended = pipelines.get(run.id)
    assert_nothing_stored(pipelines, store, ended, "before its worker started")
    assert ended.run_id is None  # the worker saw the cancel and started nothing


@pytest.fixture
def slow_kernel(tmp_path, monkeypatch):
    """A kernel whose process starts, says so in a file, and waits for `go` before it becomes
    an IPython kernel: a run can be caught while its kernel starts."""
    code = ("import os, pathlib, sys, time\n"
            "d = pathlib.Path(os.environ['SLOW_KERNEL_DIR'])\n"
            "(d / 'kernel-starting').write_text(str(os.getpid()))\n"
            "while not (d / 'go').exists():\n    time.sleep(0.05)\n"
            "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher', '-f', "
            "sys.argv[1]])\n")
    spec = tmp_path / "jupyter" / "kernels" / "slowstart"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", code, "{connection_file}"],
        "display_name": "slow start", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "slowstart"


def test_cancel_while_the_kernel_starts(pipelines, store, work, slow_kernel, monkeypatch):
    monkeypatch.setenv("SLOW_KERNEL_DIR", str(work))
    run = pipelines.run_notebook(waiting_notebook(work), wait=False, kernel_name=slow_kernel)
    kernel_pid = int(poll(lambda: (work / "kernel-starting").exists()
                          and (work / "kernel-starting").read_text(), "the kernel to start"))
    pipelines.cancel(run.id)
    (work / "go").write_text("x")  # a kernel that was not stopped would now run the notebook
    ended = worker_ended(pipelines, run.id)
    assert_nothing_stored(pipelines, store, ended, "while starting the kernel")
    assert not psutil.pid_exists(kernel_pid) or \
        psutil.Process(kernel_pid).status() == psutil.STATUS_ZOMBIE
    assert not (work / "cell-started").exists()


def test_cancel_while_a_cell_runs(pipelines, store, work):
    run = pipelines.run_notebook(waiting_notebook(work), wait=False)
    poll(lambda: (work / "cell-started").exists(), "the tracked cell to start")
    pipelines.cancel(run.id)
    (work / "go").write_text("x")
    ended = worker_ended(pipelines, run.id)
    assert_nothing_stored(pipelines, store, ended, "while running cell 3")
    assert not (work / "ran-to-the-end").exists()
    children = [r for r in TrackingService(store).search_runs().runs
                if r.parent_run_id == ended.run_id]
    assert [c.name for c in children] == ["fit"]


def test_run_no_wait_then_cancel_at_once_from_the_command_line(pipelines, store, work):
    path = waiting_notebook(work)

    def cli(*args):
        done = subprocess.run([sys.executable, "-m", "mlops_lab.cli", *args], cwd=work,
                              capture_output=True, text=True, env=dict(os.environ),
                              timeout=DEADLINE)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run_id = json.loads(cli("run", path.name, "--no-wait", "--json"))["id"]
    assert "CANCELLED" in cli("pipeline-runs", "cancel", run_id)
    (work / "go").write_text("x")  # whatever moment the cancel hit, the cell may go on now
    ended = worker_ended(pipelines, run_id)  # `run` started one before it returned
    assert ended.error.startswith("Cancelled by the user ")
    where = ended.error[len("Cancelled by the user "):-1]
    # wherever the cancel landed, the record names one of the moments a cancel can stop at
    assert re.fullmatch(r"while queued|before its worker started|while (running|starting the "
                        r"worker|starting the kernel|running cell \d+)", where), where
    assert_nothing_stored(pipelines, store, ended, where)
    assert not (work / "ran-to-the-end").exists()


def test_ctrl_c_on_run_ends_its_run_and_its_kernel(pipelines, work):
    """`mlops-lab run` executes its run itself: Ctrl-C there ends the run, saying so."""
    import signal

    waiting_notebook(work)
    proc = subprocess.Popen([sys.executable, "-m", "mlops_lab.cli", "run", "waits.ipynb"],
                            cwd=work, env=dict(os.environ), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    poll(lambda: (work / "cell-started").exists(), "the tracked cell to start")
    kernels = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=DEADLINE)
    assert proc.returncode == 1, (out, err)
    [run] = pipelines.list_runs()
    assert run.status == "FAILED" and run.error.startswith("Interrupted (Ctrl-C) while running cell")
    assert not any(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kernels)
