"""The feature store's rules: registering versions, materialising them, training sets and
online lookups, search. Entry points (api.py, REST, CLI) call one method of FeatureService,
the one face of the modules that do each job (versions, reading, materializing,
training_sets)."""

from __future__ import annotations

from ..collaborators import Collaborator
from ..store import Store
from .entities import FeatureSetVersion
from .materializing import Materializing
from .online import open_online_store
from .reading import Reading
from .training_sets import TrainingSets
from .versions import Versions


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



    def _link(self, run_id: str, direction: str, v: FeatureSetVersion) -> None:
        self.tracking.link_run(run_id, direction, "feature_set", v.id, v.label)
