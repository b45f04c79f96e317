"""Which run of this process saved a model file: what the registry asks before registering a
live model, so that it reuses the run's file and keeps its lineage."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select

from ..store.tables import tracking as t


@dataclass(frozen=True)
class SavedModelFile:
    run_id: str
    run_name: str
    path: str
    blob: str
    trusted_types: list[str] | None  # the types reviewed when the file was saved


class SavedModels:
    """The saved-model methods of TrackingService."""

    def model_file_saved_here(self, path: str | None = None,
                              blobs: Iterable[str] = ()) -> SavedModelFile | None:
        """The newest model file a run of this process logged: the artifact `path`, or else
        any ``models/*.skops`` artifact whose blob is one of `blobs`."""
        a, r = t.artifacts.c, t.runs.c
        which = (a.path == path) if path else (a.blob.in_(list(blobs))
                                               & a.path.like("models/%.skops"))
        with self.db.read() as conn:
            row = conn.execute(
                select(r.id, r.name, a.path, a.blob, a.trusted_types)
                .join(t.artifacts, a.run_id == r.id)
                .where(which, r.pid == os.getpid(), r.host == socket.gethostname())
                .order_by(r.start_time.desc()).limit(1)).first()
        if row is None:
            return None
        return SavedModelFile(run_id=row.id, run_name=row.name, path=row.path, blob=row.blob,
                              trusted_types=json.loads(row.trusted_types)
                              if row.trusted_types else None)
