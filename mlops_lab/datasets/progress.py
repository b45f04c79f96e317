"""Progress of a long snapshot: a tqdm bar that appears only when the work takes longer than a
moment (tqdm's `delay`), so quick snapshots print nothing."""

from __future__ import annotations

from contextlib import contextmanager

DELAY_SECONDS = 1.0


class _Steps:
    def __init__(self, bar):
        self.bar = bar

    def step(self, what: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(what, refresh=False)
            self.bar.update(1)


@contextmanager
def steps(description: str, total: int, enabled: bool = True):
    if not enabled:
        yield _Steps(None)
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=description, delay=DELAY_SECONDS, leave=False,
               bar_format="{desc}: {n}/{total} {postfix} [{elapsed}]")
    try:
        yield _Steps(bar)
    finally:
        bar.close()
