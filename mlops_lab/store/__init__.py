"""The metadata store and the artifact store, opened together.

    store = open_store()          # found from the working directory (see mlops_lab.config)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .. import config
from ..artifacts import ArtifactStore
from .db import Database, redact


@dataclass(frozen=True)
class Store:
    db: Database
    artifacts: ArtifactStore

    def describe(self) -> dict:
        return {"database": redact(self.db.uri), "artifacts": self.artifacts.url}


_open: dict[tuple[str, str], Store] = {}
_lock = threading.Lock()


def open_store(uri: str | None = None, artifacts: str | None = None) -> Store:
    """The store for `uri`/`artifacts`, or the one the environment and working directory name.

    Opened once per process and location; opening migrates an empty or older database.
    """
    if uri is None or artifacts is None:
        home = config.find_home()
        uri = uri or config.database_uri(home)
        artifacts = artifacts or config.artifacts_root(home)
    key = (uri, artifacts)
    with _lock:
        store = _open.get(key)
        if store is None:
            from .migrate import ensure_schema

            db = Database(uri, busy_timeout=config.busy_timeout_seconds())
            ensure_schema(db)
            store = _open[key] = Store(db=db, artifacts=ArtifactStore(artifacts))
        return store


def is_open(store: Store) -> bool:
    """Whether `store` is still one open_store() hands out (close_all() forgets them all)."""
    return any(found is store for found in list(_open.values()))


def close_all() -> None:
    """Forget every opened store (tests and long-lived servers switching stores)."""
    with _lock:
        for store in _open.values():
            store.db.dispose()
        _open.clear()
