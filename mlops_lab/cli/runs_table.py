"""Which columns `mlops-lab runs` shows: the run's own columns, then the user's metrics and
params (names without a dot: what the notebook named) before the estimator params `%%track`
records as `clf.n_estimators`, the most common first, as many as fit the terminal."""

from __future__ import annotations

import fnmatch
import shutil

from ..errors import InvalidInput
from ..tracking.entities import format_number
from .output import display_width, duration, printable, when

ID_WIDTH = 8
CELL_MAX = 24  # a long param or tag value (a repr, a path) is cut here unless --wide
BASE = {
    "name": lambda r: r.name,
    "status": lambda r: r.status,
    "start": lambda r: when(r.start_time),
    "duration": lambda r: duration(r.duration_ms),
    "parent": lambda r: (r.parent_run_id or "")[:ID_WIDTH],
}
DEFAULT_BASE = ["name", "status", "start", "duration"]


def _value(run, column: str) -> str:
    if column in BASE:
        return BASE[column](run)
    kind, key = column.split(".", 1)
    value = getattr(run, kind).get(key)
    if value is None:
        return ""
    return format_number(value) if kind == "metrics" else str(value)


def _ranked(runs, kind: str) -> list[str]:
    counts: dict[str, int] = {}
    for run in runs:
        for key in getattr(run, kind):
            counts[key] = counts.get(key, 0) + 1
    return [f"{kind}.{k}" for k in sorted(counts, key=lambda k: (-counts[k], k))]


def _chosen(runs, patterns: list[str]) -> list[str]:
    """Columns named by --columns (comma-separated, repeatable; `params.clf.*` globs)."""
    available = list(BASE) + [c for kind in ("metrics", "params", "tags")
                              for c in _ranked(runs, kind)]
    chosen: list[str] = []
    for pattern in (p.strip() for text in patterns for p in text.split(",")):
        if not pattern:
            continue
        if pattern not in BASE and pattern.split(".", 1)[0] not in ("metrics", "params", "tags"):
            raise InvalidInput(f"Unknown column {pattern!r}: use {', '.join(BASE)}, or "
                               "metrics.KEY, params.KEY, tags.KEY (globs like params.clf.* work).")
        matched = fnmatch.filter(available, pattern) if any(c in pattern for c in "*?[") \
            else [pattern]
        chosen += [c for c in matched if c not in chosen]
    return chosen


def columns_for(runs, columns: list[str] | None = None, wide: bool = False,
                width: int | None = None) -> tuple[list[str], int]:
    """The columns to show after the id, and how many available ones were left out."""
    if columns:
        return _chosen(runs, columns), 0
    metrics, params = _ranked(runs, "metrics"), _ranked(runs, "params")
    extra = ([c for c in metrics if "." not in c[8:]] + [c for c in params if "." not in c[7:]]
             + [c for c in metrics if "." in c[8:]] + [c for c in params if "." in c[7:]])
    if wide:
        return DEFAULT_BASE + extra, 0
    width = width or shutil.get_terminal_size((120, 24)).columns
    shown, used = list(DEFAULT_BASE), ID_WIDTH
    for column in DEFAULT_BASE:
        used += 2 + _width(runs, column)
    for column in extra:
        need = 2 + _width(runs, column)
        if used + need > width:
            break
        shown.append(column)
        used += need
    return shown, len(extra) - (len(shown) - len(DEFAULT_BASE))


def _width(runs, column: str) -> int:
    cap = 10**6 if column in BASE else CELL_MAX
    return max([display_width(column)] + [min(cap, display_width(printable(_value(r, column))))
                                          for r in runs])


def table(runs, columns: list[str], wide: bool = False) -> tuple[list[str], list[list[str]]]:
    rows = []
    for run in runs:
        row = [run.id[:ID_WIDTH]]
        for column in columns:
            text = printable(_value(run, column))
            if not wide and column not in BASE and len(text) > CELL_MAX:
                text = text[:CELL_MAX - 1] + "\u2026"
            row.append(text)
        rows.append(row)
    return ["id", *columns], rows
