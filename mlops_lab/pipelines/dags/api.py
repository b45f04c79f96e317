"""DAGs of notebooks, as users call them (`import mlops_lab as ml`).

    run = ml.run_dag("pipeline.yaml", {"alpha": 0.5})     # waits; run.status, run.steps
    run = ml.resume_dag(run.id)                            # after fixing a failed step
    ml.get_dag_run(run.id); ml.list_dag_runs()

The pipeline file's format is described in mlops_lab/pipelines/dags/file.py and the README.
"""

from __future__ import annotations

import os
from typing import Any

from .entities import DagRun


def _service():
    from ...store import open_store
    from .service import DagService

    return DagService(open_store())


def run_dag(path: str | os.PathLike, parameters: dict[str, Any] | None = None, *,
            concurrency: int | None = None, wait: bool = True) -> DagRun:
    """Runs the pipeline file at `path`: each step a pipeline run, in parallel where the graph
    allows. `parameters`: {"name": value} for every step that has `name`, {"step.name": value}
    for one step."""
    return _service().run(path, parameters, concurrency=concurrency, wait=wait)


def resume_dag(dag_run_id: str, *, wait: bool = True) -> DagRun:
    """Runs the failed and skipped steps of a FAILED DAG run again (a new attempt)."""
    return _service().resume(dag_run_id, wait=wait)


def get_dag_run(dag_run_id: str) -> DagRun:
    return _service().get(dag_run_id)


def list_dag_runs(status: str | None = None, limit: int = 100) -> list[DagRun]:
    return _service().list_runs(status, limit)
