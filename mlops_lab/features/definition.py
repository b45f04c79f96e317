"""A feature set's definition: the function's source (dedented, decorators left out), its
hash, and the promises that change what its output means (entity key(s), timestamp, TTL).

The source is stored so every version can be read, diffed and rolled back to. It is only ever
*run* from the store when the caller says so (`exec_source=True`): otherwise the function must
be in this process (decorated here, or in a module this process imported) with the same
source. A module named in the store is never imported without that opt-in either: importing
runs the module's code.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import json
import sys
import textwrap
import threading
from dataclasses import dataclass
from typing import Callable

from ..errors import InvalidInput


@dataclass(frozen=True)
class Definition:
    name: str
    function_name: str
    module: str | None
    source: str
    source_hash: str
    entity: tuple[str, ...]
    timestamp: str
    ttl_ms: int | None

    @property
    def definition_hash(self) -> str:
        return hash_text(json.dumps({"source_hash": self.source_hash, "entity": list(self.entity),
                                     "timestamp": self.timestamp, "ttl_ms": self.ttl_ms},
                                    sort_keys=True))


def hash_text(text: str) -> str:
    from blake3 import blake3

    return blake3(text.encode("utf-8")).hexdigest()


def function_source(fn: Callable) -> str:
    """The function's own source, dedented, from its `def` line (decorators are part of how it
    is registered, not of what it computes)."""
    if not inspect.isfunction(fn):
        raise InvalidInput(f"A feature set is defined by a Python function, not {type(fn).__name__}.")
    if fn.__name__ == "<lambda>":
        raise InvalidInput("A feature set needs a named function (def ...), not a lambda: its "
                           "source is stored as the feature set's definition.")
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as exc:
        raise InvalidInput(f"The source of {fn.__name__!r} cannot be read ({exc}); define the "
                           "feature set in a file or a notebook cell.") from None
    tree = ast.parse(source)
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))),
                None)
    if node is None:
        return source.strip() + "\n"
    lines = source.splitlines()
    return "\n".join(lines[node.lineno - 1:node.end_lineno]).rstrip() + "\n"


def make_definition(name: str, fn: Callable, entity, timestamp: str, ttl_ms: int | None) -> Definition:
    source = function_source(fn)
    module = getattr(fn, "__module__", None)
    return Definition(name=name, function_name=fn.__qualname__, module=module, source=source,
                      source_hash=hash_text(source), entity=tuple(entity), timestamp=timestamp,
                      ttl_ms=ttl_ms)


# Functions decorated in this process, by (feature set name, source hash).
_functions: dict[tuple[str, str], Callable] = {}
_lock = threading.Lock()


def remember(name: str, source_hash: str, fn: Callable) -> None:
    with _lock:
        _functions[(name, source_hash)] = fn


def find_function(name: str, source_hash: str, module: str | None, function_name: str,
                  source: str, exec_source: bool) -> Callable:
    """The function of a stored version: decorated in this process, else taken from its module
    (one already imported; imported only with exec_source=True) when its source there is the
    stored one, else (only with exec_source=True) the stored source executed in a fresh
    namespace holding `pd` and `np`."""
    fn = _functions.get((name, source_hash))
    if fn is not None:
        return fn
    fn = _from_module(module, function_name, may_import=exec_source)
    if fn is not None:
        try:
            if hash_text(function_source(getattr(fn, "__wrapped__", fn))) == source_hash:
                return getattr(fn, "__wrapped__", fn)
        except InvalidInput:
            pass
    if exec_source:
        return _exec(source, function_name)
    if module and module != "__main__" and module not in sys.modules:
        where = (f"its module {module!r} is not imported here (a module named in the store is "
                 f"never imported unasked: `import {module}` first if it is yours)")
    else:
        where = f"its module {module!r} does not hold the same source"
    raise InvalidInput(
        f"The function of feature set {name!r} at this version is not defined in this process "
        f"and {where}. Run the cell that defines it, or pass exec_source=True to run the source "
        "stored with the version (only for code you trust)."
    )


def _from_module(module: str | None, qualname: str, may_import: bool) -> Callable | None:
    """The function `qualname` of `module`: of a module this process has imported already;
    importing one (which runs its code) only when `may_import`, the caller's opt-in, because
    the name comes from the store, which anyone who can write to it may have set."""
    if not module or module == "__main__" or "<" in qualname:
        return None
    if module not in sys.modules and not may_import:
        return None
    try:
        obj = sys.modules.get(module) or importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception:  # noqa: BLE001 - not importable: the caller explains what to do
        return None
    return obj if callable(obj) else None


def _exec(source: str, function_name: str) -> Callable:
    import numpy as np
    import pandas as pd

    namespace = {"__builtins__": builtins, "__name__": "mlops_lab_feature_set", "pd": pd,
                 "np": np}
    exec(compile(source, f"<feature set {function_name}>", "exec"), namespace)  # noqa: S102
    fn = namespace.get(function_name.rsplit(".", 1)[-1])
    if not callable(fn):
        raise InvalidInput(f"The stored source does not define {function_name!r}.")
    return fn
