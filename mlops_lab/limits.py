"""Whole-number arguments with bounds (a list's limit, a pool's workers), checked one way with
one message everywhere."""

from __future__ import annotations

from .errors import InvalidInput


def whole_number_in(value, low: int, high: int, what: str) -> int:
    """`value` if it is a whole number from `low` to `high` (not a bool), else InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{what} must be a whole number from {low} to {high}.")
    return value


def check_limit(limit, largest: int, what: str = "limit") -> int:
    """How many rows a list may return: 1 to `largest`."""
    return whole_number_in(limit, 1, largest, what)
