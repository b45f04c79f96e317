"""What a feature set's function reads: a DataFrame given in the call, or a snapshot of the
datasets part named "name@version" (loaded through that part's own service)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from ..errors import InvalidInput


@dataclass(frozen=True)
class Source:
    frame: pd.DataFrame
    kind: str  # "dataframe" or "snapshot"
    ref: str | None = None  # the snapshot's id
    label: str | None = None  # "orders@3"


def load_source(source, run_id: str | None, datasets: Callable[[], object]) -> Source:
    """`source` as a frame; a snapshot is loaded by the datasets service `datasets()` gives
    (asked only then)."""
    if isinstance(source, pd.DataFrame):
        return Source(source, "dataframe")
    if isinstance(source, str) or all(hasattr(source, a) for a in ("id", "name", "version")):
        return _snapshot(datasets(), source, run_id)
    raise InvalidInput("A feature set's source is a pandas DataFrame or a snapshot reference "
                       f"such as 'orders@3', not {type(source).__name__}.")


def _snapshot(datasets, ref, run_id: str | None) -> Source:
    # Read from this feature store's own store; inside a run the snapshot is linked as input.
    snapshot, frame = datasets.load(ref, run_id=run_id)
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInput(f"Snapshot {ref!r} did not load as a DataFrame.")
    return Source(frame, "snapshot", str(snapshot.id), f"{snapshot.name}@{snapshot.version}")
