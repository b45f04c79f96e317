"""The feature store's rules: registering versions, materialising them, training sets and
online lookups, search. Entry points (api.py, REST, CLI) call one method of FeatureService,
the one face of the modules that do each job (versions, reading, materializing,
training_sets)."""

from __future__ import annotations

from ..collaborators import Collaborator
from ..errors import NotFound
from ..store import Store
from .entities import FeatureSetVersion
from .materializing import Materializing
from .online import open_online_store
from .reading import Reading
from .training_sets import TrainingSets
from .versions import Versions


READERS_SHOWN = 50


class FeatureService(Versions, Reading, Materializing, TrainingSets):
    tracking = Collaborator("tracking")  # runs that read or made a version
    datasets = Collaborator("datasets")  # snapshots materialised from

    def __init__(self, store: Store, online=None, tracking=None, datasets=None):
        self.store = store
        self.db = store.db
        self._online = online
        self._tracking = tracking
        self._datasets = datasets

    @property
    def online(self):
        if self._online is None:
            self._online = open_online_store(self.store)
        return self._online


    def readers(self, name: str, limit: int = READERS_SHOWN) -> list[dict]:
        """The runs that read a version of feature set `name` (a training set made in a run),
        newest first, at most `limit`: who depends on it before it changes."""
        found = []
        for v in self.get(name).versions:
            for run_id, direction in self.tracking.runs_linked_to("feature_set", v.id):
                if direction != "input":
                    continue
                try:
                    run = self.tracking.get_run(run_id)
                except NotFound:  # deleted since
                    continue
                found.append({"run_id": run.id, "name": run.name, "status": run.status,
                              "start_time": run.start_time, "experiment_id": run.experiment_id,
                              "version": v.version})
        found.sort(key=lambda r: (-r["start_time"], r["run_id"]))
        return found[:limit]

    def _link(self, run_id: str, direction: str, v: FeatureSetVersion) -> None:
        self.tracking.link_run(run_id, direction, "feature_set", v.id, v.label)
