"""Keyset (cursor) paging: a page starts after the last row of the previous one, found through
the index its order uses, so page 1,000 costs what page 1 costs (OFFSET would read and drop
every row before it).

A page token is opaque to clients: base64 of the last row's order key (a short JSON list),
with a mark of the ordering it belongs to so that a token is never applied to another one.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import and_, false, or_, tuple_
from sqlalchemy.sql import ColumnElement

from ..errors import InvalidInput

BAD_TOKEN = ("Invalid page token: pass back the next_page_token of the previous page of the "
              "same list, or leave it out for the first page.")
_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class SortKey:
    """One term of an ORDER BY. A column that may be NULL needs a term before it that sorts
    the NULLs apart (a 'missing' flag), as the run search's orderings have."""

    column: Any
    descending: bool = False

    def order(self):
        return self.column.desc() if self.descending else self.column.asc()


def encode_token(key: Sequence[Any], ordering: str = "") -> str:
    doc = {"k": list(key), **({"o": ordering} if ordering else {})}
    text = json.dumps(doc, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_token(token: str | None, ordering: str = "", length: int | None = None) -> list | None:
    """The order key a token carries (None for no token); anything else is a clear 400."""
    if token is None or token == "":
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        doc = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        key = doc["k"]
        ok = (isinstance(key, list) and all(isinstance(v, _SCALARS) for v in key)
              and doc.get("o", "") == ordering and (length is None or len(key) == length))
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error, RecursionError):
        ok = False
    if not ok:
        raise InvalidInput(BAD_TOKEN)
    return key


def check_types(key: list, types: Sequence[type], nullable: bool = True) -> list:
    """The key, if each value is of its column's type (a float column takes ints too) and one
    a database takes (64-bit integers, text without NUL); else the 400 of a bad token."""
    for value, kind in zip(key, types, strict=True):
        is_bool = isinstance(value, bool)
        fits = (value is None and nullable) or (
            isinstance(value, kind) and (kind is bool or not is_bool)) or (
            kind is float and isinstance(value, int) and not is_bool)
        if isinstance(value, int) and not is_bool and not -(1 << 63) <= value < (1 << 63):
            fits = False
        if not fits or (isinstance(value, str) and "\x00" in value):
            raise InvalidInput(BAD_TOKEN)
    return key


def page_query(query, keys: Sequence[SortKey], values: Sequence[Any] | None, limit: int | None):
    """`query` ordered by `keys`, from the row after `values` (None: from the start), at most
    `limit` rows: what every list read by keyset runs."""
    if values is not None:
        query = query.where(after(keys, values))
    return query.order_by(*(k.order() for k in keys)).limit(limit)


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement:
    """The rows that sort after `values` under `keys`: lexicographic, each term in its own
    direction. Runs of terms in one direction compare as one row value, which SQLite and
    PostgreSQL answer from an index range; the first term also bounds the scan on its own."""
    condition = _after(list(keys), list(values))
    first, value = keys[0], values[0]
    if value is None:
        return condition
    bound = first.column <= value if first.descending else first.column >= value
    return and_(bound, condition)


def _after(keys: list[SortKey], values: list) -> ColumnElement:
    if not keys:
        return false()
    run = 1
    while (run < len(keys) and keys[run].descending == keys[0].descending
           and values[run] is not None and values[0] is not None):
        run += 1
    head, head_values = keys[:run], values[:run]
    if head_values[0] is None:  # a missing value: every row still missing ties with it
        return and_(head[0].column.is_(None), _after(keys[1:], values[1:]))
    columns = [k.column for k in head]
    row = tuple_(*columns) if run > 1 else columns[0]
    bound = tuple_(*head_values) if run > 1 else head_values[0]
    beyond = row < bound if head[0].descending else row > bound
    return or_(beyond, and_(row == bound, _after(keys[run:], values[run:])))


def page_of(rows: list, limit: int, key_of, ordering: str = "") -> tuple[list, str | None]:
    """The first `limit` of `limit + 1` fetched rows, and the token of the page after them."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_token(key_of(page[-1]), ordering)
