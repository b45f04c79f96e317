"""The one list contract of the REST API: every list takes `?limit=N&page_token=T` and answers
`{"<items>": [...], "next_page_token": T | null, "total": n | null}` (`#/components/…/Page*`
in openapi/base.yaml). The token is opaque: the last row's order key (store/keyset.py), so
the next page starts there through an index, and a page costs the same however deep it is.
`total` is given only where it costs nothing (lists read whole); never a count of a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..errors import InvalidInput
from ..store import keyset

# Rows per page unless ?limit= says otherwise, and the most a page may hold.
LIST_DEFAULT, LIST_MAX = 100, 9_999


@dataclass(frozen=True)
class Page:
    items: list
    next_page_token: str | None
    total: int | None = None

    def to_json(self, items: str, render: Callable[[Any], Any] = lambda item: item.to_json(),
                **extra) -> dict:
        """The answer: `extra` fields first, the items under the list's own name, the paging."""
        return {**extra, items: [render(item) for item in self.items],
                "next_page_token": self.next_page_token, "total": self.total}


class Paging:
    """What a list handler uses (mixed into every handler): the page the client asked for."""

    def page_limit(self, default: int = LIST_DEFAULT) -> int:
        text = self.get_argument("limit", "") or str(default)
        try:
            limit = int(text.strip())
        except ValueError:
            limit = 0
        if not 1 <= limit <= LIST_MAX:
            raise InvalidInput(f"limit must be a whole number from 1 to {LIST_MAX}, "
                               f"not {text[:50]!r}.")
        return limit

    def page_after(self, types: Sequence[type]) -> list | None:
        """The order key the page starts after (None on the first page); a token that is not
        one of this list's (each list's tokens carry its handler's name) is a 400."""
        token = self.get_argument("page_token", "") or None
        key = keyset.decode_token(token, type(self).__name__, len(types))
        return None if key is None else keyset.check_types(key, types, nullable=False)

    async def keyset_page(self, fetch: Callable[[list | None, int], list],
                          key_of: Callable[[Any], Sequence], types: Sequence[type],
                          default: int = LIST_DEFAULT) -> Page:
        """A page of a list the service reads by keyset: `fetch(after, n)` gives up to n rows
        after the key `after` (None: from the start), in the order whose key `key_of` gives."""
        limit, after = self.page_limit(default), self.page_after(types)
        found = await self.call(fetch, after, limit + 1)
        items, token = keyset.page_of(found, limit, lambda item: list(key_of(item)),
                                      type(self).__name__)
        return Page(items, token)

    async def whole_list_page(self, fetch: Callable[[], list], key_of: Callable[[Any], tuple],
                              types: Sequence[type], default: int = LIST_DEFAULT) -> Page:
        """A page of a short list the service reads whole, already in ascending `key_of`
        order (a key unique per item): its total is known, so it is given."""
        limit, after = self.page_limit(default), self.page_after(types)
        found = await self.call(fetch)
        rest = found if after is None else [i for i in found if tuple(key_of(i)) > tuple(after)]
        items, token = keyset.page_of(rest, limit, lambda item: list(key_of(item)),
                                      type(self).__name__)
        return Page(items, token, total=len(found))
