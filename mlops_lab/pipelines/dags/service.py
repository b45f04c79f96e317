"""DAG runs: a pipeline file's steps run as pipeline runs, their states kept in the store.

Entry points (`ml.run_dag`, `mlops-lab dags …`, REST) call DagService; the graph rules live in
dag_file.py (checking) and dag_executor.py (order, parallelism, skipping). Status of a DAG run:
RUNNING -> SUCCEEDED | FAILED; a FAILED run can be resumed: a new attempt of the same DAG run
re-runs only its failed and skipped steps, reusing the outputs of the steps that succeeded.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import uuid
from typing import Any

from sqlalchemy import func, insert, select, update

from ...clock import now_ms
from ...errors import Conflict, InvalidInput, NotFound
from ...limits import check_limit, whole_number_in
from ...services import services_for
from ...store import Store, keyset
from ...store.keyset import SortKey
from ...store.ids import id_prefix, one_id_with_prefix
from ...store.tables.dags import dag_runs as dr
from ...store.tables.dags import dag_steps as ds
from .entities import RUN_STATUSES, DagRun, DagStep
from .executor import StepCall, StepOutcome, StepRunner, execute
from .file import Dag, apply_overrides, load_dag

HOST = socket.gethostname()
MAX_LIMIT = 10_000
ID_LENGTH = 32


class PipelineStepRunner:
    """Runs a step as a pipeline run (papermill in a worker process) and waits for it."""

    def __init__(self, pipelines):
        self.pipelines = pipelines

    def __call__(self, call: StepCall, link) -> StepOutcome:
        svc = self.pipelines
        run = svc.run_notebook(
            call.step.notebook, call.parameters, timeout=call.step.timeout, wait=False,
            tags={"mlops_lab.dag_run": call.dag_run_id, "mlops_lab.dag_step": call.step.name,
                  "mlops_lab.dag_attempt": str(call.attempt)})
        link(run.id)
        if not run.ended:
            run = svc.wait(run.id)
        return StepOutcome(status="SUCCEEDED" if run.status == "SUCCEEDED" else "FAILED",
                           outputs=dict(run.outputs), pipeline_run_id=run.id, run_id=run.run_id,
                           error=None if run.status == "SUCCEEDED"
                           else (run.error or f"The pipeline run ended {run.status}."))


class DagService:
    def __init__(self, store: Store, runner: StepRunner | None = None, pipelines=None):
        """`runner` runs a step (by default as a pipeline run of `pipelines`, the store's own
        pipelines service from the composition root unless given)."""
        self.store = store
        self.db = store.db
        self.runner = runner or PipelineStepRunner(pipelines or services_for(store).pipelines)

    # ---- starting and resuming ----------------------------------------------------------

    def run(self, path: str | os.PathLike, parameters: dict[str, Any] | None = None, *,
            concurrency: int | None = None, wait: bool = True) -> DagRun:
        """Runs the pipeline file at `path`. `parameters`: {"name": v} sets every step's
        parameter `name`; {"step.name": v} one step's. With `wait`, returns once it ended."""
        dag = apply_overrides(load_dag(path), parameters)
        if concurrency is not None:
            whole_number_in(concurrency, 1, 64, "concurrency")
        run_id, now = uuid.uuid4().hex, now_ms()
        with self.db.write() as conn:
            conn.execute(insert(dr).values(
                id=run_id, name=dag.name, file=dag.file, definition=json.dumps(dag.to_json()),
                status="RUNNING", attempt=1, concurrency=concurrency or dag.concurrency,
                created_at=now, started_at=now, host=HOST, pid=os.getpid()))
            conn.execute(insert(ds), [{"dag_run_id": run_id, "name": name, "status": "PENDING"}
                                      for name in dag.order()])
        return self._go(run_id, 1, wait)

    def resume(self, dag_run_id: str, *, wait: bool = True) -> DagRun:
        """A new attempt of a FAILED DAG run: its failed and skipped steps run again."""
        run_id = _check_id(dag_run_id)
        self.sweep_dead_runs()
        now = now_ms()
        with self.db.write() as conn:
            done = conn.execute(update(dr).where(dr.c.id == run_id, dr.c.status == "FAILED").values(
                status="RUNNING", attempt=dr.c.attempt + 1, error=None, started_at=now,
                ended_at=None, host=HOST, pid=os.getpid()))
            if not done.rowcount:
                status = conn.execute(select(dr.c.status).where(dr.c.id == run_id)).scalar()
                if status is None:
                    raise NotFound(f"No DAG run with id {run_id!r} (see `mlops-lab dags list`).")
                raise Conflict(f"DAG run {run_id} is {status}; only a FAILED DAG run can be "
                               "resumed.")
            attempt = conn.execute(select(dr.c.attempt).where(dr.c.id == run_id)).scalar()
            conn.execute(update(ds).where(ds.c.dag_run_id == run_id, ds.c.status != "SUCCEEDED")
                         .values(status="PENDING", error=None))
        return self._go(run_id, attempt, wait)

    def _go(self, run_id: str, attempt: int, wait: bool) -> DagRun:
        if wait:
            self._execute(run_id, attempt)
        else:
            threading.Thread(target=self._execute, args=(run_id, attempt), daemon=True,
                             name=f"mlops-lab-dag-{run_id[:8]}").start()
        return self.get(run_id)

    def _execute(self, run_id: str, attempt: int) -> None:
        with self.db.read() as conn:
            definition = conn.execute(select(dr.c.definition, dr.c.concurrency)
                                      .where(dr.c.id == run_id)).first()
            rows = conn.execute(select(ds.c.name, ds.c.outputs).where(
                ds.c.dag_run_id == run_id, ds.c.status == "SUCCEEDED")).all()
        dag = Dag.from_json(json.loads(definition.definition))
        succeeded = {r.name: json.loads(r.outputs or "{}") for r in rows}
        events = _StoreEvents(self, run_id, attempt)
        error = None
        try:
            status = execute(dag, self.runner, events, dag_run_id=run_id, attempt=attempt,
                             succeeded=succeeded, concurrency=definition.concurrency)
        except BaseException as exc:  # the process is being stopped: say so, then go on stopping
            self._end(run_id, attempt, "FAILED",
                      f"The DAG run was interrupted ({type(exc).__name__}); resume it to go on.")
            raise
        bad = [n for n in dag.order() if status.get(n) != "SUCCEEDED"]
        if bad:
            failed = [n for n in bad if status.get(n) == "FAILED"]
            error = (f"Step(s) failed: {', '.join(failed)}" if failed else "Steps did not run") + (
                f"; skipped: {', '.join(n for n in bad if n not in failed)}"
                if len(bad) > len(failed) else "") + ". Fix the cause and resume the DAG run."
        self._end(run_id, attempt, "FAILED" if bad else "SUCCEEDED", error)

    def _end(self, run_id: str, attempt: int, status: str, error: str | None) -> None:
        now = now_ms()
        with self.db.write() as conn:
            # Steps caught running fail with the run; steps that never started are skipped.
            conn.execute(update(ds).where(ds.c.dag_run_id == run_id, ds.c.status == "RUNNING")
                         .values(status="FAILED", ended_at=now, error=error))
            conn.execute(update(ds).where(ds.c.dag_run_id == run_id, ds.c.status == "PENDING")
                         .values(status="SKIPPED", error=error))
            conn.execute(update(dr).where(dr.c.id == run_id, dr.c.attempt == attempt,
                                          dr.c.status == "RUNNING")
                         .values(status=status, error=error, ended_at=now))

    def _update_step(self, dag_run_id: str, step_name: str, /, **values) -> None:
        with self.db.write() as conn:
            conn.execute(update(ds).where(ds.c.dag_run_id == dag_run_id, ds.c.name == step_name)
                         .values(**values))

    # ---- reading ------------------------------------------------------------------------

    def get(self, dag_run_id: str) -> DagRun:
        run_id = _check_id(dag_run_id)
        with self.db.read() as conn:
            row = conn.execute(select(dr).where(dr.c.id == run_id)).first()
            if row is None:
                raise NotFound(f"No DAG run with id {run_id!r} (see `mlops-lab dags list`).")
            steps = conn.execute(select(ds).where(ds.c.dag_run_id == run_id)).all()
        if row.status == "RUNNING" and self._dead(row):
            self.sweep_dead_runs()
            return self.get(run_id)
        return _entity(row, steps)

    def find(self, text: str) -> DagRun:
        """A DAG run by its id or a unique prefix of at least 4 characters."""
        see = " (see `mlops-lab dags list`)"
        prefix = id_prefix(text, "DAG run", ID_LENGTH, see)
        with self.db.read() as conn:
            return self.get(one_id_with_prefix(conn, dr.c.id, prefix, "DAG run", see))

    def list_runs(self, status: str | None = None, limit: int = 100,
                  after: list | None = None) -> list[DagRun]:
        """Newest first, without their steps' details (counts by status instead); `after` a
        DAG run's (created_at, id), the runs after it."""
        check_limit(limit, MAX_LIMIT)
        if status is not None and status not in RUN_STATUSES:
            raise InvalidInput(f"status is one of {', '.join(RUN_STATUSES)}, not {status!r}.")
        self.sweep_dead_runs()
        columns = [c for c in dr.c if c.name != "definition"]  # listings need no graph
        order = [SortKey(dr.c.created_at, True), SortKey(dr.c.id, True)]
        query = keyset.page_query(select(*columns), order, after, limit)
        if status:
            query = query.where(dr.c.status == status)
        with self.db.read() as conn:
            rows = conn.execute(query).all()
            counts: dict[str, dict[str, int]] = {}
            if rows:
                for run_id, step_status, n in conn.execute(
                        select(ds.c.dag_run_id, ds.c.status, func.count())
                        .where(ds.c.dag_run_id.in_([r.id for r in rows]))
                        .group_by(ds.c.dag_run_id, ds.c.status)):
                    counts.setdefault(run_id, {})[step_status] = n
        return [_summary(r, counts.get(r.id, {})) for r in rows]

    # ---- crashed runs -------------------------------------------------------------------

    def _dead(self, row) -> bool:
        from ..runs.executor import pid_alive

        return row.host == HOST and not pid_alive(row.pid)

    def sweep_dead_runs(self) -> int:
        """Marks FAILED the RUNNING DAG runs whose process on this host is gone (they can then
        be resumed)."""
        with self.db.read() as conn:
            rows = conn.execute(select(dr.c.id, dr.c.host, dr.c.pid, dr.c.attempt)
                                .where(dr.c.status == "RUNNING")).all()
        count = 0
        for row in rows:
            if self._dead(row):
                self._end(row.id, row.attempt, "FAILED",
                          f"The process running it ended (process {row.pid} on {row.host}); "
                          "resume the DAG run to go on.")
                count += 1
        return count


class _StoreEvents:
    """The executor's events, written to the step rows as they happen."""

    def __init__(self, service: DagService, run_id: str, attempt: int):
        self.service, self.run_id, self.attempt = service, run_id, attempt

    def started(self, name: str, parameters: dict) -> None:
        self.service._update_step(
            self.run_id, name, status="RUNNING", attempt=self.attempt,
            parameters=json.dumps(parameters), outputs=None, pipeline_run_id=None, run_id=None,
            error=None, started_at=now_ms(), ended_at=None)

    def linked(self, name: str, pipeline_run_id: str) -> None:
        self.service._update_step(self.run_id, name, pipeline_run_id=pipeline_run_id)

    def finished(self, name: str, outcome: StepOutcome) -> None:
        values = dict(status=outcome.status, outputs=json.dumps(outcome.outputs),
                      run_id=outcome.run_id, error=outcome.error, ended_at=now_ms())
        if outcome.pipeline_run_id:
            values["pipeline_run_id"] = outcome.pipeline_run_id
        self.service._update_step(self.run_id, name, **values)

    def skipped(self, name: str, reason: str) -> None:
        self.service._update_step(
            self.run_id, name, status="SKIPPED", attempt=self.attempt, error=reason,
            outputs=None, pipeline_run_id=None, run_id=None, started_at=None, ended_at=None)


def _summary(row, counts: dict[str, int]) -> DagRun:
    """A DAG run for listings: its steps counted by status, not listed."""
    return DagRun(id=row.id, name=row.name, file=row.file, status=row.status,
                  attempt=row.attempt, concurrency=row.concurrency, created_at=row.created_at,
                  started_at=row.started_at, ended_at=row.ended_at, error=row.error,
                  counts=counts)


def _entity(row, steps) -> DagRun:
    dag = Dag.from_json(json.loads(row.definition))
    by_name = {s.name: s for s in steps}
    depth: dict[str, int] = {}
    out = []
    for name in dag.order():
        spec = dag.steps[name]
        depth[name] = 1 + max((depth[d] for d in spec.depends_on), default=-1)
        state = by_name.get(name)
        declared = {k: str(v) if not isinstance(v, (str, int, float, bool, list, dict, type(None)))
                    else v for k, v in spec.parameters.items()}
        if state is None:
            out.append(DagStep(name=name, notebook=spec.notebook, status="PENDING",
                               depends_on=spec.depends_on, depth=depth[name], declared=declared))
            continue
        out.append(DagStep(
            name=name, notebook=spec.notebook, status=state.status, depends_on=spec.depends_on,
            depth=depth[name], attempt=state.attempt, declared=declared,
            parameters=json.loads(state.parameters) if state.parameters else {},
            outputs=json.loads(state.outputs) if state.outputs else {},
            pipeline_run_id=state.pipeline_run_id, run_id=state.run_id, error=state.error,
            started_at=state.started_at, ended_at=state.ended_at))
    counts: dict[str, int] = {}
    for step in out:
        counts[step.status] = counts.get(step.status, 0) + 1
    return DagRun(id=row.id, name=row.name, file=row.file, status=row.status,
                  attempt=row.attempt, concurrency=row.concurrency, created_at=row.created_at,
                  started_at=row.started_at, ended_at=row.ended_at, error=row.error,
                  steps=out, counts=counts)


def _check_id(value) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if len(text) != ID_LENGTH or any(c not in "0123456789abcdef" for c in text):
        raise InvalidInput(f"{str(value)[:80]!r} is not a DAG run id (32 hex characters).")
    return text

