"""One pipeline run, executed: `python -m mlops_lab.pipelines.runs.worker <pipeline run id>`.

Started by executor.py in a session of its own. It opens a tracking run (kind "pipeline",
params = parameters) that runs in the kernel become children of, executes the notebook snapshot
with papermill (the kernel is papermill's own subprocess), stores the output notebook and the log
as blobs (blob first, row after), and ends the run. A watcher thread keeps heartbeats, enforces the
timeout and notices a cancellation made from anywhere; either kills the kernel.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from ...clock import now_ms
from ...services import services_for
from . import executor, lifecycle
from .notebooks import path_in_store
from .watcher import StageHandler, Watcher

LOG_LIMIT = 5 << 20


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m mlops_lab.pipelines.runs.worker PIPELINE_RUN_ID", file=sys.stderr)
        return 2
    from ...store import open_store
    from .lean_imports import skip_unused_imports

    skip_unused_imports()
    svc = services_for(open_store()).pipelines
    try:
        execute(svc, argv[0])
    finally:
        try:
            svc.dispatch()  # the next queued run takes this worker's place
        except Exception:  # noqa: BLE001
            logging.getLogger("mlops_lab").warning("dispatch after run failed", exc_info=True)
    return 0


def execute(svc, run_id: str) -> None:
    run = svc.get(run_id)
    if run.status != "RUNNING":
        return  # cancelled while queued
    lifecycle.executing(svc.db, run_id, os.getpid(), executor.HOST)
    work = Path(tempfile.mkdtemp(prefix="mlops-lab-pipeline-"))
    log_path = work / "run.log"
    handler = _capture_logs(log_path)
    watcher = Watcher(svc, run_id, run.timeout, log_path)
    tracking = tracking_run = None
    status, error, failing_cell = "FAILED", None, None
    stages = StageHandler(watcher)
    logging.getLogger("papermill").addHandler(stages)
    try:
        watcher.start()  # from the start: a cancel while the worker starts is seen too
        tracking, tracking_run = _start_tracking_run(svc, run)
        watcher.tracking, watcher.tracking_run = tracking, tracking_run
        os.environ["MLOPS_LAB_PIPELINE_RUN"] = run.id
        os.environ["MLOPS_LAB_PARENT_RUN"] = tracking_run
        # The kernel names its notebook as a Jupyter session would, so `%%track` cells record
        # where they come from (ipykernel copies it to `__session__`).
        os.environ["JPY_SESSION_NAME"] = path_in_store(run.notebook)
        source = work / "input.ipynb"
        source.write_bytes(svc.store.artifacts.read(run.notebook_hash))
        output = work / "output.ipynb"
        attempt = 1
        while not watcher.stopped():
            watcher.stage = "starting the kernel"
            status, error, failing_cell = _attempt(run, source, output)
            if status == "SUCCEEDED" or watcher.stopped() or attempt > run.retries:
                break
            delay = run.retry_backoff * (2 ** (attempt - 1))
            logging.getLogger("mlops_lab").warning(
                "Attempt %d failed (%s); retrying in %.1f s", attempt, error, delay)
            if watcher.stop.wait(delay) or watcher.ended_by:
                break
            attempt += 1
            lifecycle.next_attempt(svc.db, run.id, attempt)
    except KeyboardInterrupt:  # Ctrl-C on `mlops-lab run`, which executes its run itself
        watcher.kill_kernel()
        status, error = "FAILED", f"Interrupted (Ctrl-C) while {watcher.stage}."
    except BaseException as exc:  # noqa: BLE001 - whatever happens, the run must end
        status, error = "FAILED", f"{type(exc).__name__}: {exc}"
    finally:
        watcher.stop.set()
        logging.getLogger("papermill").removeHandler(stages)
        if watcher.ended_by is None and svc.get(run.id).status == "CANCELLED":
            watcher.ended_by = "cancelled"  # the kernel was killed before the watcher looked
        if watcher.ended_by == "cancelled":
            watcher.kill_kernel()
            svc.note_cancelled(run.id, watcher.stage)
        _finish(svc, run, work, log_path, handler, status, error, failing_cell, tracking,
                tracking_run, watcher.ended_by)
        shutil.rmtree(work, ignore_errors=True)


def _attempt(run, source: Path, output: Path) -> tuple[str, str | None, dict | None]:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(
            str(source), str(output), parameters=run.parameters, kernel_name=run.kernel_name,
            cwd=run.cwd if run.cwd and os.path.isdir(run.cwd) else None,
            progress_bar=False, log_output=True, request_save_on_cell_execute=True,
        )
        return "SUCCEEDED", None, None
    except PapermillExecutionError as exc:
        cell = {"index": exc.cell_index, "execution_count": exc.exec_count,
                "source": exc.source, "ename": exc.ename, "evalue": exc.evalue,
                "traceback": _plain(exc.traceback)}
        return "FAILED", f"Cell {exc.exec_count or exc.cell_index}: {exc.ename}: {exc.evalue}", cell
    except Exception as exc:  # noqa: BLE001 - a dead kernel, a kernel that did not start…
        return "FAILED", f"{type(exc).__name__}: {exc}".strip(), None


def _plain(traceback: list[str]) -> list[str]:
    import re

    ansi = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
    return [ansi.sub("", line) for line in traceback or []]


def _start_tracking_run(svc, run):
    tracking = services_for(svc.store).tracking
    name = run.experiment or tracking.default_experiment()
    experiment_id = None
    if run.parent_run_id:
        try:
            experiment_id = tracking.get_run(run.parent_run_id).experiment_id
        except Exception:  # noqa: BLE001 - an unknown parent: the run stays top-level
            run = run.__class__(**{**run.__dict__, "parent_run_id": None})
    if experiment_id is None or run.experiment:
        experiment_id = tracking.get_or_create_experiment(name).id
    tags = {"mlops_lab.kind": "pipeline", "mlops_lab.pipeline_run": run.id, **run.tags}
    if run.schedule_id:
        tags["mlops_lab.schedule"] = run.schedule_id
    params, sources = _tracked_parameters(run)
    if sources:
        tags["mlops_lab.parameter_sources"] = json.dumps(sources)
    notebook = path_in_store(run.notebook)  # `jobs/train.ipynb`, not only `train`
    created = tracking.create_run(
        experiment_id, name=notebook, parent_run_id=run.parent_run_id, tags=tags,
        source={"notebook": notebook, "notebook_hash": run.notebook_hash,
                "pipeline_run": run.id, "kind": "pipeline"})
    if params:
        try:
            tracking.log_params(created.id, params)
        except Exception as exc:  # noqa: BLE001 - e.g. a value too long to be a param
            logging.getLogger("mlops_lab").warning("Parameters not logged as params: %s", exc)
    lifecycle.link_tracking_run(svc.db, run.id, created.id)
    # The environment (packages, Python, git) for `reproduce`, gathered while the kernel runs;
    # joined before the run ends.
    _environment_thread.append(threading.Thread(
        target=_record_environment, args=(tracking, created.id, run.cwd), daemon=True))
    _environment_thread[-1].start()
    return tracking, created.id


_environment_thread: list[threading.Thread] = []


def _tracked_parameters(run) -> tuple[dict[str, str], dict[str, str]]:
    """The params of the pipeline's tracking run: every parameter the notebook used (the
    `parameters` cell's defaults too), and where each came from (given, default, not declared)."""
    effective = run.effective_parameters or {
        name: {"value": value, "from": "given"} for name, value in run.parameters.items()}
    params, sources = {}, {}
    for name, info in effective.items():
        value = info.get("value", info.get("expression"))
        if "expression" in info or isinstance(value, str):
            params[name] = str(value)
        else:
            params[name] = json.dumps(value)
        sources[name] = info["from"]
    return params, sources


def _record_environment(tracking, run_id: str, folder: str | None) -> None:
    try:
        from .environment import current_environment

        tracking.update_run_info(run_id, environment=current_environment(folder))
    except Exception:  # noqa: BLE001 - the environment is a nicety, never a failure
        logging.getLogger("mlops_lab").warning("environment capture failed", exc_info=True)


def _capture_logs(path: Path) -> logging.Handler:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def _finish(svc, run, work, log_path, handler, status, error, failing_cell, tracking,
            tracking_run, ended_by) -> None:
    store = svc.store
    values: dict = {}
    output = work / "output.ipynb"
    if output.is_file() and ended_by != "cancelled":  # a cancelled run's output is no result
        try:
            _name_paths(output, run)
            blob, _ = store.artifacts.put_file(output)
            values["output_blob"] = blob
            if run.output_notebook:
                _write_copy(output, Path(run.output_notebook))
            if tracking is not None and tracking_run:
                tracking.log_artifact_bytes(tracking_run, output.read_bytes(), "output.ipynb",
                                            "application/x-ipynb+json")
        except Exception as exc:  # noqa: BLE001 - a run whose output cannot be kept says so
            logging.getLogger("mlops_lab").error("Storing the output notebook failed: %s", exc)
            if status == "SUCCEEDED":
                status, error = "FAILED", f"The output notebook could not be stored: {exc}"
    handler.flush()
    logging.getLogger().removeHandler(handler)
    handler.close()
    try:
        data = log_path.read_bytes() if log_path.is_file() else b""
        if len(data) > LOG_LIMIT:
            data = b"[...earlier lines cut...]\n" + data[-LOG_LIMIT:]
        values["log_blob"] = store.artifacts.put_bytes(data)[0]
        values["log_tail"] = None  # the whole log is in the blob now
    except Exception:  # noqa: BLE001
        pass
    ended = None
    if ended_by is None:
        ended = dict(status=status, error=error, ended_at=now_ms(),
                     failing_cell=json.dumps(failing_cell) if failing_cell else None)
    elif failing_cell and ended_by == "timeout":
        values["failing_cell"] = json.dumps(failing_cell)
    for thread in _environment_thread:
        thread.join(timeout=60)
    # The tracking run ends first: whoever sees the pipeline run ended sees its run ended too.
    if tracking is not None and tracking_run:
        if ended_by != "cancelled":
            _log_outputs_as_metrics(svc, run.id, tracking, tracking_run)
        final = status if ended_by is None else svc.get(run.id).status
        if ended_by == "cancelled":
            _kill_children(tracking, tracking_run, svc.get(run.id).ended_at or now_ms())
        try:
            tracking.end_run(tracking_run,
                             {"SUCCEEDED": "FINISHED", "CANCELLED": "KILLED"}.get(final, "FAILED"),
                             error if ended_by is None else svc.get(run.id).error)
        except Exception:  # noqa: BLE001
            pass
    lifecycle.finish(svc.db, run.id, values, ended)


def _log_outputs_as_metrics(svc, pipeline_run_id: str, tracking, tracking_run: str) -> None:
    """Outputs that are numbers become metrics of the tracking run, so the run lists, compares
    and charts them like any metric (`ml.output("accuracy", 0.93)` is the run's accuracy)."""
    numbers = {name: value for name, value in svc.get(pipeline_run_id).outputs.items()
               if isinstance(value, (int, float)) and not isinstance(value, bool)}
    if numbers:
        try:
            tracking.log_metrics(tracking_run, numbers)
        except Exception as exc:  # noqa: BLE001 - the outputs stay recorded on the pipeline run
            logging.getLogger("mlops_lab").warning("Outputs not logged as metrics: %s", exc)


def _kill_children(tracking, parent: str, cancelled_at: int) -> None:
    """Runs the notebook started inside a cancelled pipeline run end KILLED, also one that
    finished in the moment between the cancel and the kernel's end: nothing after a cancel
    counts as a result."""
    for run_id in tracking.descendant_ids(parent):
        run = tracking.get_run(run_id)
        if run.status == "RUNNING" or (run.end_time or 0) >= cancelled_at:
            tracking.end_run(run.id, "KILLED", "The pipeline run was cancelled.")


def _name_paths(output: Path, run) -> None:
    """papermill names the worker's temporary copies in the output notebook's metadata; name
    the notebook that was run and the copy users open instead."""
    doc = json.loads(output.read_bytes())
    meta = doc.get("metadata", {}).get("papermill")
    if isinstance(meta, dict):
        meta.update(input_path=run.notebook, output_path=run.output_notebook)
        output.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_copy(source: Path, target: Path) -> None:
    """The output copy users open in JupyterLab: temp file + rename, never half-written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".ipynb")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(source.read_bytes())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


if __name__ == "__main__":
    sys.exit(main())
