"""Old spellings of commands, kept working for one release after a rename."""

from __future__ import annotations

import sys


def deprecated(handler, old: str, new: str):
    """`handler` under its old spelling: it says the new one on stderr (stdout stays what
    scripts parse), then does the same."""

    def run(args) -> int:
        print(f"mlops-lab: `mlops-lab {old}` is deprecated and will be removed in the next "
              f"release; use `mlops-lab {new}`.", file=sys.stderr)
        return handler(args)

    return run
