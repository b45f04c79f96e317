"""Monitor rules: create, read, change and delete monitors; run one (by hand or on its
schedule) and keep each run's results; ground-truth labels that arrive after predictions.

Entry points (Python API, CLI, REST, the scheduler) call these methods and nothing below them.
A run reads the model registry, datasets and the prediction log through their services."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import delete, func, insert, select, update

from ...clock import now_ms
from ...collaborators import Collaborator
from ...errors import InvalidInput, NotFound
from ...limits import check_limit
from ...models.names import user_name
from ...naming import clean_name
from ...store import Store, keyset
from ...store.keyset import SortKey
from ...store.tables import monitoring as t
from . import specs
from .entities import Monitor, MonitorRun
from .labels import Labels
from .reference import training_snapshot
from .running import Running

LIST_LIMIT = 10_000


def _monitor(row) -> Monitor:
    return Monitor(id=row.id, name=row.name, model_name=row.model_name, alias=row.alias,
                   current=json.loads(row.current), reference_ref=row.reference_ref,
                   reference_version=row.reference_version,
                   thresholds=json.loads(row.thresholds or "{}"), label_metric=row.label_metric,
                   schedule=row.schedule, next_run_at=row.next_run_at,
                   created_at=row.created_at, updated_at=row.updated_at,
                   created_by=row.created_by)


def _run(row, monitor: str) -> MonitorRun:
    return MonitorRun(id=row.id, monitor=monitor, trigger=row.trigger, status=row.status,
                      started_at=row.started_at, finished_at=row.finished_at,
                      model_version=row.model_version, rows_current=row.rows_current,
                      drift_share=row.drift_share, result=json.loads(row.result or "{}"),
                      error=row.error)


class MonitorService(Running, Labels):
    models = Collaborator("models")
    datasets = Collaborator("datasets")
    serving = Collaborator("serving")
    features = Collaborator("features")  # the freshness of the feature sets a version read

    def __init__(self, store: Store, models=None, datasets=None, serving=None, alerts=None):
        self.store, self.db = store, store.db
        self._models, self._datasets, self._serving = models, datasets, serving
        self._alerts = alerts  # told of each run's figures; None: no alerting part

    # ---- monitors --------------------------------------------------------------------------

    def create_monitor(self, target: str, name: str | None = None, *, window=None, last=None,
                       snapshot: str | None = None, reference: str | None = None,
                       label: str | None = None, metric: str | None = None,
                       thresholds: dict | None = None, per_feature: dict | None = None,
                       schedule: str | None = None, user: str | None = None) -> Monitor:
        """A monitor of `target` ("churn@champion"). Current data: the server's prediction
        log (the `last` N predictions and/or those of the last `window`, default the last
        10,000) or the newest snapshot of a dataset. Reference: the snapshot the version behind
        the alias was trained on, or `reference`. `label` names the label column of labelled
        snapshots; `metric` the performance figure (accuracy, f1, roc_auc, mae, rmse)."""
        version, alias = self._target(target)
        model_name = version.name
        if reference is None and training_snapshot(version) is None:
            raise InvalidInput(f"Version {version.ref} behind {target} has no recorded training "
                               "data (its run read no snapshot). Name the reference: "
                               "reference='customers@3'.")
        name = clean_name(name or f"{model_name}@{alias}", "monitor name", 200)
        current = specs.current_spec(window, last, snapshot)
        if label is not None:
            current["label"] = clean_name(label, "label column")
        spec = specs.thresholds_spec(thresholds, per_feature)
        cron, next_run = self._schedule(schedule)
        if reference is not None:
            reference = self.datasets.resolve(reference).id  # refused now if it does not exist
        now = now_ms()
        with self.db.write() as conn:
            if conn.execute(select(t.monitors.c.id).where(t.monitors.c.name == name)).first():
                raise InvalidInput(f"A monitor named {name!r} exists; give another name= or "
                                   f"delete it with `mlops-lab monitors delete {name}`.")
            conn.execute(insert(t.monitors).values(
                name=name, model_name=model_name, alias=alias, reference_ref=reference,
                current=json.dumps(current), thresholds=json.dumps(spec),
                label_metric=specs.label_metric(metric), schedule=cron, next_run_at=next_run,
                created_at=now, updated_at=now, created_by=user_name(user)))
        return self.get_monitor(name)

    def _target(self, target) -> tuple:
        if not isinstance(target, str) or "@" not in target:
            raise InvalidInput(f"A monitor watches a model alias such as 'churn@champion', not "
                               f"{str(target)[:100]!r}.")
        alias = target.rpartition("@")[2].strip()
        return self.models.resolve(target), alias  # the alias must exist now

    @staticmethod
    def _schedule(schedule) -> tuple[str | None, int | None]:
        if schedule is None:
            return None, None
        from ...pipelines.schedules.service import check_cron, fire_times

        cron = check_cron(schedule)
        return cron, fire_times(cron, "UTC", now_ms(), 1)[0]

    def get_monitor(self, name_or_id) -> Monitor:
        m = t.monitors
        key = m.c.id == int(name_or_id) if str(name_or_id).isdigit() else m.c.name == str(name_or_id)
        with self.db.read() as conn:
            row = conn.execute(select(m).where(key)).first()
        if row is None:
            raise NotFound(f"No monitor {name_or_id!r}. List monitors with `mlops-lab monitors`.")
        return _monitor(row)

    def list_monitors(self, model: str | None = None, limit: int = LIST_LIMIT,
                      after: list | None = None, with_last_run: bool = False) -> list[Monitor]:
        """Monitors by name; `after` a monitor's (name,), the monitors after it; with
        `with_last_run`, each with its newest run (`last_run`, None when never run)."""
        check_limit(limit, LIST_LIMIT)
        m = t.monitors
        query = select(m) if model is None else select(m).where(m.c.model_name == model)
        with self.db.read() as conn:
            rows = conn.execute(keyset.page_query(query, [SortKey(m.c.name, False)], after,
                                                  limit)).all()
        monitors = [_monitor(r) for r in rows]
        if not with_last_run:
            return monitors
        last = self.last_runs([found.id for found in monitors])
        return [replace(found, last_run=last.get(found.id)) for found in monitors]

    def delete_monitor(self, name_or_id) -> None:
        monitor = self.get_monitor(name_or_id)
        with self.db.write() as conn:
            conn.execute(delete(t.monitors).where(t.monitors.c.id == monitor.id))

    def set_schedule(self, name_or_id, schedule: str | None) -> Monitor:
        monitor = self.get_monitor(name_or_id)
        cron, next_run = self._schedule(schedule)
        with self.db.write() as conn:
            conn.execute(update(t.monitors).where(t.monitors.c.id == monitor.id).values(
                schedule=cron, next_run_at=next_run, updated_at=now_ms()))
        return self.get_monitor(monitor.id)

    # ---- runs ------------------------------------------------------------------------------

    def list_runs(self, name_or_id, limit: int = 100,
                  after: list | None = None) -> list[MonitorRun]:
        """The monitor's runs, newest first; `after` a run's (started_at, id)."""
        check_limit(limit, LIST_LIMIT)
        monitor = self.get_monitor(name_or_id)
        r = t.monitor_runs
        query = select(r).where(r.c.monitor_id == monitor.id)
        order = [SortKey(r.c.started_at, True), SortKey(r.c.id, True)]
        with self.db.read() as conn:
            rows = conn.execute(keyset.page_query(query, order, after, limit)).all()
        return [_run(row, monitor.name) for row in rows]

    def get_run(self, name_or_id, run_id: int) -> MonitorRun:
        monitor = self.get_monitor(name_or_id)
        r = t.monitor_runs
        with self.db.read() as conn:
            row = conn.execute(select(r).where(r.c.id == int(run_id),
                                               r.c.monitor_id == monitor.id)).first()
        if row is None:
            raise NotFound(f"Monitor {monitor.name!r} has no run {run_id}.")
        return _run(row, monitor.name)

    def last_runs(self, monitor_ids) -> dict[int, MonitorRun]:
        """The newest run of each of these monitors (one query, for lists)."""
        r = t.monitor_runs
        ids = list(monitor_ids)
        if not ids:
            return {}
        newest = select(func.max(r.c.id)).where(r.c.monitor_id.in_(ids)).group_by(r.c.monitor_id)
        with self.db.read() as conn:
            rows = conn.execute(select(r, t.monitors.c.name.label("monitor_name"))
                                .join(t.monitors, t.monitors.c.id == r.c.monitor_id)
                                .where(r.c.id.in_(newest))).all()
        return {row.monitor_id: _run(row, row.monitor_name) for row in rows}

    def overview(self, name_or_id, runs: int = 100) -> dict:
        """A monitor's view in one answer: the monitor, its last `runs` runs in brief (for
        charts over time) and the newest run that compared something, in full."""
        monitor = self.get_monitor(name_or_id)
        history = self.list_runs(monitor.id, runs)
        latest = next((r for r in history if r.status in ("ok", "drift")), None)
        return {**monitor.to_json(), "runs": [r.to_json(full=False) for r in history],
                "latest": latest.to_json() if latest else None}

