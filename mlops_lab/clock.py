"""The one clock of the store: every timestamp it records is whole milliseconds since the epoch."""

import time


def now_ms() -> int:
    return time.time_ns() // 1_000_000
