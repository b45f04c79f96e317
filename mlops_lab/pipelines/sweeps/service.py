"""Runs a sweep's points as pipeline runs under one sweep tracking run, locally or on Dask.

The points themselves (grid, random draws) are made in points.py; this module runs them and
reads back what each point produced.
"""

from __future__ import annotations

import json
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ...errors import InvalidInput, MlopsLabError
from ...limits import whole_number_in
from ...services import services_for
from ...store import Store
from .entities import SweepPoint, SweepResult

DASK_CONNECT_SECONDS = 30


def run_point(uri: str, artifacts: str, notebook: str, parameters: dict, parent_run_id: str,
              tags: dict, timeout: float | None, experiment: str | None,
              max_workers: int | None) -> str:
    """One point as a pipeline run, waited for; returns its id. Runs wherever it is called
    (a pool thread here, or a Dask worker), on the store named by `uri` and `artifacts`."""
    from ...services import services

    service = services(uri, artifacts).pipelines.with_limit(max_workers)
    return service.run_notebook(notebook, parameters, parent_run_id=parent_run_id, tags=tags,
                                timeout=timeout, experiment=experiment, wait=True).id


class SweepService:
    def __init__(self, store: Store, pipelines=None, tracking=None):
        """`pipelines`, `tracking`: the services it asks (by default the store's own, from the
        composition root)."""
        self.store = store
        self.pipelines = pipelines or services_for(store).pipelines
        self.tracking = tracking or services_for(store).tracking

    def run(self, notebook, points: list[dict[str, Any]], *, workers: int | None = None,
            dask: str | None = None, timeout: float | None = None,
            experiment: str | None = None, name: str | None = None,
            spec: dict | None = None) -> SweepResult:
        from ..runs.notebooks import local_notebook
        from ..runs.parameters import check_declared

        path = local_notebook(notebook)
        if workers is not None:
            whole_number_in(workers, 1, 256, "workers")
        if dask is not None and (not isinstance(dask, str) or "://" not in dask):
            raise InvalidInput(f"dask is a scheduler address like tcp://host:8786, not {dask!r}.")
        if not points:
            raise InvalidInput("The sweep has no points.")
        # A name the notebook does not declare is refused before any point runs.
        check_declared(path, {k: v for point in points for k, v in point.items()})
        tracking = self.tracking
        experiment = experiment or tracking.default_experiment()
        experiment_id = tracking.get_or_create_experiment(experiment).id
        where = dask or "local"
        client = _dask_client(dask) if dask else None  # fail before anything is recorded
        parent = tracking.create_run(
            experiment_id, name=name or f"sweep {path.stem}",
            tags={"mlops_lab.kind": "sweep", "mlops_lab.sweep.executor": where},
            source={"notebook": str(path), "kind": "sweep"})
        started = parent.start_time
        beat = _Heartbeat(tracking, parent.id)
        try:
            tracking.log_params(parent.id, {"notebook": str(path), "points": len(points),
                                            "executor": where,
                                            **{k: json.dumps(v) for k, v in (spec or {}).items()
                                               if v not in (None, {}, [])}})
            calls = [(self.store.db.uri, self.store.artifacts.url, str(path), point, parent.id,
                      {"mlops_lab.sweep": parent.id, "mlops_lab.sweep_point": str(i)},
                      timeout, experiment)
                     for i, point in enumerate(points)]
            if client is None:
                from ..runs.executor import max_workers

                # Default: the pipeline executor's own limit (MLOPS_LAB_PIPELINE_WORKERS, 4).
                pool = workers or max_workers()
                ids = local_pool(_guarded, [(call + (pool,)) for call in calls], pool)
            else:
                ids = _on_dask(client, calls)
            result = self._collect(tracking, parent.id, str(path), where, points, ids,
                                   experiment_id, started)
        except BaseException as exc:
            tracking.end_run(parent.id, "KILLED" if isinstance(exc, KeyboardInterrupt)
                             else "FAILED", f"{type(exc).__name__}: {exc}")
            raise
        finally:
            beat.stop()
            if client is not None:
                client.close()
        ok = sum(p.status == "SUCCEEDED" for p in result.points)
        tracking.log_metrics(parent.id, {"points_succeeded": ok,
                                         "points_failed": len(result.points) - ok})
        tracking.end_run(parent.id, "FINISHED" if ok else "FAILED",
                         None if ok else "No point of the sweep succeeded.")
        return result

    def _collect(self, tracking, sweep_id, notebook, where, points, ids, experiment_id,
                 started) -> SweepResult:
        """Each point's pipeline run, with its numeric outputs and the metrics its notebook
        logged (on its tracking run or that run's children)."""
        pipelines = self.pipelines
        runs = {}
        for index, found in enumerate(ids):
            if isinstance(found, str):
                runs[index] = pipelines.get(found)
        tracking_ids = {r.run_id for r in runs.values() if r.run_id}
        metrics: dict[str, dict[str, float]] = {}
        if tracking_ids:
            page = tracking.search_runs([experiment_id], f"start_time >= {started}", None, 10_000)
            for run in page.runs:  # children first, the point's own values win below
                if run.parent_run_id in tracking_ids:
                    metrics.setdefault(run.parent_run_id, {}).update(run.metrics)
            for run in page.runs:
                if run.id in tracking_ids:
                    metrics.setdefault(run.id, {}).update(run.metrics)
        out = []
        for index, point in enumerate(points):
            run = runs.get(index)
            if run is None:
                out.append(SweepPoint(index, point, "FAILED", error=str(ids[index])))
                continue
            numbers = {k: float(v) for k, v in run.outputs.items()
                       if isinstance(v, (int, float)) and not isinstance(v, bool)
                       and math.isfinite(v)}
            if numbers and run.run_id:
                try:
                    tracking.log_metrics(run.run_id, numbers)
                except MlopsLabError:
                    pass  # a name that is not a metric name: the output is still in the table
            values = {**metrics.get(run.run_id, {}), **numbers}
            out.append(SweepPoint(index, point, run.status, pipeline_run_id=run.id,
                                  run_id=run.run_id, outputs=dict(run.outputs), metrics=values,
                                  error=run.error, duration_ms=run.duration_ms))
        return SweepResult(id=sweep_id, notebook=notebook, executor=where, points=out)


class _Heartbeat:
    """Keeps the sweep run's heartbeat fresh while its points run (a run silent for three
    heartbeat intervals is taken for dead by the next process that sweeps the store)."""

    def __init__(self, tracking, run_id: str):
        from ... import config

        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, args=(tracking, run_id, config.heartbeat_seconds()),
            daemon=True, name=f"mlops-lab-sweep-heartbeat-{run_id[:8]}")
        self._thread.start()

    def _beat(self, tracking, run_id: str, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                tracking.heartbeat([run_id])
            except Exception:  # noqa: BLE001 - a busy store must not end the sweep
                pass

    def stop(self) -> None:
        self._stop.set()


def _guarded(*call):
    """A point on the local pool: its failure to start is its own, not the sweep's."""
    try:
        return run_point(*call)
    except MlopsLabError as exc:
        return exc


def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - a dependency of mlops-lab
        raise InvalidInput("Dask distributed is not installed: pip install 'dask[distributed]'.")
    try:
        return Client(address, timeout=DASK_CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise InvalidInput(f"Cannot reach the Dask scheduler at {address!r} ({exc}); start one "
                           "with `dask scheduler` or give the right address.") from None


def _on_dask(client, calls: list[tuple]) -> list:
    """Every point as one Dask task (each waits for its pipeline run on the worker that took
    it, so the cluster's slots are the sweep's concurrency)."""
    futures = [client.submit(run_point, *call, 1_000_000, pure=False,
                             key=f"mlops-lab-sweep-point-{call[4][:8]}-{i}")
               for i, call in enumerate(calls)]
    results = []
    for future in futures:
        try:
            results.append(future.result())
        except MlopsLabError as exc:
            results.append(exc)
        except Exception as exc:  # noqa: BLE001 - a task lost on the cluster fails its point
            results.append(f"The Dask task failed: {type(exc).__name__}: {exc}")
    return results


def local_pool(fn, calls: list[tuple], workers: int) -> list:
    """`fn(*call)` for every call, `workers` at a time, results in order."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mlops-lab-sweep") as pool:
        return list(pool.map(lambda call: fn(*call), calls))
