"""Reading runs: one run, its children, a page of a search, a metric's history."""

from __future__ import annotations

import math
from dataclasses import replace

from sqlalchemy import func, select

from ..errors import InvalidFilter, InvalidInput, NotFound
from ..limits import check_limit
from ..naming import clean_key
from ..store import keyset
from ..store.ids import id_prefix, one_id_with_prefix
from ..store.keyset import SortKey
from ..store.tables import tracking as t
from . import search
from .entities import Metric, Run, RunPage
from .rows import run_from_row

# Metric histories one request may ask for (a run view charts at most 24).
MAX_HISTORY_KEYS = 100

MAX_RESULTS_LIMIT = 10_000

# Keys of each kind (metrics, params, tags) run_fields lists at most.
MAX_FIELD_KEYS = 2_000


class RunReads:
    """The run reading methods of TrackingService."""

    def find_run_id(self, text: str) -> str:
        """A run id from the whole id or a unique prefix of it (as tables show them)."""
        see = " (see `mlops-lab runs`)"
        prefix = id_prefix(text, "run", see=see)
        if len(prefix) == 32:
            return prefix
        with self.db.read() as conn:
            return one_id_with_prefix(conn, t.runs.c.id, prefix, "run", see)

    def get_run(self, run_id: str) -> Run:
        with self.db.read() as conn:
            row = conn.execute(select(t.runs).where(t.runs.c.id == run_id)).first()
            if row is None:
                raise NotFound(f"No run with id {run_id!r}.")
            details = self._details(conn, [run_id])
            links = self.run_links(run_id, conn)
        return replace(run_from_row(row, details, full=True), links=links)

    def count_children(self, run_id: str) -> int:
        with self.db.read() as conn:
            return conn.execute(select(func.count()).select_from(t.runs).where(
                t.runs.c.parent_run_id == run_id)).scalar_one()

    def descendant_ids(self, run_id: str, limit: int = 10_000) -> list[str]:
        """The ids of the runs under `run_id` (children, their children, …), level by level,
        at most `limit` of them."""
        ids, frontier = [], [run_id]
        with self.db.read() as conn:
            while frontier and len(ids) < limit:
                frontier = list(conn.execute(select(t.runs.c.id).where(
                    t.runs.c.parent_run_id.in_(frontier))).scalars())
                ids += frontier
        return ids[:limit]

    def search_runs(self, experiment_ids: list[int] | None = None, filter: str = "",
                    order_by: list[str] | None = None, max_results: int = 100,
                    page_token: str | None = None) -> RunPage:
        check_limit(max_results, MAX_RESULTS_LIMIT, "max_results")
        mark = search.ordering_mark(order_by)
        self._sweep_if_due()
        columns = [c for c in t.runs.c if c.name not in ("source", "environment")]
        query = self._matching(select(*columns), experiment_ids, filter)
        parts = search.ordered_queries(query, order_by)
        first_part, resume_after = search.page_start(page_token, parts, mark)
        wanted, rows = max_results + 1, []
        with self.db.read() as conn:
            for part, (part_query, keys) in enumerate(parts[first_part:], start=first_part):
                if resume_after is not None and part == first_part:
                    part_query = part_query.where(keyset.after(keys, resume_after))
                labels = [k.column.label(f"sort_{i}") for i, k in enumerate(keys)]
                ordered = part_query.add_columns(*labels).order_by(*(k.order() for k in keys))
                rows += [(part, r) for r in conn.execute(ordered.limit(wanted - len(rows)))]
                if len(rows) >= wanted:
                    break
            page, token = keyset.page_of(rows, max_results, _sort_key, mark)
            ids = [r.id for _, r in page]
            details = self._details(conn, ids)
            children = self._child_counts(conn, ids)
        page = [r for _, r in page]
        return RunPage(runs=[replace(run_from_row(r, details, full=False),
                                     child_count=children.get(r.id, 0)) for r in page],
                       next_page_token=token)

    def _child_counts(self, conn, run_ids: list[str]) -> dict[str, int]:
        """How many runs each of `run_ids` has under it (so a table can offer to open them)."""
        if not run_ids:
            return {}
        parent = t.runs.c.parent_run_id
        return dict(conn.execute(select(parent, func.count()).where(parent.in_(run_ids))
                                 .group_by(parent)).all())

    def count_runs(self, experiment_ids: list[int] | None = None, filter: str = "") -> int:
        """How many runs a search finds, over all its pages."""
        query = self._matching(select(func.count()).select_from(t.runs), experiment_ids, filter)
        with self.db.read() as conn:
            return conn.execute(query).scalar_one()

    def run_fields(self, experiment_ids: list[int] | None = None) -> dict[str, list[str]]:
        """The metric, param and tag keys the runs of these experiments have, each sorted: what
        a filter can name and a table can show."""
        found = {}
        with self.db.read() as conn:
            for kind, table in (("metrics", t.latest_metrics), ("params", t.params),
                                ("tags", t.tags)):
                query = select(table.c.key).distinct()
                if experiment_ids:
                    query = query.join(t.runs, t.runs.c.id == table.c.run_id).where(
                        t.runs.c.experiment_id.in_([int(i) for i in experiment_ids]))
                found[kind] = sorted(conn.execute(query.limit(MAX_FIELD_KEYS)).scalars())
        return found

    def run_field_values(self, field: str, experiment_ids: list[int] | None = None,
                         limit: int = 50) -> list[str]:
        """The values a param or tag (`params.model`, `tags.team`) has on the runs of these
        experiments, sorted, at most `limit`: what the filter box completes."""
        check_limit(limit, MAX_FIELD_KEYS, "limit")
        kind, _, key = field.partition(".")
        tables = {"params": t.params, "tags": t.tags}
        if kind not in tables or not key:
            raise InvalidInput(f"Values are listed for params.KEY or tags.KEY, not {field!r:.80}.")
        table = tables[kind]
        query = select(table.c.value).distinct().where(table.c.key == key.strip("`"))
        if experiment_ids:
            query = query.join(t.runs, t.runs.c.id == table.c.run_id).where(
                t.runs.c.experiment_id.in_([int(i) for i in experiment_ids]))
        with self.db.read() as conn:
            return list(conn.execute(query.order_by(table.c.value).limit(limit)).scalars())

    def _matching(self, query, experiment_ids: list[int] | None, filter: str):
        """`query` narrowed to the runs of these experiments that match the filter."""
        if experiment_ids:
            query = query.where(t.runs.c.experiment_id.in_([int(i) for i in experiment_ids]))
        try:
            condition = search.to_condition(filter, self._dialect)
        except InvalidFilter as exc:
            raise self._with_field_meant(exc) from None
        return query if condition is None else query.where(condition)

    def _with_field_meant(self, exc: InvalidFilter) -> InvalidFilter:
        """A bare key (`acc`) is no run attribute: name the metric, param or tag of that key
        that runs have, so the user can take it."""
        if exc.key is None:
            return exc
        with self.db.read() as conn:
            for kind, table in (("metrics", t.latest_metrics), ("params", t.params),
                                ("tags", t.tags)):
                if conn.execute(select(table.c.run_id).where(table.c.key == exc.key)
                                .limit(1)).first():
                    meant = search.field_ref(kind, exc.key)
                    return InvalidFilter(f"{exc} Did you mean {meant}?", exc.column, exc.length,
                                         exc.key, meant)
        return exc

    def _details(self, conn, run_ids: list[str]) -> dict[str, dict[str, dict]]:
        """Params, latest metrics and tags of each run, three queries whatever the count."""
        out = {i: {"params": {}, "metrics": {}, "tags": {}} for i in run_ids}
        if not run_ids:
            return out
        for name, table in (("params", t.params), ("tags", t.tags)):
            for run_id, key, value in conn.execute(
                select(table.c.run_id, table.c.key, table.c.value).where(table.c.run_id.in_(run_ids))
            ):
                out[run_id][name][key] = value
        m = t.latest_metrics.c
        for run_id, key, value, is_nan in conn.execute(
            select(m.run_id, m.key, m.value, m.is_nan).where(m.run_id.in_(run_ids))
        ):
            out[run_id]["metrics"][key] = math.nan if is_nan else value
        return out

    def metric_histories(self, run_id: str,
                         keys: list[str] | None = None) -> dict[str, list[Metric]]:
        """The histories of several metrics of a run in one read (what a run's view charts),
        in the order of `keys` (a key never logged has an empty history); every metric the
        run logged, by name, when `keys` is empty."""
        if keys is not None and (not isinstance(keys, list) or len(keys) > MAX_HISTORY_KEYS):
            raise InvalidInput(f"Give at most {MAX_HISTORY_KEYS} metric names.")
        wanted = [clean_key(key, "metric name") for key in keys or []]
        m = t.metrics.c
        query = select(m.key, m.value, m.is_nan, m.step, m.timestamp).where(m.run_id == run_id)
        if wanted:
            query = query.where(m.key.in_(wanted))
        with self.db.read() as conn:
            if not conn.execute(select(t.runs.c.id).where(t.runs.c.id == run_id)).first():
                raise NotFound(f"No run with id {run_id!r}.")
            rows = conn.execute(query.order_by(m.key, m.step, m.timestamp)).all()
        histories: dict[str, list[Metric]] = {key: [] for key in wanted}
        for r in rows:
            histories.setdefault(r.key, []).append(_metric(r))
        return histories

    def metric_history(self, run_id: str, key: str, limit: int | None = None,
                       after: list | None = None) -> list[Metric]:
        """Every logged value of a metric by step then time (or `limit` of them, those after
        the (step, timestamp, value, is_nan) key `after`, a NaN's value being 0.0)."""
        key = clean_key(key, "metric name")
        m = t.metrics.c
        order = [SortKey(m.step), SortKey(m.timestamp), SortKey(m.value), SortKey(m.is_nan)]
        query = select(m.key, m.value, m.is_nan, m.step, m.timestamp).where(
            m.run_id == run_id, m.key == key)
        with self.db.read() as conn:
            rows = conn.execute(keyset.page_query(query, order, after, limit)).all()
            if not rows and not conn.execute(select(t.runs.c.id).where(t.runs.c.id == run_id)).first():
                raise NotFound(f"No run with id {run_id!r}.")
        return [_metric(r) for r in rows]


def _sort_key(found: tuple) -> list:
    """Where a page of a search ends: the part it was in and the row's sort values."""
    part, row = found
    return [part, *(v for k, v in row._mapping.items() if str(k).startswith("sort_"))]


def _metric(row) -> Metric:
    return Metric(key=row.key, value=math.nan if row.is_nan else row.value, step=row.step,
                  timestamp=row.timestamp)
