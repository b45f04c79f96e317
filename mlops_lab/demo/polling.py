"""Waiting in the demo: a condition polled until it holds or its deadline passes."""

from __future__ import annotations

import time

from . import DemoFailed

POLL_S = 0.05  # between looks at the condition


def until(condition, what: str, timeout: float, alive=None):
    """Polls `condition()` until it returns something truthy, and returns that; `alive()`
    (if given) is called first each round and raises when waiting is pointless."""
    deadline = time.monotonic() + timeout
    while True:
        if alive is not None:
            alive()
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise DemoFailed(f"Gave up waiting for {what} after {timeout:.0f} s.")
        time.sleep(POLL_S)
