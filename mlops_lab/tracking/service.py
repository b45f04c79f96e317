"""Tracking rules: experiments, runs and everything logged to them.

Entry points (the fluent API, magics, REST handlers, the CLI) call these methods and nothing
below them. Every write is one short transaction; a batch is all or nothing. Each job lives in
its own module (experiments, run_life, run_reads, run_values, links, run_artifacts,
saved_models); TrackingService is their one public face.
"""

from __future__ import annotations

import math

from sqlalchemy import bindparam

from .. import __version__
from ..store import Store
from ..store.tables import tracking as t
from ..store.upsert import upsert_for
from .entities import Experiment
from .experiments import DEFAULT_EXPERIMENT, Experiments  # noqa: F401
from .links import LINK_DIRECTIONS, RunLinks  # noqa: F401 - part of this module's face
from .rows import compile_statements
from .run_artifacts import RunArtifacts
from .run_life import ENDED, STATUSES, RunLife  # noqa: F401
from .run_reads import MAX_RESULTS_LIMIT, RunReads  # noqa: F401
from .run_values import PARAM_VALUE_MAX, RunValues, param_text  # noqa: F401
from .saved_models import SavedModels


class TrackingService(Experiments, RunLife, RunReads, RunValues, RunLinks, RunArtifacts,
                      SavedModels):
    def __init__(self, store: Store):
        self.store = store
        self.db = store.db
        self._dialect = self.db.dialect
        # Built once: the metric path is the hottest write in the product.
        fields = {c: bindparam(c) for c in ("run_id", "key", "step", "timestamp", "value", "is_nan")}
        upsert = upsert_for(self._dialect)(t.latest_metrics).values(fields)
        latest = t.latest_metrics.c
        newer = (upsert.excluded.step > latest.step) | (
            (upsert.excluded.step == latest.step) & (upsert.excluded.timestamp >= latest.timestamp)
        )
        self._experiments: dict[str, Experiment] = {}
        self._swept_at = -math.inf
        self._sql = compile_statements(self.db)
        self._metric_sql = (
            self.db.compile_sql(
                upsert_for(self._dialect)(t.metrics).values(fields).on_conflict_do_nothing()),
            self.db.compile_sql(upsert.on_conflict_do_update(
                index_elements=[latest.run_id, latest.key],
                set_={c: upsert.excluded[c] for c in ("step", "timestamp", "value", "is_nan")},
                where=newer,
            )),
        )

    def store_info(self) -> dict:
        return {**self.store.describe(), "version": __version__}
