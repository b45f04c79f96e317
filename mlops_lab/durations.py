"""One reading of a duration for every part: a feature set's TTL, an alert rule's cooldown or
staleness limit. '30d', '12h', '90min', '1h30m', a timedelta (or pandas Timedelta), or a
number of seconds."""

from __future__ import annotations

import re

from .errors import InvalidInput


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
