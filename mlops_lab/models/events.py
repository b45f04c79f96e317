"""What the registry tells webhooks: the bodies of its events, queued by the webhooks part in
the write transaction of the change they tell of (a version never registers, nor an alias
moves, without its deliveries, and the other way round).

Each body is {"event": ..., "at": ms, ...the change's fields}, beside the alert events'
{"event": ..., "alert": {...}}: one JSON object a receiver dispatches on by its "event".
"""

from __future__ import annotations

from .entities import AliasMove

VERSION_REGISTERED = "model_version.registered"
ALIAS_MOVED = "alias.moved"


def version_registered(doc: dict, version: int, now: int) -> dict:
    """`doc`: the registered version's fields as versions.py gathers them."""
    return {"at": now, "name": doc["name"], "version": version,
            "model_class": doc["model_class"], "run_id": doc["run_id"],
            "created_by": doc["created_by"]}


def alias_moved(move: AliasMove, rolled_back: bool) -> dict:
    """A move (to_version None: the alias was deleted; from_version None: it was created)."""
    return {"at": move.moved_at, "name": move.name, "alias": move.alias,
            "from_version": move.from_version, "to_version": move.to_version,
            "reason": move.reason, "moved_by": move.moved_by,
            "evaluation_id": move.evaluation_id, "rolled_back": rolled_back}
