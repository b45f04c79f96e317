"""A table to and from a Parquet blob in the artifact store.

The Parquet file is written once, to a temp file beside the blobs, hashed (blake3) as its
bytes stream out, fsynced, and renamed to its content address: a failed write (disk full, I/O
error) leaves no partial blob, the temp file is always removed, and the file is not copied a
second time (for 400 MB that copy cost more than the Parquet encoding). Stores that are not on
local disk get the file through ArtifactStore.put_file. The caller commits the row pointing at
the blob only after `store()` returns.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager

import pandas as pd

from ..errors import InvalidInput


class _HashingFile:
    """A write-only file that hashes what passes through it (pyarrow writes in large blocks)."""

    def __init__(self, f):
        from blake3 import blake3

        self._f = f
        self.hasher = blake3()
        self.size = 0
        self.closed = False

    def write(self, data) -> int:
        self.hasher.update(data)
        self.size += len(data)
        return self._f.write(data)

    def flush(self) -> None:
        self._f.flush()

    def tell(self) -> int:
        return self.size

    def writable(self) -> bool:
        return True

    def close(self) -> None:  # the real file is closed by its owner
        self.closed = True


class StagedTable:
    def __init__(self, artifacts, path: str, blob: str, size: int):
        self.artifacts, self.path, self.blob, self.size = artifacts, path, blob, size

    def store(self) -> tuple[str, int]:
        """Moves the staged file to its content address (or drops it if that blob exists)."""
        artifacts = self.artifacts
        if not artifacts.is_local:
            return artifacts.put_file(self.path)
        target = artifacts._path(self.blob)
        if artifacts._reuse(self.blob):  # same bytes already stored: keep those
            return self.blob, self.size
        folder = os.path.dirname(target)
        os.makedirs(folder, exist_ok=True)
        os.replace(self.path, target)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # make the rename itself durable
        finally:
            os.close(dir_fd)
        return self.blob, self.size


def _temp_folder(artifacts) -> str | None:
    """Beside the blobs on a local store (same disk, so the final rename is atomic, and
    `mlops-lab gc` removes a temp file a crashed process left there); else the system's."""
    if not artifacts.is_local:
        return None
    folder = os.path.join(artifacts.root, "blobs")
    os.makedirs(folder, exist_ok=True)
    return folder


_SAMPLE = 4096


def _dictionary_columns(table) -> list[str]:
    """Columns worth dictionary encoding: all but floating-point columns whose values are
    mostly distinct. pyarrow tries a dictionary for every column by default and falls back only
    after filling one, which for ten million distinct floats doubles the time of the write."""
    import numpy as np
    import pyarrow.types as pt

    chosen = []
    for name, column in zip(table.column_names, table.columns):
        if pt.is_floating(column.type) and len(column) > _SAMPLE:
            step = len(column) // _SAMPLE
            sample = column.take(np.arange(0, step * _SAMPLE, step)).to_numpy(zero_copy_only=False)
            if len(np.unique(sample)) > _SAMPLE // 2:
                continue
        chosen.append(name)
    return chosen


@contextmanager
def staged_table(artifacts, df: pd.DataFrame):
    """Writes `df` as Parquet to a temp file and yields a StagedTable; the temp file is
    removed on exit whatever happened (after `store()` it has become the blob)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fd, tmp = tempfile.mkstemp(dir=_temp_folder(artifacts), prefix=".tmp-snapshot-",
                               suffix=".parquet")
    try:
        with os.fdopen(fd, "wb") as f:
            out = _HashingFile(f)
            try:
                table = pa.Table.from_pandas(df, preserve_index=None)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
                raise InvalidInput(
                    f"This table cannot be stored as Parquet: {exc}. A column of mixed Python "
                    "objects usually needs one type first, e.g. df[col] = df[col].astype(str)."
                ) from None
            pq.write_table(table, out, use_dictionary=_dictionary_columns(table))
            f.flush()
            os.fsync(f.fileno())
        yield StagedTable(artifacts, tmp, out.hasher.hexdigest(), out.size)
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def load_table(artifacts, blob: str, columns: list[str] | None = None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    if artifacts.is_local:  # memory-mapped read of the local file
        return pq.read_table(artifacts._path(blob), columns=columns, memory_map=True).to_pandas()
    with artifacts.open(blob) as f:
        return pq.read_table(f, columns=columns).to_pandas()
