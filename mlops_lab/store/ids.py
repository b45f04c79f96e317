"""Finding a row by its id or a unique prefix of it, as tables and the CLI show ids
(runs, pipeline runs and DAG runs are all named this way)."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import InvalidInput, NotFound

SHORTEST_PREFIX = 4
_HEX = frozenset("0123456789abcdef")


def id_prefix(text, what: str, length: int = 32, see: str = "") -> str:
    """`text` as a lower-case id or id prefix of a `what` ("run", "DAG run"), or InvalidInput.
    `see` names where to find the ids (" (see `mlops-lab runs`)")."""
    prefix = str(text).strip().lower()
    if not SHORTEST_PREFIX <= len(prefix) <= length or not _HEX.issuperset(prefix):
        raise InvalidInput(f"{str(text)[:80]!r} is not a {what} id: give the {length}-character "
                           f"id or a unique prefix of at least {SHORTEST_PREFIX} of its "
                           f"characters{see}.")
    return prefix


def one_id_with_prefix(conn, column, prefix: str, what: str, see: str = "") -> str:
    """The one value of `column` that starts with `prefix` (NotFound when none does,
    InvalidInput when more than one does)."""
    ids = conn.execute(select(column).where(column.like(prefix + "%")).limit(2)).scalars().all()
    if not ids:
        raise NotFound(f"No {what} id starts with {prefix!r}{see}.")
    if len(ids) > 1:
        raise InvalidInput(f"More than one {what} id starts with {prefix!r}: give more "
                           "characters.")
    return ids[0]
