"""Durations written the way people write them: "90s", "15min", "1h", "7d", "2w" (or a number
of seconds). One reader for every part (monitor windows, alert cooldowns, staleness limits)."""

from __future__ import annotations

import math
import re

from .errors import InvalidInput

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
          "hour": 3600, "d": 86400, "day": 86400, "w": 604800, "week": 604800}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$")
MAX_SECONDS = 10 * 365 * 86400


def seconds(value, what: str = "duration") -> float:
    """Seconds in `value` ("1h", "30min", 90, ...); a clear error for anything else."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        found = float(value)
    else:
        match = _DURATION.match(value.lower()) if isinstance(value, str) else None
        word = match.group(2) if match else ""
        if word not in _UNITS and len(word) > 3 and word.endswith("s"):  # "hours", "days"
            word = word[:-1]
        unit = _UNITS.get(word)
        if not unit:
            raise InvalidInput(f"The {what} {str(value)[:50]!r} is not a duration: write a "
                               "number and a unit, e.g. '90s', '15min', '1h', '7d' or '2w'.")
        found = float(match.group(1)) * unit
    if not math.isfinite(found) or found <= 0 or found > MAX_SECONDS:
        raise InvalidInput(f"The {what} must be more than 0 and at most 10 years.")
    return found


def text(seconds_: float) -> str:
    """A duration the way `seconds` reads it back ("1h", "90s")."""
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("min", 60)):
        if seconds_ >= size and seconds_ % size == 0:
            return f"{int(seconds_ // size)}{unit}"
    return f"{seconds_:g}s"


def human(seconds_: float) -> str:
    """An age for people: "45 s", "12 min", "5.2 h", "3.1 days"."""
    if seconds_ < 90:
        return f"{seconds_:.0f} s"
    if seconds_ < 90 * 60:
        return f"{seconds_ / 60:.0f} min"
    if seconds_ < 36 * 3600:
        return f"{seconds_ / 3600:.1f} h"
    return f"{seconds_ / 86400:,.1f} days"

