"""The feature store's names and values, checked once: set names, TTLs, tags, entity columns,
version numbers, the owner."""

from __future__ import annotations

import getpass


from ..durations import duration_ms
from ..errors import InvalidInput
from ..naming import clean_key, clean_name


def clean_set_name(name) -> str:
    name = clean_name(name, "feature set name")
    if ":" in name or "@" in name:
        raise InvalidInput(f"A feature set name cannot contain ':' or '@' (they separate the set, "
                           f"version and feature in 'set@v2:feature'): {name!r}.")
    return name


def ttl_to_ms(ttl) -> int | None:
    """A TTL as ms: a timedelta, a pandas Timedelta or its text ('30d', '12h'), or seconds."""
    return None if ttl is None else duration_ms(ttl, "ttl")


def clean_tags(tags) -> dict[str, str]:
    if tags is None:
        return {}
    if isinstance(tags, (list, tuple, set)):
        tags = {tag: "" for tag in tags}
    if not isinstance(tags, dict):
        raise InvalidInput("tags are a dict {'team': 'growth'} or a list ['pii', 'daily'].")
    return {clean_key(k, "tag key"): "" if v is None or str(v).strip() == ""
            else clean_name(str(v), "tag value") for k, v in tags.items()}


def clean_columns(value, what: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise InvalidInput(f"{what} is a column name or a list of column names.")
    return [clean_key(c, what) for c in items]


def user_name() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return None


def version_number(version) -> int:
    if isinstance(version, str):
        version = version.strip().lstrip("v")
    try:
        number = int(version)
    except (TypeError, ValueError):
        raise InvalidInput(f"A version is a whole number like 2, not {version!r}.") from None
    if number < 1:
        raise InvalidInput(f"Versions start at 1, not {number}.")
    return number
