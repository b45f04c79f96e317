"""The pipelines part of `import mlops_lab as ml`: run notebooks as pipeline runs, record
outputs from inside them, schedule them and reproduce them. Thin: each calls one service."""

from __future__ import annotations

import os
from typing import Any

from .runs.entities import PipelineRun
from .schedules.entities import Schedule


def _store():
    from ..store import open_store

    return open_store()


def _pipelines():
    from .runs.service import PipelineService

    return PipelineService(_store())


def run_notebook(notebook: str | os.PathLike, parameters: dict | None = None, *,
                 output: str | os.PathLike | None = None, timeout: float | None = None,
                 parent_run_id: str | None = None, tags: dict | None = None, wait: bool = True,
                 retries: int = 0, retry_backoff: float = 1.0,
                 kernel_name: str | None = None, experiment: str | None = None,
                 allow_undeclared: bool = False) -> PipelineRun:
    """Runs `notebook` with papermill as a pipeline run (in a worker process of its own).

        run = ml.run_notebook("train.ipynb", {"alpha": 0.5})
        run.status, run.outputs, run.output_notebook

    Parameters replace the defaults of the notebook's `parameters` cell; a name the cell does
    not declare raises InvalidInput unless `allow_undeclared` (it is then recorded as "not
    declared"). `run.effective_parameters` holds every value used, given or default. Inside a run started
    from a tracked run (or another pipeline run), the new run is its child unless
    `parent_run_id` says otherwise."""
    if parent_run_id is None:
        from ..tracking.fluent import current_run_id

        parent_run_id = current_run_id()
    return _pipelines().run_notebook(
        notebook, parameters, output=output, timeout=timeout, parent_run_id=parent_run_id,
        tags=tags, wait=wait, retries=retries, retry_backoff=retry_backoff,
        kernel_name=kernel_name, experiment=experiment, allow_undeclared=allow_undeclared)


def output(name: str, value: Any) -> Any:
    """Records a JSON-typed `value` as output `name` of the pipeline run executing this
    notebook (shown with the run, compared by `reproduce`). Returns `value`; outside a pipeline
    run it records nothing."""
    run_id = os.environ.get("MLOPS_LAB_PIPELINE_RUN")
    if run_id:
        _pipelines().record_output(run_id, name, value)
    return value


def get_pipeline_run(pipeline_run_id: str) -> PipelineRun:
    return _pipelines().find(pipeline_run_id)


def list_pipeline_runs(status: str | None = None, limit: int = 100) -> list[PipelineRun]:
    return _pipelines().list_runs(status=status, limit=limit)


def cancel_pipeline_run(pipeline_run_id: str) -> PipelineRun:
    svc = _pipelines()
    return svc.cancel(svc.find(pipeline_run_id).id)


def schedule_notebook(notebook: str | os.PathLike, cron: str, parameters: dict | None = None,
                      *, name: str | None = None, timezone: str = "UTC", missed: str = "skip",
                      keep_last: int | None = None, timeout: float | None = None,
                      retries: int = 0, enabled: bool = True, max_queued: int = 1) -> Schedule:
    """A cron schedule ("0 6 * * 1-5": five fields, read in `timezone`) that runs `notebook`
    with `parameters`. `missed`: what to do with ticks missed while no scheduler ran ("skip"
    or "run_once"); `keep_last`: keep the output notebooks of only the newest N runs;
    `max_queued`: how many of its runs may wait in the queue before a tick is skipped.
    `next_fire_times_local` gives the next fire times in `timezone`."""
    from .schedules.service import ScheduleService

    return ScheduleService(_store()).create(
        notebook, cron, parameters, name=name, timezone=timezone, missed=missed,
        keep_last=keep_last, timeout=timeout, retries=retries, enabled=enabled,
        max_queued=max_queued)


def list_schedules() -> list[Schedule]:
    from .schedules.service import ScheduleService

    return ScheduleService(_store()).list()


def reproduce(run_id: str, *, wait: bool = True, force: bool = False,
              rel_tol: float | None = None, abs_tol: float | None = None,
              ignore: list[str] | None = None) -> dict:
    """Re-executes the notebook snapshot of a pipeline run (or of the pipeline run behind a
    tracked run) with the same parameters, after checking its input snapshots still exist and
    noting what changed in the environment, then compares what both recorded: outputs, params
    and metrics of the tracked run and its child runs, and the cell outputs of the executed
    notebook.

        report = ml.reproduce("3f2a9c1e")
        report["comparison"]["verdict"]      # "reproduced", "differs" or "cannot tell"
        report["comparison"]["differences"]  # [{"kind", "name", "before", "after"}]

    Numbers count as equal within `rel_tol` (default 1e-6) or `abs_tol` (default 1e-9);
    timestamps, memory addresses, durations, temporary paths and run ids in text are masked;
    `ignore` takes name patterns to leave out ("cell [4]*", "metric:*loss")."""
    from .reproduce.comparison import tolerance
    from .reproduce.service import ReproduceService

    return ReproduceService(_store()).reproduce(
        run_id, wait=wait, force=force, tolerance=tolerance(rel_tol, abs_tol, ignore))
