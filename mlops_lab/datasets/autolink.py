"""`%%track`'s link from a cell to the snapshots it read: the DataFrames a cell bound or
rebound are hashed and those equal to a stored snapshot become inputs of the cell's run.

Cheap when there is nothing to do: no pandas imported, no DataFrame bound, or no snapshot of
the frame's shape (only frames whose row and column counts match a snapshot are hashed)."""

from __future__ import annotations

import sys

def _service(store):
    from ..services import services_for

    return services_for(store).datasets


def link_cell_frames(run, user_ns: dict, before: dict | None) -> list[str]:
    """Links `run` (an ActiveRun) to snapshots equal to DataFrames the cell bound; returns
    notes for the cell's summary (what could not be checked)."""
    pd = sys.modules.get("pandas")
    if pd is None:
        return []
    frame_type = pd.DataFrame
    if before is None:
        names = [k for k, v in user_ns.items() if type(v) is frame_type or isinstance(v, frame_type)]
    else:
        names = [k for k, v in user_ns.items() if before.get(k) != id(v)
                 and isinstance(v, frame_type)]
    frames = {k: user_ns[k] for k in names if not k.startswith("_")}
    if not frames:
        return []
    try:
        _service(run.service.store).link_matching(run.id, frames)
    except Exception as exc:  # noqa: BLE001 - the cell's run must end whatever a frame holds
        return [f"inputs not matched to snapshots: {type(exc).__name__}: {exc}"]
    return []
