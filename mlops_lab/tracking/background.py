"""Work that may finish after the call that asked for it (e.g. reading git state for a run),
done in order on one daemon thread. `flush()` waits for all of it; it also runs at exit."""

from __future__ import annotations

import atexit
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger("mlops_lab")
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_pending: set[Future] = set()


def submit(fn, *args, **kwargs) -> Future:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlops-lab")
        future = _executor.submit(_logged, fn, *args, **kwargs)
        _pending.add(future)
    future.add_done_callback(_pending.discard)
    return future


def flush(timeout: float | None = 30.0) -> None:
    """Waits until all submitted work is done."""
    for future in list(_pending):
        future.result(timeout=timeout)


def _logged(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Exception:  # background work must never take the user's process down
        log.warning("mlops-lab background task %s failed", getattr(fn, "__name__", fn),
                    exc_info=True)


atexit.register(flush)
