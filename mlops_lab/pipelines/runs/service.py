"""Pipeline runs: a notebook executed by papermill in a worker process of its own.

Entry points (`ml.run_notebook`, `mlops-lab run`, REST, the scheduler, DAGs and sweeps) call
`PipelineService.run_notebook` / `submit`; the rules live here: parameters are checked, the input
notebook is snapshotted (a content-addressed blob) and checked before anything runs, and the run
is queued for a worker (executor.py). Status: QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED,
moved by lifecycle.py only.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from ...clock import now_ms
from ...errors import Conflict, InvalidInput, NotFound
from ...naming import clean_key, clean_name
from ...limits import check_limit
from ...store import Store, keyset
from ...store.keyset import SortKey
from ...store.ids import id_prefix, one_id_with_prefix
from ...store.tables.pipelines import pipeline_outputs as po
from ...store.tables.pipelines import pipeline_runs as pr
from . import executor, lifecycle
from .entities import ENDED, STATUSES, PipelineRun
from .notebooks import check_notebook, local_notebook, read_bytes
from .parameters import as_injected, check_parameters, effective_parameters

RUN_ID_LENGTH = 32
MAX_LIMIT = 10_000
# How often `wait` looks at the database when the run is not this process's child.
POLL_SECONDS = 0.05


def default_output(notebook: Path, run_id: str) -> Path:
    """Next to the input, in a visible folder so JupyterLab can open it:
    `<folder>/<stem>.runs/<pipeline run id>.ipynb`."""
    return notebook.parent / f"{notebook.stem}.runs" / f"{run_id}.ipynb"


class PipelineService:
    def __init__(self, store: Store, max_workers: int | None = None):
        self.store = store
        self.db = store.db
        self.max_workers = max_workers

    def with_limit(self, max_workers: int | None) -> "PipelineService":
        """This service with another limit of runs at once (a sweep's pool size)."""
        return self if max_workers == self.max_workers else PipelineService(self.store, max_workers)

    # ---- starting runs ----------------------------------------------------------------

    def run_notebook(self, notebook: str | os.PathLike, parameters: dict | None = None, *,
                     output: str | os.PathLike | None = None, timeout: float | None = None,
                     parent_run_id: str | None = None, tags: dict | None = None,
                     wait: bool = True, retries: int = 0, retry_backoff: float = 1.0,
                     kernel_name: str | None = None, cwd: str | os.PathLike | None = None,
                     experiment: str | None = None, allow_undeclared: bool = False,
                     in_this_process: bool = False) -> PipelineRun:
        """Runs a local notebook with papermill as a pipeline run; with `wait`, returns once it
        ended. A notebook that cannot run (not JSON, not nbformat 4, missing kernel) gives a
        FAILED run whose error says why; bad parameters, and parameters the notebook's
        `parameters` cell does not declare (unless `allow_undeclared`), raise InvalidInput.

        `in_this_process` (with `wait`; for `mlops-lab run`): this process executes the run
        itself when there is capacity, instead of starting a worker process that would import
        papermill again."""
        path = local_notebook(notebook)
        here = in_this_process and wait
        run = self.submit(path, read_bytes(path), parameters, output=output, timeout=timeout,
                          parent_run_id=parent_run_id, tags=tags, retries=retries,
                          retry_backoff=retry_backoff, kernel_name=kernel_name, cwd=cwd,
                          experiment=experiment, allow_undeclared=allow_undeclared,
                          dispatch=not here)
        if here and not run.ended:
            self.execute_here(run.id)
        if wait and not run.ended:
            return self.wait(run.id)
        return run

    def submit(self, notebook: Path, data: bytes, parameters: dict | None = None, *,
               output=None, timeout=None, parent_run_id=None, tags=None, retries=0,
               retry_backoff=1.0, kernel_name=None, cwd=None, experiment=None,
               schedule_id=None, fire_time=None, reproduce_of=None, dispatch=True,
               conn=None, allow_undeclared=False) -> PipelineRun:
        """Stores the run (QUEUED, or FAILED if the notebook cannot run) and starts a worker
        if there is capacity. `conn`: insert inside the caller's write transaction (the
        scheduler's fire row and the run commit together); the caller dispatches after."""
        row = self.prepare(notebook, data, parameters, output=output, timeout=timeout,
                           parent_run_id=parent_run_id, tags=tags, retries=retries,
                           retry_backoff=retry_backoff, kernel_name=kernel_name, cwd=cwd,
                           experiment=experiment, schedule_id=schedule_id,
                           fire_time=fire_time, reproduce_of=reproduce_of,
                           allow_undeclared=allow_undeclared)
        lifecycle.queue(self.db, row, conn)
        if conn is not None:
            return _entity(row, {})
        if dispatch and row["status"] == "QUEUED":
            self.dispatch()
        return self.get(row["id"])

    def prepare(self, notebook: Path, data: bytes, parameters: dict | None, *, output=None,
                timeout=None, parent_run_id=None, tags=None, retries=0, retry_backoff=1.0,
                kernel_name=None, cwd=None, experiment=None, schedule_id=None,
                fire_time=None, reproduce_of=None, problem: str | None = None,
                allow_undeclared: bool = False) -> dict:
        """The row of a new run: checked, its notebook snapshot stored (blob first). With
        `problem` (e.g. the scheduled notebook is gone) the run is stored FAILED with it.

        Parameters the notebook does not declare are refused (InvalidInput) before anything is
        stored, unless `allow_undeclared`; a schedule's tick cannot be refused to anyone, so it
        is stored FAILED with the same message instead."""
        parameters = check_parameters(parameters)
        if not isinstance(allow_undeclared, bool):
            raise InvalidInput("allow_undeclared must be true or false.")
        timeout = _positive(timeout, "timeout")
        if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 100:
            raise InvalidInput("retries must be a whole number from 0 to 100.")
        retry_backoff = _positive(retry_backoff, "retry_backoff") or 0.0
        if tags is not None and not isinstance(tags, dict):
            raise InvalidInput("tags must be an object of name -> text.")
        tags = {clean_key(k, "tag name"): clean_name(str(v), "tag value", 5000)
                for k, v in (tags or {}).items()}
        if parent_run_id is not None:
            parent_run_id = _run_id(parent_run_id, "parent run id")
        if experiment is not None:
            experiment = clean_name(experiment, "experiment name")
        run_id = uuid.uuid4().hex
        effective = {}
        if problem is None:
            kernel, problem = check_notebook(data, kernel_name)
            if problem is None:
                try:
                    effective = effective_parameters(data, parameters, allow_undeclared,
                                                     notebook.name)
                    parameters = as_injected(parameters, effective)
                except InvalidInput as exc:
                    if schedule_id is None:
                        raise
                    problem = str(exc)
            blob, _ = self.store.artifacts.put_bytes(data)
        else:
            kernel, blob = kernel_name, None
        out = Path(output).expanduser().resolve() if output else default_output(notebook, run_id)
        now = now_ms()
        return dict(
            id=run_id, notebook=str(notebook), notebook_blob=blob, kernel_name=kernel,
            cwd=str(Path(cwd).expanduser().resolve()) if cwd else str(notebook.parent),
            parameters=json.dumps(parameters), effective_parameters=json.dumps(effective),
            status="FAILED" if problem else "QUEUED",
            error=problem, output_path=str(out), parent_run_id=parent_run_id,
            schedule_id=schedule_id, fire_time=fire_time, reproduce_of=reproduce_of,
            experiment=experiment, tags=json.dumps(tags), timeout=timeout, retries=retries,
            retry_backoff=retry_backoff, attempt=1, created_at=now,
            ended_at=now if problem else None, started_at=now if problem else None,
        )

    def execute_here(self, pipeline_run_id: str) -> None:
        """Runs a QUEUED run in this process if it is within the limit of runs at once (else a
        worker takes it when one is free), then starts workers for what else is queued."""
        if executor.claim(self.store, executor.max_workers(self.max_workers), pipeline_run_id):
            from .worker import execute

            execute(self, pipeline_run_id)
        self.dispatch()

    def dispatch(self) -> list[str]:
        """Starts workers for queued runs while there is capacity."""
        return executor.dispatch(self.store, self.max_workers)

    # ---- reading ----------------------------------------------------------------------

    def get(self, pipeline_run_id: str) -> PipelineRun:
        run_id = _run_id(pipeline_run_id, "pipeline run id")
        with self.db.read() as conn:
            row = conn.execute(select(pr).where(pr.c.id == run_id)).first()
            if row is None:
                raise NotFound(f"No pipeline run with id {run_id!r} "
                               "(see `mlops-lab pipeline-runs`).")
            outputs = self._outputs(conn, [run_id])
        return _entity(row._mapping, outputs.get(run_id, {}))

    def find(self, text: str) -> PipelineRun:
        """A pipeline run by its id or a unique prefix of at least 4 characters."""
        see = " (see `mlops-lab pipeline-runs`)"
        prefix = id_prefix(text, "pipeline run", see=see)
        if len(prefix) == 32:
            return self.get(prefix)
        with self.db.read() as conn:
            return self.get(one_id_with_prefix(conn, pr.c.id, prefix, "pipeline run", see))

    def by_tracking_run(self, run_id: str) -> PipelineRun | None:
        with self.db.read() as conn:
            found = conn.execute(select(pr.c.id).where(pr.c.run_id == run_id)).scalar()
        return None if found is None else self.get(found)

    def list_runs(self, status: str | None = None, notebook: str | None = None,
                  schedule_id: str | None = None, limit: int = 100,
                  after: list | None = None) -> list[PipelineRun]:
        """Newest first; `after` a pipeline run's (created_at, id), the runs after it."""
        check_limit(limit, MAX_LIMIT)
        query = select(pr)
        if status:
            if status not in STATUSES:
                raise InvalidInput(f"status is one of {', '.join(STATUSES)}, not {status!r}.")
            query = query.where(pr.c.status == status)
        if notebook:
            query = query.where(pr.c.notebook.contains(notebook, autoescape=True))
        if schedule_id:
            query = query.where(pr.c.schedule_id == schedule_id)
        order = [SortKey(pr.c.created_at, True), SortKey(pr.c.id, True)]
        query = keyset.page_query(query, order, after, limit)
        with self.db.read() as conn:
            rows = conn.execute(query).all()
            outputs = self._outputs(conn, [r.id for r in rows])
        return [_entity(r._mapping, outputs.get(r.id, {})) for r in rows]

    def ended_since(self, since_ms: int, status: str = "FAILED",
                    limit: int = MAX_LIMIT) -> list[PipelineRun]:
        """Runs that ended with `status` at or after `since_ms`, oldest end first (the alerts
        part reads failures through this)."""
        check_limit(limit, MAX_LIMIT)
        if status not in ENDED:
            raise InvalidInput(f"status is one of {', '.join(ENDED)}, not {status!r}.")
        if isinstance(since_ms, bool) or not isinstance(since_ms, int):
            raise InvalidInput("since_ms is a time in whole milliseconds since the epoch.")
        query = (select(pr).where(pr.c.status == status, pr.c.ended_at >= since_ms)
                 .order_by(pr.c.ended_at, pr.c.id).limit(limit))
        with self.db.read() as conn:
            rows = conn.execute(query).all()
            outputs = self._outputs(conn, [r.id for r in rows])
        return [_entity(r._mapping, outputs.get(r.id, {})) for r in rows]

    def _outputs(self, conn, ids: list[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        if ids:
            for row in conn.execute(select(po.c.pipeline_run_id, po.c.name, po.c.value)
                                    .where(po.c.pipeline_run_id.in_(ids)).order_by(po.c.created_at)):
                found.setdefault(row.pipeline_run_id, {})[row.name] = json.loads(row.value)
        return found

    def output_notebook(self, pipeline_run_id: str) -> bytes:
        run = self.get(pipeline_run_id)
        if run.output_blob is None:
            raise NotFound(f"Pipeline run {run.id} has no output notebook "
                           f"({'it is ' + run.status if not run.ended else 'none was written'}).")
        return self.store.artifacts.read(run.output_blob)

    def log(self, pipeline_run_id: str) -> str:
        """The run's log: whole once it ended, its last 64 KB while it runs."""
        run = self.get(pipeline_run_id)
        if run.log_blob is not None:
            return self.store.artifacts.read(run.log_blob).decode("utf-8", "replace")
        with self.db.read() as conn:
            return conn.execute(select(pr.c.log_tail).where(pr.c.id == run.id)).scalar() or ""

    # ---- waiting and cancelling -----------------------------------------------------------

    def wait(self, pipeline_run_id: str, timeout: float | None = None) -> PipelineRun:
        """The run once it has ended (polls the store; waits on the worker if it is ours)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        dispatched = 0.0
        while True:
            run = self.get(pipeline_run_id)
            if run.ended:
                return run
            if deadline is not None and time.monotonic() > deadline:
                return run
            proc = executor.child(run.id)
            if proc is not None:
                try:
                    proc.wait(timeout=POLL_SECONDS if deadline is None
                              else max(0.0, min(1.0, deadline - time.monotonic())))
                except Exception:  # noqa: BLE001 - subprocess.TimeoutExpired: look again
                    pass
                if proc.poll() is not None:
                    run = self.get(run.id)
                    if not run.ended:  # the worker died without ending the run
                        self.mark_dead(run.id, "The worker process ended without finishing.")
                    continue
            elif run.status == "QUEUED" and time.monotonic() - dispatched > 1.0:
                dispatched = time.monotonic()  # a claim is a write: at most one a second
                self.dispatch()
            time.sleep(POLL_SECONDS)  # polling the store for a state change, not synchronising

    def cancel(self, pipeline_run_id: str) -> PipelineRun:
        """QUEUED or RUNNING -> CANCELLED; a running kernel is killed. Ended runs stay as they are.

        The worker stops at any moment (it looks before each step that starts work and kills
        any kernel started after the cancel), stores nothing of it as a result (no output
        notebook; `ml.output` is refused; runs started inside end KILLED) and says in the
        error where the run stopped."""
        run = self.get(pipeline_run_id)
        if run.ended:
            return run
        lifecycle.cancel(self.db, run.id, worker_started=run.pid is not None)
        if (run.status == "RUNNING" and run.host == executor.HOST and run.pid
                and run.pid != os.getpid()):
            # The kernel goes at once; the worker sees CANCELLED, keeps its log, stores
            # nothing of the run as a result and ends its tracking run KILLED.
            executor.kill_tree(run.pid, include_self=False)
        self.dispatch()
        return self.get(run.id)

    def note_cancelled(self, pipeline_run_id: str, stage: str) -> None:
        """The worker's word on where a cancelled run stopped ("running cell 3", …)."""
        lifecycle.note_cancelled(self.db, pipeline_run_id, stage)

    # ---- what notebooks record -------------------------------------------------------

    def record_output(self, pipeline_run_id: str, name: str, value: Any) -> None:
        name = clean_key(name, "output name")
        try:
            text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise InvalidInput(f"Output {name!r} must be JSON-typed (text, finite number, "
                               f"true/false, null, list, dict), not {type(value).__name__}.") from None
        run_id = _run_id(pipeline_run_id, "pipeline run id")
        with self.db.write() as conn:
            status = conn.execute(select(pr.c.status).where(pr.c.id == run_id)).scalar()
            if status is None:
                raise NotFound(f"No pipeline run with id {run_id!r}.")
            if status in ENDED:  # e.g. cancelled: what the notebook does after is no result
                raise Conflict(f"Pipeline run {run_id} is {status}: output {name!r} is not "
                               "recorded.")
            conn.execute(delete(po).where(po.c.pipeline_run_id == run_id, po.c.name == name))
            conn.execute(insert(po).values(pipeline_run_id=run_id, name=name, value=text,
                                           created_at=now_ms()))

    # ---- crashed workers ----------------------------------------------------------------

    def mark_dead(self, pipeline_run_id: str, why: str) -> bool:
        return lifecycle.mark_crashed(self.db, pipeline_run_id, why)

    def sweep_dead_runs(self, why: str = "The worker process ended while the run was active",
                        stale_seconds: float = 120.0) -> int:
        """Marks FAILED the RUNNING runs whose worker is gone: on this host a pid that no longer
        runs; anywhere, no heartbeat for `stale_seconds`."""
        stale_before = now_ms() - int(stale_seconds * 1000)
        with self.db.read() as conn:
            rows = conn.execute(select(pr.c.id, pr.c.host, pr.c.pid, pr.c.heartbeat_at)
                                .where(pr.c.status == "RUNNING")).all()
        count = 0
        for row in rows:
            # pid None: claimed, its worker not started yet (the heartbeat covers a claimer
            # that died before starting it).
            dead_here = (row.host == executor.HOST and row.pid is not None
                         and not executor.pid_alive(row.pid))
            if dead_here or (row.heartbeat_at or 0) < stale_before:
                count += self.mark_dead(row.id, f"{why} (process {row.pid} on {row.host}).")
        return count


def _positive(value, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 \
            or value == float("inf"):
        raise InvalidInput(f"{name} must be a number of seconds (0 or more).")
    return float(value) or None


def _run_id(value, what: str) -> str:
    text = str(value).strip().lower() if isinstance(value, str) else ""
    if len(text) != RUN_ID_LENGTH or any(c not in "0123456789abcdef" for c in text):
        raise InvalidInput(f"{str(value)[:80]!r} is not a {what} (32 hex characters).")
    return text


def _entity(row, outputs: dict) -> PipelineRun:
    return PipelineRun(
        id=row["id"], notebook=row["notebook"], status=row["status"],
        parameters=json.loads(row["parameters"] or "{}"), created_at=row["created_at"],
        notebook_hash=row.get("notebook_blob"), kernel_name=row.get("kernel_name"),
        cwd=row.get("cwd"),
        outputs=outputs, error=row.get("error"),
        failing_cell=json.loads(row["failing_cell"]) if row.get("failing_cell") else None,
        output_notebook=row.get("output_path"), output_blob=row.get("output_blob"),
        log_blob=row.get("log_blob"), run_id=row.get("run_id"),
        parent_run_id=row.get("parent_run_id"), schedule_id=row.get("schedule_id"),
        fire_time=row.get("fire_time"), reproduce_of=row.get("reproduce_of"),
        experiment=row.get("experiment"), tags=json.loads(row.get("tags") or "{}"),
        timeout=row.get("timeout"), retries=row.get("retries") or 0,
        retry_backoff=row.get("retry_backoff") if row.get("retry_backoff") is not None else 1.0,
        attempt=row.get("attempt") or 1, started_at=row.get("started_at"),
        ended_at=row.get("ended_at"), host=row.get("host"), pid=row.get("pid"),
        effective_parameters=json.loads(row.get("effective_parameters") or "{}"),
    )
