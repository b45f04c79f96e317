"""How every `mlops-lab` command prints: aligned tables, key/value pairs, JSON, times.

Stored text is printed through `printable`: a name must never move the cursor, recolour the
terminal or reorder the line it is printed on.
"""

from __future__ import annotations

import json
import time
import unicodedata


def print_pairs(pairs, indent: str = "") -> None:
    key_width = max((display_width(printable(k)) for k, _ in pairs), default=0)
    for key, value in pairs:
        key = printable(key)
        print(f"{indent}{key}{' ' * (key_width - display_width(key))}  {printable(value)}")


def print_table(header: list[str], rows: list[list[str]]) -> None:
    table = [[printable(c) for c in row] for row in [header, *rows]]
    widths = [max(display_width(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        print("  ".join(c + " " * (w - display_width(c)) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def print_json(doc) -> None:
    print(json.dumps(doc, indent=2))


def printable(text) -> str:
    """Control and direction-changing characters shown as escapes: a stored name must not move
    the cursor, recolour the terminal or reorder the line it is printed on."""
    text = str(text)
    if all(ch.isprintable() and unicodedata.category(ch) != "Cf" for ch in text):
        return text
    return "".join(ch if ch.isprintable() and unicodedata.category(ch) != "Cf"
                   else ascii(ch)[1:-1] for ch in text)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0
               if unicodedata.combining(ch) else 1 for ch in text)


def when(ms: int | None) -> str:
    if ms is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000))


def file_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def duration(ms: int | None) -> str:
    if ms is None:
        return "-"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
