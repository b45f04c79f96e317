"""The one way the benchmarks time a step: the median of several runs of it."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def timed(fn: Callable[[], object], reps: int) -> float:
    """Median seconds of `reps` calls of `fn`."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
