"""Comparing what a run recorded with what its reproduction recorded.

Pure functions, no store: `reproduce.py` gathers the records of both pipeline runs (outputs,
params and metrics of their tracked runs, the cell outputs of their output notebooks) and
`compare` says one of three things:

- "reproduced": N things compared, all equal;
- "differs": a table of what differs (what, before, after);
- "cannot tell": nothing was recorded to compare. Never "the same" on an empty comparison.

Numbers are equal within a tolerance (`math.isclose`, relative 1e-6 and absolute 1e-9 unless
the caller says otherwise), also inside text: "acc 0.9100001" equals "acc 0.91". Known-volatile
things are masked in text before comparing (timestamps, times of day, memory addresses such as
`0x7f…`, progress-bar timings, durations, temporary paths, run ids), and params or metrics
whose names say they are timings (`fit_time`, `*_seconds`, `duration`…) are left out and
listed as ignored.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tempfile
from dataclasses import dataclass

from ...errors import InvalidInput

REL_TOL = 1e-6
ABS_TOL = 1e-9
# Params and metrics named like timings change from run to run by nature.
VOLATILE_NAMES = ("*duration*", "*elapsed*", "*_time", "*_time_*", "*_seconds", "*_ms",
                  "time_*")
MAX_IGNORE = 100
# A value longer than this is cut in the table of differences (the comparison uses it whole).
SHOWN_CHARS = 2000
_TEMP = re.escape(tempfile.gettempdir().rstrip("/\\"))
# (what, pattern, replacement), applied in order: a timestamp goes before its time of day.
VOLATILE_TEXT = (
    ("timestamps", r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
                   r"(?:Z|[+-]\d{2}:?\d{2})?", "<timestamp>"),
    ("times of day", r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b", "<time>"),
    ("memory addresses (0x…)", r"\b0x[0-9a-fA-F]{6,}\b", "<address>"),
    ("progress bar timings", r"\[\d+:\d{2}(?::\d{2})?<[^\]\n]*\]", "[<progress>]"),
    ("durations", r"(?<![\w.])\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s|sec|secs|seconds|min|mins|"
                  r"minutes|h|hours)\b", "<duration>"),
    ("temporary paths", rf"(?:{_TEMP}|/tmp|/var/folders)[/\\][^\s'\"<>]*", "<temp path>"),
)
# Only the ids of the runs being compared are masked, not any 32-digit hex text: a data hash
# (md5, blake3) that changed is a difference.
IDS_MASKED = "ids of the runs compared"
_MASKS = [(re.compile(pattern), replacement) for _, pattern, replacement in VOLATILE_TEXT]
# A number standing alone (not the digits of a name or a hash).
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?!\w)")
# The summary `%%track` shows under a cell names its run (a fresh id and name each time); the
# run itself is compared through its params and metrics.
RUN_SUMMARY_MARK = "mlops-lab-run-summary"


@dataclass(frozen=True)
class Tolerance:
    """How close two numbers must be to count as equal, and which names to leave out."""

    rel: float = REL_TOL
    abs: float = ABS_TOL
    ignore: tuple[str, ...] = ()
    ids: frozenset[str] = frozenset()  # run and pipeline run ids, masked as <id> in text

    def to_json(self) -> dict:
        return {"rel": self.rel, "abs": self.abs, "ignore": list(self.ignore)}


def tolerance(rel_tol=None, abs_tol=None, ignore=None) -> Tolerance:
    """A checked Tolerance; None keeps the default."""
    def number(value, name, default):
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not 0 <= value < 1 or math.isnan(value):
            raise InvalidInput(f"{name} must be a number from 0 to below 1 (default {default:g}).")
        return float(value)

    if ignore is None:
        ignore = ()
    if isinstance(ignore, str) or not isinstance(ignore, (list, tuple)) \
            or len(ignore) > MAX_IGNORE or not all(isinstance(p, str) and 0 < len(p) <= 200
                                                   for p in ignore):
        raise InvalidInput(f"ignore must be a list of up to {MAX_IGNORE} name patterns such as "
                           "'cell [4]*' or 'metric:*loss'.")
    return Tolerance(number(rel_tol, "rel_tol", REL_TOL), number(abs_tol, "abs_tol", ABS_TOL),
                     tuple(ignore))


# ---- equality ------------------------------------------------------------------------------

def mask(text: str, ids=()) -> str:
    """`text` with its volatile parts replaced by placeholders such as <timestamp>, and each of
    `ids` (the compared runs' ids) by <id>."""
    for run_id in ids:
        text = text.replace(run_id, "<id>")
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def numbers_equal(a: float, b: float, tol: Tolerance) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=tol.rel, abs_tol=tol.abs)


def text_equal(a: str, b: str, tol: Tolerance) -> bool:
    """Equal once masked, numbers in the text compared within the tolerance."""
    a, b = mask(a, tol.ids), mask(b, tol.ids)
    if a == b:
        return True
    words_a, words_b = _NUMBER.split(a), _NUMBER.split(b)
    if words_a != words_b:
        return False
    return all(numbers_equal(float(x), float(y), tol)
               for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b)))


def values_equal(a, b, tol: Tolerance) -> bool:
    """JSON-like values: numbers within the tolerance, text masked, containers item by item."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return numbers_equal(float(a), float(b), tol)
    if isinstance(a, str) and isinstance(b, str):
        return text_equal(a, b, tol)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k], tol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(values_equal(x, y, tol) for x, y in zip(a, b))
    return a == b


# ---- the verdict ---------------------------------------------------------------------------

def volatile_name(name: str) -> bool:
    last = name.rsplit("/", 1)[-1].lower()
    return any(_glob(pattern).fullmatch(last) for pattern in VOLATILE_NAMES)


def compare(before: dict[str, dict], after: dict[str, dict], tol: Tolerance,
            not_compared: list[str] | None = None) -> dict:
    """`before`/`after`: kind ("output", "param", "metric", "cell output") -> name -> value.
    Returns the verdict, the counts, the table of differences and what was left out."""
    counts: dict[str, int] = {}
    differences, ignored = [], []
    for kind in sorted(set(before) | set(after)):
        b, a = before.get(kind, {}), after.get(kind, {})
        for name in sorted(set(b) | set(a)):
            if _ignored(kind, name, tol):
                ignored.append({"kind": kind, "name": name, "why": "ignored by a pattern"})
                continue
            if kind in ("param", "metric") and volatile_name(name):
                ignored.append({"kind": kind, "name": name, "why": "a timing"})
                continue
            counts[kind] = counts.get(kind, 0) + 1
            if name not in a or name not in b:
                missing = "after" if name not in a else "before"
                differences.append({"kind": kind, "name": name, "before": _shown(b.get(name)),
                                    "after": _shown(a.get(name)), "missing": missing})
            elif not values_equal(b[name], a[name], tol):
                differences.append({"kind": kind, "name": name, "before": _shown(b[name]),
                                    "after": _shown(a[name])})
    compared = sum(counts.values())
    if differences:
        verdict = "differs"
        summary = (f"differs: {len(differences)} of {compared} things compared "
                   f"{'differs' if len(differences) == 1 else 'differ'}")
    elif compared:
        verdict, summary = "reproduced", f"reproduced: {compared} things compared, all equal"
    else:
        verdict = "cannot tell"
        summary = ("cannot tell: the run recorded nothing to compare (no outputs, params, "
                   "metrics or cell outputs)")
    return {"verdict": verdict, "summary": summary, "compared": compared, "counts": counts,
            "differences": differences, "ignored": ignored,
            "not_compared": list(not_compared or []), "tolerance": tol.to_json(),
            "masked": [what for what, _, _ in VOLATILE_TEXT] + [IDS_MASKED]}


def _shown(value):
    if isinstance(value, str) and len(value) > SHOWN_CHARS:
        return value[:SHOWN_CHARS] + f"… ({len(value)} characters)"
    return value


def _ignored(kind: str, name: str, tol: Tolerance) -> bool:
    return any(_glob(p).fullmatch(name) or _glob(p).fullmatch(f"{kind}:{name}")
               for p in tol.ignore)


def _glob(pattern: str) -> re.Pattern:
    """`*` any text, `?` one character, everything else literal: "cell [4]*" means cell [4]
    (fnmatch would read [4] as a character class)."""
    return re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), re.S)


# ---- what an executed notebook shows -------------------------------------------------------

def cell_outputs(notebook: bytes) -> dict[str, object]:
    """The outputs of each code cell, by name: "cell [3] stdout", "cell [3] output 1
    text/plain", "cell [3] error"; images by their sha256. Our own run summaries are left out."""
    doc = json.loads(notebook)
    found: dict[str, object] = {}
    for position, cell in enumerate(doc.get("cells") or [], start=1):
        if cell.get("cell_type") != "code":
            continue
        count = cell.get("execution_count")
        where = f"cell [{count}]" if count is not None else f"cell #{position}"
        shown = 0
        for output in cell.get("outputs") or []:
            kind = output.get("output_type")
            if kind == "stream":
                key = f"{where} {output.get('name', 'stdout')}"
                found[key] = str(found.get(key, "")) + _text(output.get("text"))
            elif kind == "error":
                found[f"{where} error"] = f"{output.get('ename')}: {output.get('evalue')}"
            elif kind in ("execute_result", "display_data"):
                data = output.get("data") or {}
                if RUN_SUMMARY_MARK in _text(data.get("text/html")):
                    continue
                shown += 1
                for mime, value in sorted(data.items()):
                    found[f"{where} output {shown} {mime}"] = _data(mime, value)
    return found


def _text(value) -> str:
    if value is None:
        return ""
    return "".join(value) if isinstance(value, list) else str(value)


def _data(mime: str, value):
    if mime.startswith("image/") and mime != "image/svg+xml":
        return "sha256:" + hashlib.sha256(_text(value).encode()).hexdigest()
    if mime.endswith("json") and not isinstance(value, (str, list)):
        return value
    return _text(value)
