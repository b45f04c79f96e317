"""Experiments: found or made by name, read with their run counts."""

from __future__ import annotations

import os

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from ..clock import now_ms
from ..errors import NotFound
from ..naming import clean_name
from ..store.tables import tracking as t
from .entities import Experiment


DEFAULT_EXPERIMENT = "Default"


class Experiments:
    """The experiment methods of TrackingService."""

    def default_experiment(self) -> str:
        """The experiment a run goes to when nobody names one (nor set one with
        `set_experiment`): MLOPS_LAB_EXPERIMENT, else "Default"."""
        return os.environ.get("MLOPS_LAB_EXPERIMENT") or DEFAULT_EXPERIMENT

    def get_or_create_experiment(self, name: str) -> Experiment:
        name = clean_name(name, "experiment name")
        found = self._experiments.get(name) or self._experiment_by_name(name)
        if found:
            self._experiments[name] = found  # experiments are never renamed or deleted
            return found
        try:
            with self.db.write() as conn:
                if not self._experiment_by_name(name, conn):
                    conn.execute(insert(t.experiments).values(name=name, created_at=now_ms()))
        except IntegrityError:
            pass  # another process created it between our read and our write: use theirs
        return self._experiment_by_name(name)

    def _experiment_by_name(self, name: str, conn=None) -> Experiment | None:
        """Just the experiment, without run counts (cheap: used on every run start)."""
        query = select(t.experiments).where(t.experiments.c.name == name)
        if conn is not None:
            row = conn.execute(query).first()
        else:
            with self.db.read() as c:
                row = c.execute(query).first()
        return None if row is None else Experiment(
            id=row.id, name=row.name, created_at=row.created_at, description=row.description)

    def get_experiment(self, experiment_id: int) -> Experiment:
        found = self._experiment_where(t.experiments.c.id == int(experiment_id))
        if not found:
            raise NotFound(f"No experiment with id {experiment_id}.")
        return found

    def find_experiment(self, name_or_id: str | int) -> Experiment:
        """An experiment by id ("3") or name."""
        text = str(name_or_id).strip()
        found = self._experiment_where(t.experiments.c.name == clean_name(text, "experiment"))
        if not found and text.isdigit():
            found = self._experiment_where(t.experiments.c.id == int(text))
        if not found:
            raise NotFound(f"No experiment named or numbered {text!r}. "
                           "List them with `mlops-lab experiments`.")
        return found

    def experiment_ids(self, names_or_ids) -> list[int] | None:
        """Ids for experiments given by name or id (None or empty: all experiments)."""
        if names_or_ids is None or isinstance(names_or_ids, (str, int)):
            names_or_ids = [] if names_or_ids is None else [names_or_ids]
        return [self.find_experiment(e).id for e in names_or_ids] or None

    def list_experiments(self) -> list[Experiment]:
        return self._experiments_where(None)

    def _experiment_where(self, condition) -> Experiment | None:
        found = self._experiments_where(condition)
        return found[0] if found else None

    def _experiments_where(self, condition) -> list[Experiment]:
        e, r = t.experiments, t.runs
        counts = (
            select(r.c.experiment_id, func.count().label("n"), func.max(r.c.start_time).label("last"))
            .group_by(r.c.experiment_id)
            .subquery()
        )
        query = select(e, counts.c.n, counts.c.last).outerjoin(
            counts, counts.c.experiment_id == e.c.id
        )
        if condition is not None:
            query = query.where(condition)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(e.c.id)).all()
        return [
            Experiment(id=row.id, name=row.name, created_at=row.created_at,
                       description=row.description, run_count=row.n or 0, last_run_at=row.last)
            for row in rows
        ]
