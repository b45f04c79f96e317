"""Registry rules: models, their versions, aliases and the audited history of alias moves.

Entry points (the Python API, `%register`, REST handlers, the CLI, the kernel helper of the
toolbar button) call these methods and nothing below them. Each job has its module (versions,
aliases, reading, lineage, onnx); ModelService is their one public face.
"""

from __future__ import annotations

from ..collaborators import Collaborator
from ..store import Store
from .aliases import Aliases
from .lineage import Lineage
from .onnx import OnnxExports
from .names import (DESCRIPTION_MAX, LIST_LIMIT, MODEL_NAME_MAX, REASON_MAX,  # noqa: F401
                    clean_alias, clean_model_name, clean_version)
from .reading import Reading
from .refs import parse_ref  # noqa: F401 - read from here by callers
from .versions import Versions


class ModelService(Versions, Aliases, Reading, Lineage, OnnxExports):
    tracking = Collaborator("tracking")  # the runs versions came from
    datasets = Collaborator("datasets")  # training snapshots an ONNX export is verified on
    # Told of each registration and alias move, in its transaction (models/events.py).
    webhooks = Collaborator("webhooks")

    def __init__(self, store: Store, tracking=None, datasets=None, webhooks=None):
        self.store = store
        self.db = store.db
        self._tracking = tracking
        self._datasets = datasets
        self._webhooks = webhooks

