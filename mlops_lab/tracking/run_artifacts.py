"""A run's artifacts: files logged (content addressed, the blob before its row), listed,
opened and downloaded."""

from __future__ import annotations

import json
import mimetypes
import os
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, select

from ..artifacts import validate_artifact_path
from ..clock import now_ms
from ..errors import InvalidInput, NotFound
from ..store.tables import tracking as t
from ..store.upsert import upsert_for
from . import downloads, previews
from .entities import ArtifactInfo


class RunArtifacts:
    """The artifact methods of TrackingService."""

    def log_artifact(self, run_id: str, local_path: str | os.PathLike,
                     artifact_path: str | None = None) -> list[ArtifactInfo]:
        """Logs a file, or every file below a folder, under `artifact_path`. A folder holding a
        symbolic link that leads outside it is refused: logging it must never store what lies
        elsewhere (a link to /etc/passwd)."""
        local = Path(local_path)
        if not local.exists():
            raise InvalidInput(f"No file or folder at {str(local)!r} to log as an artifact.")
        if local.is_dir():
            base = artifact_path or local.name
            files = _folder_files(local)
            pairs = [(p, f"{base}/{p.relative_to(local).as_posix()}") for p in files]
        else:
            pairs = [(local, artifact_path or local.name)]
        logged = []
        for path, name in pairs:
            name = validate_artifact_path(name)
            blob, size = self.store.artifacts.put_file(path)
            logged.append(self._record_artifact(run_id, name, blob, size,
                                                mimetypes.guess_type(name)[0]))
        return logged

    def log_artifact_bytes(self, run_id: str, data: bytes, artifact_path: str,
                           media_type: str | None = None, *,
                           trusted_types: list[str] | None = None) -> ArtifactInfo:
        """Logs `data` as the run's artifact `artifact_path`. `trusted_types` is for a model
        file this code has just saved from a live object (`capture_models.serialize_estimator`):
        the types it holds beyond skops's defaults, kept with the row so that registering the
        file later trusts that reviewed list and not what the file says."""
        name = validate_artifact_path(artifact_path)
        blob, size = self.store.artifacts.put_bytes(bytes(data))
        reviewed = sorted(trusted_types) if trusted_types is not None else None
        return self._record_artifact(run_id, name, blob, size,
                                     media_type or mimetypes.guess_type(name)[0], reviewed)

    def _record_artifact(self, run_id, path, blob, size, media_type,
                         trusted_types=None) -> ArtifactInfo:
        # The blob is in place before its row is committed: a row never points at nothing.
        info = ArtifactInfo(path=path, size=size, blob=blob, media_type=media_type,
                            created_at=now_ms(), trusted_types=trusted_types)
        upsert = upsert_for(self._dialect)(t.artifacts)
        row = {**info.__dict__, "run_id": run_id,
               "trusted_types": json.dumps(trusted_types) if trusted_types is not None else None}
        with self._on_run(run_id), self.db.write() as conn:
            # Overwriting a path replaces its reviewed types too (with NULL for a plain file).
            conn.execute(upsert.on_conflict_do_update(
                index_elements=[t.artifacts.c.run_id, t.artifacts.c.path],
                set_={c: upsert.excluded[c] for c in ("blob", "size", "media_type", "created_at",
                                                      "trusted_types")},
            ), row)
        return info

    def forget_artifact(self, run_id: str, path: str, conn=None) -> None:
        """Removes the run's artifact `path` (its blob stays until `mlops-lab gc`). With `conn`,
        inside the caller's write transaction."""
        statement = delete(t.artifacts).where(t.artifacts.c.run_id == run_id,
                                              t.artifacts.c.path == validate_artifact_path(path))
        if conn is not None:
            conn.execute(statement)
            return
        with self.db.write() as conn:
            conn.execute(statement)

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[ArtifactInfo]:
        """The run's artifacts by path; with `path`, that file or the files below that folder."""
        a = t.artifacts.c
        query = select(*_artifact_columns(a)).where(a.run_id == run_id)
        if path is not None:
            name = _artifact_prefix(path)
            query = query.where((a.path == name) | a.path.startswith(f"{name}/", autoescape=True))
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(a.path)).all()
            if not rows and not conn.execute(select(t.runs.c.id).where(t.runs.c.id == run_id)).first():
                raise NotFound(f"No run with id {run_id!r}.")
        if path is not None and not rows:
            raise NotFound(f"Run {run_id} has no artifact or folder {name!r}: list them with "
                           f"`mlops-lab runs artifacts {run_id[:8]}`.")
        return [_artifact(row) for row in rows]

    def download_artifact(self, run_id: str, path: str, dst: str | os.PathLike | None = None,
                          overwrite: bool = False) -> tuple[Path, list[ArtifactInfo]]:
        """Writes the artifact `path` (a file, or every file below a folder) to local disk; see
        `downloads` for where each file goes. Returns the local file or folder and what was
        written. Existing files are kept (InvalidInput) unless `overwrite`."""
        found = self.list_artifacts(run_id, path)
        name = _artifact_prefix(path)
        exact = [a for a in found if a.path == name]
        local, pairs = downloads.plan(name, exact or found, dst, overwrite)
        for info, target in pairs:
            with self.store.artifacts.open(info.blob) as stream:
                downloads.write(stream, target, info.blob)
        return local, [info for info, _ in pairs]

    def open_artifact(self, run_id: str, path: str) -> tuple[ArtifactInfo, BinaryIO]:
        name = validate_artifact_path(path)
        a = t.artifacts.c
        with self.db.read() as conn:
            row = conn.execute(select(*_artifact_columns(a))
                               .where(a.run_id == run_id, a.path == name)).first()
        if row is None:
            raise NotFound(f"Run {run_id} has no artifact {name!r}.")
        info = _artifact(row)
        return info, self.store.artifacts.open(info.blob)


    def artifact_preview(self, run_id: str, path: str) -> dict:
        """What the run view shows of the artifact without a download (see previews.py)."""
        info, stream = self.open_artifact(run_id, path)
        try:
            return previews.preview(info, stream)
        finally:
            stream.close()


def _folder_files(folder: Path) -> list[Path]:
    """The files below `folder`, after checking that no symbolic link in it leads outside it
    (a link within it is stored with its target's content, which is the folder's own)."""
    root = folder.resolve()
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):  # does not descend into links
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                raise InvalidInput(
                    f"Refusing to log the folder {str(folder)!r}: "
                    f"{path.relative_to(folder).as_posix()!r} is a symbolic link to "
                    f"{os.readlink(path)!r}, outside the folder. Remove the link, or log "
                    "that file on its own if you mean to store it.")
        files += [Path(dirpath) / name for name in filenames if (Path(dirpath) / name).is_file()]
    return sorted(files)


def _artifact_columns(a):
    return (a.path, a.size, a.blob, a.media_type, a.created_at, a.trusted_types)


def _artifact(row) -> ArtifactInfo:
    doc = dict(row._mapping)
    doc["trusted_types"] = json.loads(doc["trusted_types"]) if doc["trusted_types"] else None
    return ArtifactInfo(**doc)


def _artifact_prefix(path: str) -> str:
    """An artifact path or folder as stored ('models/' names the folder 'models')."""
    return validate_artifact_path(path.rstrip("/") if isinstance(path, str) else path)
