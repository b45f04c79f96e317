"""The module-level tracking API (`import mlops_lab as ml`), shaped like MLflow's so habits carry
over. It keeps the process's stack of active runs and calls TrackingService for everything else.

Differences from MLflow worth knowing: a run started while another is active becomes its child
(no `nested=True` needed), and a run whose block raises ends FAILED (KILLED for
KeyboardInterrupt / SystemExit), never FINISHED.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

from .. import config
from ..clock import now_ms
from . import background
from .entities import ArtifactInfo, Experiment, Run, RunPage
from .service import TrackingService, param_text

_stack: list["ActiveRun"] = []
_experiment_name: str | None = None
_heartbeat: threading.Thread | None = None
_swept: set[tuple] = set()
_uncaught: list[BaseException] = []


def service() -> TrackingService:
    """The TrackingService for the store the environment and working directory name."""
    from ..services import services

    return services().tracking


class ActiveRun:
    """A run this process has started; a context manager that ends it.

    It remembers what this process logged to it, so `summary()` can show the run without
    reading it back from the store (the `%%track` summary under every cell uses that)."""

    def __init__(self, run: Run, svc: TrackingService):
        self.info = run
        self.service = svc  # the store the run lives in, whatever the working directory becomes
        self.params: dict[str, str] = {}
        self.metrics: dict[str, float] = {}
        self._steps: dict[str, int] = {}
        self.status, self.error, self.end_time = "RUNNING", None, None

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def name(self) -> str:
        return self.info.name

    def remember_params(self, params: dict[str, Any]) -> None:
        self.params.update({k: param_text(v) for k, v in params.items()})

    def remember_metrics(self, metrics: dict[str, float], step: int | None) -> None:
        step = step or 0
        for key, value in metrics.items():
            if step >= self._steps.get(key, step):
                self.metrics[key], self._steps[key] = float(value), step

    def summary(self) -> Run:
        """The run as this process knows it: what it logged, its status and times."""
        return replace(self.info, params=dict(self.params), metrics=dict(self.metrics),
                       status=self.status, error=self.error, end_time=self.end_time)

    def __enter__(self) -> "ActiveRun":
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        _end(self, *outcome(kind, exc))
        return False

    def end_after(self, kind, exc, work) -> Future:
        """Ends the run as ``__exit__`` would, but in the store only once ``work()`` has run on
        the background thread (``ml.flush()`` waits): the run leaves the active stack now, so
        the next run is not its child, and keeps its heartbeat until it ends. An exception in
        ``work`` is recorded by ``work`` itself; the run ends either way. The future holds what
        ``work`` returned."""
        if self not in _stack:  # the cell ended its own run: only the work is left
            return background.submit(work)
        _end(self, *outcome(kind, exc), later=True)
        return background.submit(_end_after, self, work)

    def __repr__(self) -> str:
        return f"<ActiveRun {self.name!r} id={self.id}>"


def set_experiment(name: str) -> Experiment:
    """Makes `name` the experiment of runs started from now on (created if new)."""
    global _experiment_name
    experiment = service().get_or_create_experiment(name)
    _experiment_name = experiment.name
    return experiment


def start_run(name: str | None = None, experiment: str | None = None,
              tags: dict[str, Any] | None = None, *, source: dict | None = None,
              environment: dict | None = None) -> ActiveRun:
    """Starts a run; use it as a context manager so it ends (FAILED on an exception).

    A run started while another is active becomes its child, in the parent's experiment unless
    `experiment` says otherwise.
    """
    svc = service()
    _sweep_once(svc)
    parent = _stack[-1] if _stack else None
    outer = None if parent else _pipeline_parent(svc)  # the pipeline run this kernel serves
    if experiment is not None:
        experiment_id = svc.get_or_create_experiment(experiment).id
    elif parent is not None:
        experiment_id = parent.info.experiment_id
    elif outer is not None:
        experiment_id = outer.experiment_id
    else:
        name_ = _experiment_name or svc.default_experiment()
        experiment_id = svc.get_or_create_experiment(name_).id
    parent_id = parent.id if parent else outer.id if outer else None
    pipeline_run = os.environ.get("MLOPS_LAB_PIPELINE_RUN")
    if pipeline_run and "mlops_lab.pipeline_run" not in (tags or {}):
        # Made while a pipeline run executes (a cell, a sweep's child): reproducible from it.
        tags = {**(tags or {}), "mlops_lab.pipeline_run": pipeline_run}
    run = svc.create_run(experiment_id, name=name, parent_run_id=parent_id,
                         tags=tags, source=source, environment=environment)
    active = ActiveRun(run, svc)
    _stack.append(active)
    _start_heartbeat()
    return active


_pipeline_parents: dict[str, Run | None] = {}


def _pipeline_parent(svc: TrackingService) -> Run | None:
    """The tracking run of the pipeline run this process executes (env MLOPS_LAB_PARENT_RUN,
    set by the pipeline worker): top-level runs started here become its children."""
    run_id = os.environ.get("MLOPS_LAB_PARENT_RUN")
    if not run_id:
        return None
    if run_id not in _pipeline_parents:
        try:
            _pipeline_parents[run_id] = svc.get_run(run_id)
        except Exception:  # an unknown or unreadable parent: runs stay top-level
            _pipeline_parents[run_id] = None
    return _pipeline_parents[run_id]


def active_run() -> ActiveRun | None:
    return _stack[-1] if _stack else None


def current_run_id() -> str | None:
    """The run what this process reads and makes belongs to: the innermost active run, else
    the tracked run of the pipeline run this kernel executes, else None."""
    if _stack:
        return _stack[-1].id
    if not os.environ.get("MLOPS_LAB_PARENT_RUN"):
        return None  # no store is opened just to find out
    outer = _pipeline_parent(service())
    return outer.id if outer is not None else None


def end_run(status: str = "FINISHED", error: str | None = None) -> None:
    """Ends the innermost active run (and with it any runs it still has open)."""
    if _stack:
        _end(_stack[-1], status, error)


def outcome(kind, exc) -> tuple[str, str | None]:
    """(status, error) of a run whose block ended with this exception (or none)."""
    if kind is None:
        return "FINISHED", None
    if issubclass(kind, (KeyboardInterrupt, SystemExit)):
        return "KILLED", f"{kind.__name__}: {exc}".rstrip(": ")
    return "FAILED", f"{kind.__name__}: {exc}"


def _end(active: ActiveRun, status: str, error: str | None = None, later: bool = False) -> None:
    if active not in _stack:
        return  # already ended
    while _stack:
        top = _stack.pop()
        # Children still open when their parent ends had no chance to finish their work.
        top.status = status if top is active else "KILLED"
        top.error = error if top is active else "Its parent run ended first."
        if top is active and later:
            top.end_time = now_ms()  # when its block ended; the store's when it is complete
            _finishing.append(top)
        else:
            top.end_time = top.service.end_run(top.id, top.status, top.error)
        if top is active:
            break


_finishing: list[ActiveRun] = []  # runs off the stack whose last work is still being written


def _end_after(active: ActiveRun, work):
    try:
        return work()
    finally:
        _finishing.remove(active)
        active.service.end_run(active.id, active.status, active.error)


def _active() -> ActiveRun:
    """The active run, starting one if there is none (as MLflow does)."""
    return _stack[-1] if _stack else start_run()




def log_param(key: str, value: Any) -> None:
    log_params({key: value})


def log_params(params: dict[str, Any]) -> None:
    run = _active()
    run.service.log_params(run.id, params)
    run.remember_params(params)


def log_metric(key: str, value: float, step: int | None = None) -> None:
    """Logs one value; durable in the store when the call returns."""
    log_metrics({key: value}, step)


def log_metrics(metrics: dict[str, float], step: int | None = None) -> None:
    run = _active()
    run.service.log_metrics(run.id, metrics, step=step)
    run.remember_metrics(metrics, step)


def set_tag(key: str, value: Any) -> None:
    set_tags({key: value})


def set_tags(tags: dict[str, Any]) -> None:
    run = _active()
    run.service.set_tags(run.id, tags)


def log_artifact(local_path: str, artifact_path: str | None = None):
    """Logs a file, or every file below a folder, to the active run (a folder holding a
    symbolic link that leads outside it is refused: its target is never stored)."""
    run = _active()
    return run.service.log_artifact(run.id, local_path, artifact_path)


def log_artifact_bytes(data: bytes, artifact_path: str, media_type: str | None = None):
    run = _active()
    return run.service.log_artifact_bytes(run.id, data, artifact_path, media_type)


def log_figure(figure, artifact_path: str):
    """Logs a plotly figure (as plotly JSON, which the side panel renders) or a matplotlib
    figure (as PNG). `artifact_path` like 'plots/roc' gets the right extension added."""
    if hasattr(figure, "to_plotly_json") and hasattr(figure, "to_json"):
        path = artifact_path if artifact_path.endswith(".plotly.json") else f"{artifact_path}.plotly.json"
        return log_artifact_bytes(figure.to_json().encode(), path, "application/vnd.plotly.v1+json")
    if hasattr(figure, "savefig"):
        import io

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        path = artifact_path if artifact_path.endswith(".png") else f"{artifact_path}.png"
        return log_artifact_bytes(buffer.getvalue(), path, "image/png")
    from ..errors import InvalidInput

    raise InvalidInput(f"log_figure takes a plotly or matplotlib figure, not {type(figure).__name__}.")


def list_artifacts(run_id: str, path: str | None = None) -> list[ArtifactInfo]:
    """The run's artifacts (path, size, media type…); with `path`, that file or the files
    below that folder."""
    return service().list_artifacts(run_id, path)


def download_artifact(run_id: str, path: str, dst: str | os.PathLike | None = None,
                      overwrite: bool = False) -> str:
    """Writes the run's artifact `path` to local disk and returns where.

    A file goes to `dst` (or into `dst` when it is a folder; `./NAME` by default); a folder's
    files go below `dst` (`./FOLDER` by default) keeping their paths inside it. Each file is
    written whole (temp file, then rename) and checked against its content hash. Existing
    files are refused unless `overwrite=True`; nothing is written outside `dst`.
    """
    local, _ = service().download_artifact(run_id, path, dst, overwrite)
    return str(local)


def get_run(run_id: str) -> Run:
    return service().get_run(run_id)


def search_runs(experiment=None, filter: str = "", order_by: list[str] | str | None = None,
                max_results: int = 100, page_token: str | None = None) -> RunPage:
    """Runs matching `filter` (e.g. "metrics.auc > 0.9 and params.model = 'rf'"), ordered by
    `order_by` (e.g. ["metrics.auc desc"]). The page iterates and has a length like a list of
    runs (also `.runs`); pass `.next_page_token` (or `.token`) back for the next page."""
    if isinstance(order_by, str):
        order_by = [order_by]
    svc = service()
    return svc.search_runs(svc.experiment_ids(experiment), filter, order_by, max_results,
                           page_token)


def search_runs_df(experiment=None, filter: str = "", order_by: list[str] | str | None = None,
                   max_results: int = 1000):
    """The same search as a pandas DataFrame: one row per run, columns `params.*`,
    `metrics.*`, `tags.*` beside run_id, name, status, start_time, end_time, duration."""
    import pandas as pd

    page = search_runs(experiment, filter, order_by, max_results)
    rows = []
    for run in page.runs:
        row = {"run_id": run.id, "name": run.name, "experiment_id": run.experiment_id,
               "status": run.status, "start_time": run.start_time, "end_time": run.end_time,
               "duration_s": None if run.duration_ms is None else run.duration_ms / 1000,
               "parent_run_id": run.parent_run_id}
        row.update({f"params.{k}": v for k, v in run.params.items()})
        row.update({f"metrics.{k}": v for k, v in run.metrics.items()})
        row.update({f"tags.{k}": v for k, v in run.tags.items()})
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("start_time", "end_time"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], unit="ms", utc=True)
    return frame


def flush() -> None:
    """Waits for background work (the git state and model files of tracked cells) to be stored,
    however long a large model file takes."""
    background.flush(timeout=None)


# ---- liveness: heartbeats while runs are active, and how runs end with the process --------

def _start_heartbeat() -> None:
    global _heartbeat
    if _heartbeat is None or not _heartbeat.is_alive():
        _heartbeat = threading.Thread(target=_beat, name="mlops-lab-heartbeat", daemon=True)
        _heartbeat.start()


_wake = threading.Event()


def _beat() -> None:
    while not _wake.wait(config.heartbeat_seconds()):
        for run in list(_stack) + list(_finishing):
            try:
                run.service.heartbeat([run.id])
            except Exception:  # a busy or unreachable store must not kill the thread
                pass


def _sweep_once(svc: TrackingService) -> None:
    """Once per store per process: mark runs of processes that died as KILLED."""
    key = (svc.store.db.uri,)
    if key not in _swept:
        _swept.add(key)
        try:
            svc.sweep_dead_runs()
        except Exception:
            pass


def _excepthook(kind, value, tb):
    _uncaught.append(value)
    _previous_excepthook(kind, value, tb)


def _at_exit() -> None:
    """A script that ends with runs still open: FAILED if it died of an exception."""
    background.flush()
    if _stack:
        if _uncaught:
            end = _uncaught[-1]
            _end(_stack[0], "FAILED", f"{type(end).__name__}: {end}")
        else:
            _end(_stack[0], "FINISHED")


_previous_excepthook = sys.excepthook
sys.excepthook = _excepthook
atexit.register(_at_exit)
