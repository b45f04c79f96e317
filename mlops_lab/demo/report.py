"""How the demo tells its story: one line per step with the seconds since the start, the
step's figures under it, and the same figures by step name for `--json`."""

from __future__ import annotations

import sys
import time


class Reporter:
    def __init__(self, quiet: bool = False, out=None):
        self.quiet, self.out = quiet, out or sys.stdout
        self.started = time.monotonic()
        self.steps: dict[str, dict] = {}

    def elapsed(self) -> float:
        return round(time.monotonic() - self.started, 2)

    def step(self, name: str, title: str, lines=(), **figures) -> None:
        """Step `name` happened: `title` and `lines` for people, `figures` for both."""
        self.steps[name] = {"at_s": self.elapsed(), **figures}
        self.say(f"[{self.elapsed():6.1f} s] {title}")
        for line in lines:
            self.say(f"            {line}")

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.out, flush=True)

    def document(self, **extra) -> dict:
        return {**extra, "seconds": self.elapsed(), "steps": self.steps}
