"""One reading of a duration for every part: a feature set's TTL, a monitor's window, an alert
rule's cooldown or staleness limit. '30d', '12h', '90min', '1h30m', a timedelta (or pandas
Timedelta), or a number of seconds."""

from __future__ import annotations

import re

from .errors import InvalidInput

MAX_SECONDS = 10 * 365 * 86400


def duration_ms(value, what: str, allow_zero: bool = False) -> int:
    """`value` as whole milliseconds; anything else is a clear InvalidInput naming `what`."""
    import pandas as pd

    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, (int, float)):
            delta = pd.Timedelta(seconds=value)
        else:
            if isinstance(value, str):  # "30d": pandas now spells days "D"
                value = re.sub(r"(?<=\d)\s*d\b", "D", value.strip())
            delta = pd.Timedelta(value)
        ms = int(delta / pd.Timedelta(milliseconds=1))
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"{what} is a duration such as '30d', '1h', timedelta(hours=6) or "
                           f"seconds, not {value!r:.80}.") from None
    if ms < 0 or (ms == 0 and not allow_zero):
        raise InvalidInput(f"{what} must be {'0 or more' if allow_zero else 'positive'}, "
                           f"not {value!r:.80}.")
    return ms


def seconds(value, what: str = "duration") -> float:
    """`value` in seconds, more than 0 and at most 10 years."""
    found = duration_ms(value, what) / 1000
    if found > MAX_SECONDS:
        raise InvalidInput(f"{what} must be at most 10 years, not {value!r:.80}.")
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
