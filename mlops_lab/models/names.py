"""The registry's names and texts, checked once: model names, aliases, version numbers,
reasons and descriptions, who did it."""

from __future__ import annotations

import getpass

from ..errors import InvalidInput
from ..naming import clean_name
from .refs import ALIAS, LARGEST_NUMBER

# A version's ref ("name/12") is also its run link ref, a column of 200 characters.
MODEL_NAME_MAX = 180
REASON_MAX = 2000
DESCRIPTION_MAX = 20_000
LIST_LIMIT = 10_000


def clean_model_name(name) -> str:
    return clean_name(name, "model name", MODEL_NAME_MAX)


def clean_alias(alias) -> str:
    if not isinstance(alias, str) or not ALIAS.match(alias):
        raise InvalidInput(f"An alias is 1 to 64 letters, digits, '_', '.' or '-' (like "
                           f"'champion'), not {str(alias)[:80]!r}.")
    if alias.isdigit():
        raise InvalidInput(f"An alias cannot be a number ({alias!r} would read as a version).")
    return alias


def clean_version(version) -> int:
    if isinstance(version, str) and version.strip().isdigit():
        version = int(version.strip())
    elif isinstance(version, float) and version.is_integer():
        version = int(version)  # JSON's 3.0 is the integer 3 (JSON Schema says so too)
    if isinstance(version, bool) or not isinstance(version, int):
        raise InvalidInput(f"A model version is a whole number from 1, not {version!r:.80}.")
    if not 1 <= version <= LARGEST_NUMBER:
        raise InvalidInput(f"A model version is a whole number from 1 to {LARGEST_NUMBER}.")
    return version


def clean_text(value, what: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text, not {type(value).__name__}.")
    if "\x00" in value:
        raise InvalidInput(f"The {what} must not contain a NUL character.")
    if len(value) > limit:
        raise InvalidInput(f"The {what} may be at most {limit} characters long.")
    return value.strip() or None


def user_name(user: str | None) -> str:
    if user:
        return str(user)[:255]
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment (some containers)
        return "unknown"


def clean_types(types) -> list[str]:
    if types is None:
        return []
    if not isinstance(types, (list, tuple)) or not all(isinstance(x, str) and x for x in types):
        raise InvalidInput("trusted_types is a list of type names, like "
                           "['sklearn.tree._tree.Tree'].")
    return list(types)
