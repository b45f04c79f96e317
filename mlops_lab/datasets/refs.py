"""How a snapshot is named: "name" (the latest version), "name@3", "name@<hash prefix>",
"name@latest", or a snapshot id (32 hex digits)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..naming import clean_name

SNAPSHOT_ID = re.compile(r"^[0-9a-f]{32}$")
_HEX = re.compile(r"^[0-9a-f]{4,64}$")


@dataclass(frozen=True)
class Ref:
    name: str
    version: int | None = None  # None: the latest
    hash_prefix: str | None = None


def parse_ref(text: str) -> list[Ref]:
    """The readings of `text`, most specific first. A dataset name may itself contain "@",
    so "a@b" is also tried as the whole name."""
    text = clean_name(text, "snapshot reference", limit=600)
    readings: list[Ref] = []
    name, at, suffix = text.rpartition("@")
    if at and name.strip():
        name = name.strip()
        suffix = suffix.strip().lower()
        if suffix == "latest":
            readings.append(Ref(name))
        elif suffix.isdigit() and len(suffix) < 10:
            readings.append(Ref(name, version=int(suffix)))
            if _HEX.match(suffix):
                readings.append(Ref(name, hash_prefix=suffix))
        elif _HEX.match(suffix):
            readings.append(Ref(name, hash_prefix=suffix))
    readings.append(Ref(text))
    return readings
