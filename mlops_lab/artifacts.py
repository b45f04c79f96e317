"""Content-addressed blobs over fsspec.

A blob's name is the blake3 hash of its bytes, so identical files are stored once and a blob
can never be half-overwritten. Local writes go to a temp file in the same folder, are fsynced and
renamed into place; object stores (s3://, gs://, …) make each upload atomic themselves.
Callers commit the database row that points at a blob only after `put_*` has returned.

User-supplied artifact paths are names in the database, never paths on disk: only hashes are.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import PurePosixPath
from typing import BinaryIO, Iterator

from .errors import InvalidInput

_CHUNK = 1 << 20
_HASH = re.compile(r"^[0-9a-f]{64}$")
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\:]")


def validate_artifact_path(path: str) -> str:
    """A relative POSIX path such as `models/clf.skops`; anything that could name a place
    outside the run (absolute, drive, UNC, `..`, backslashes, control characters) is refused."""
    if not isinstance(path, str) or not path.strip():
        raise InvalidInput("An artifact path must be a non-empty relative path like 'plots/roc.html'.")
    path = unicodedata.normalize("NFC", path)
    if len(path) > 1000:
        raise InvalidInput("An artifact path may be at most 1000 characters long.")
    if _FORBIDDEN.search(path) or path.startswith("/"):
        raise InvalidInput(
            f"Artifact path {path!r} is not allowed: use a relative path with '/' separators, "
            "without backslashes, colons or control characters."
        )
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise InvalidInput(
            f"Artifact path {path!r} is not allowed: no empty, '.' or '..' segments."
        )
    return str(PurePosixPath(*parts))


def write_atomically(target: str | os.PathLike, chunks, before_rename=None) -> None:
    """Writes `chunks` to a temp file in the target's folder, fsyncs it, calls `before_rename`
    (which may raise to abandon the write) and renames it into place, so a reader never sees a
    half-written file; a failure leaves no temp file behind."""
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        if before_rename is not None:
            before_rename()
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # make the rename itself durable
    finally:
        os.close(dir_fd)


class ArtifactStore:
    def __init__(self, root: str):
        import fsspec

        self.url = root
        self.fs, self.root = fsspec.core.url_to_fs(root)
        self.is_local = "file" in (
            self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        )

    def _path(self, blob: str) -> str:
        if not _HASH.match(blob):
            raise InvalidInput(f"{blob!r} is not a blob hash.")
        return f"{self.root}/blobs/{blob[:2]}/{blob}"

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        from blake3 import blake3

        blob = blake3(data).hexdigest()
        if not self._reuse(blob):
            self._write(blob, [data])
        return blob, len(data)

    def put_file(self, local_path: str | os.PathLike) -> tuple[str, int]:
        from blake3 import blake3

        hasher, size = blake3(), 0
        with open(local_path, "rb") as f:
            for chunk in iter(lambda: f.read(_CHUNK), b""):
                hasher.update(chunk)
                size += len(chunk)
        blob = hasher.hexdigest()
        if not self._reuse(blob):
            if self.is_local:
                with open(local_path, "rb") as f:
                    self._write(blob, iter(lambda: f.read(_CHUNK), b""))
            else:
                self.fs.put_file(str(local_path), self._path(blob))
        return blob, size

    def _reuse(self, blob: str) -> bool:
        """True if the blob is already stored. Its time is refreshed so that `gc`, which spares
        recent blobs, cannot delete it before the caller's row pointing at it is committed."""
        if not self.exists(blob):
            return False
        if self.is_local:
            try:
                os.utime(self._path(blob))
            except FileNotFoundError:  # collected just now: write it again
                return False
        return True

    def _write(self, blob: str, chunks) -> None:
        target = self._path(blob)
        if not self.is_local:
            self.fs.pipe_file(target, b"".join(chunks))
            return
        write_atomically(target, chunks)

    def exists(self, blob: str) -> bool:
        return self.fs.exists(self._path(blob))

    def open(self, blob: str) -> BinaryIO:
        return self.fs.open(self._path(blob), "rb")

    def read(self, blob: str) -> bytes:
        with self.open(blob) as f:
            return f.read()

    def delete(self, blob: str) -> None:
        self.fs.rm_file(self._path(blob))

    def remove_stale_temp_files(self, older_than: float) -> int:
        """Temp files left by a process that died mid-write (local stores only)."""
        base = os.path.join(self.root, "blobs")
        removed = 0
        if self.is_local and os.path.isdir(base):
            for folder, _, files in os.walk(base):
                for name in files:
                    path = os.path.join(folder, name)
                    if name.startswith(".tmp-") and os.path.getmtime(path) < older_than:
                        os.unlink(path)
                        removed += 1
        return removed

    def blobs(self) -> Iterator[tuple[str, float]]:
        """Every stored blob with its modification time (seconds since the epoch)."""
        base = f"{self.root}/blobs"
        if not self.fs.exists(base):
            return
        for info in self.fs.find(base, detail=True).values():
            name = info["name"].rsplit("/", 1)[-1]
            if _HASH.match(name):
                mtime = info.get("mtime") or info.get("LastModified") or 0
                yield name, float(mtime.timestamp() if hasattr(mtime, "timestamp") else mtime)
