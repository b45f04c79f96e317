"""Reading what the user hands to snapshot(): a DataFrame as is, or a CSV / Parquet file or a
folder of them (read in name order and concatenated). Paths come from the user's own Python
or shell, never from a REST request."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..errors import InvalidInput, NotFound

SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".tsv": "tsv"}


def _kind(path: Path) -> str | None:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".zip", ".xz", ".zst") and len(suffixes) > 1:
        suffixes = suffixes[:-1]
    return SUFFIXES.get(suffixes[-1]) if suffixes else None


def _read_file(path: Path, kind: str) -> pd.DataFrame:
    if kind == "parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, sep="\t" if kind == "tsv" else ",")


def check_table(df: pd.DataFrame) -> pd.DataFrame:
    """A table that can be stored and read back as it is, or InvalidInput saying why not."""
    if df.shape[1] == 0:
        raise InvalidInput("A snapshot needs at least one column; this table has none.")
    duplicated = df.columns[df.columns.duplicated()].unique().tolist()
    if duplicated:
        raise InvalidInput(f"Column names must be unique in a snapshot; {duplicated[:5]!r} "
                           "appear more than once. Rename them first.")
    return df


def read_source(data) -> tuple[pd.DataFrame, dict]:
    """(the table, where it came from) for a DataFrame or a path."""
    if isinstance(data, pd.DataFrame):
        return data, {"kind": "dataframe"}
    if isinstance(data, pd.Series):
        return data.to_frame(), {"kind": "series"}
    if not isinstance(data, (str, os.PathLike)):
        raise InvalidInput(f"snapshot() takes a pandas DataFrame or the path of a CSV or "
                           f"Parquet file or folder, not {type(data).__name__}.")
    path = Path(data).expanduser()
    if not path.exists():
        raise NotFound(f"No file or folder at {str(path)!r}.")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _kind(p)
                       and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts))
        kinds = {_kind(p) for p in files}
        if not files:
            raise InvalidInput(f"The folder {str(path)!r} holds no .csv or .parquet file.")
        if len(kinds) > 1:
            raise InvalidInput(f"The folder {str(path)!r} mixes CSV and Parquet files; "
                               "snapshot one kind at a time.")
        frames = [_read_file(p, _kind(p)) for p in files]
        df = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        return df, {"kind": "folder", "path": str(path.resolve()), "files": len(files),
                    "format": kinds.pop()}
    kind = _kind(path)
    if kind is None:
        raise InvalidInput(f"{str(path)!r} is not a .csv, .tsv or .parquet file.")
    try:
        df = _read_file(path, kind)
    except (ValueError, OSError) as exc:
        raise InvalidInput(f"Could not read {str(path)!r} as {kind}: {exc}") from None
    return df, {"kind": "file", "path": str(path.resolve()), "format": kind}
