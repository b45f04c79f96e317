"""One rule for every user-given name and key, applied by every part.

Names are text: they are NFC-normalised (so keys that differ only in Unicode normalisation are
one key), must not be empty, contain NUL or exceed a length limit, and are never used as paths.
"""

from __future__ import annotations

import unicodedata

from .errors import InvalidInput

NAME_MAX = 500
KEY_MAX = 250


def clean_name(value, what: str, limit: int = NAME_MAX) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text, not {type(value).__name__}.")
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise InvalidInput(f"The {what} must not be empty.")
    if "\x00" in value:
        raise InvalidInput(f"The {what} must not contain a NUL character.")
    if len(value) > limit:
        raise InvalidInput(f"The {what} may be at most {limit} characters long (got {len(value)}).")
    return value


def clean_key(value, what: str) -> str:
    return clean_name(value, what, KEY_MAX)
