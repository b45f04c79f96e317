"""Model references as users write them: "name", "name/3", "name@alias".

Kept apart from the service so that code which only reads a reference (the model server,
before it opens the store) need not import the store's libraries.
"""

from __future__ import annotations

import re

from ..errors import InvalidInput

ALIAS = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# Version numbers are 32-bit integer columns (PostgreSQL's INTEGER): a larger number names no
# version (it is never handed to the database, where it would overflow), and one beyond a
# signed 64-bit integer is not a version number at all.
MAX_VERSION = 2**31 - 1
LARGEST_NUMBER = 2**63 - 1


def parse_ref(ref: str) -> tuple[str, int | None, str | None]:
    """"name@alias" -> (name, None, alias); "name/3" -> (name, 3, None); "name" -> (name, None,
    None). The alias is what follows the last '@', the version the digits after the last '/'."""
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput("A model reference is 'name', 'name/3' or 'name@alias'.")
    ref = ref.strip()
    if "@" in ref:
        name, _, alias = ref.rpartition("@")
        if name and ALIAS.match(alias) and not alias.isdigit():
            return name, None, alias
    if "/" in ref:
        name, _, number = ref.rpartition("/")
        if name and number.isdigit():
            return name, int(number), None
    return ref, None, None
