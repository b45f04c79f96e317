"""Papermill parameters: names are Python identifiers and values are JSON-typed, so the cell
papermill injects is made of literals only — a value can never become code."""

from __future__ import annotations

import json
import keyword
import math
from pathlib import Path
from typing import Any

from ...errors import InvalidInput
from .notebooks import check_notebook, read_bytes

MAX_DEPTH = 20


def check_parameters(parameters: dict | None) -> dict[str, Any]:
    """The parameters, checked: identifier names, JSON values (finite numbers)."""
    if parameters is None:
        return {}
    if not isinstance(parameters, dict):
        raise InvalidInput("Parameters must be a JSON object of name -> value.")
    for name, value in parameters.items():
        check_name(name)
        _check_value(name, value, 0)
    # Round-trip so what is stored is exactly what is injected (tuples become lists, …).
    return json.loads(json.dumps(parameters))


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise InvalidInput(
            f"Parameter name {str(name)[:100]!r} is not allowed: it must be a Python identifier "
            "(letters, digits and _, not starting with a digit) and not a keyword.")
    return name


def _check_value(name: str, value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InvalidInput(f"Parameter {name!r} is nested more than {MAX_DEPTH} levels deep.")
    if value is None or isinstance(value, (bool, str)):
        if isinstance(value, str) and "\x00" in value:
            raise InvalidInput(f"Parameter {name!r} must not contain a NUL character.")
        return
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidInput(f"Parameter {name!r} must be a finite number, not {value!r}.")
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_value(name, item, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput(f"Parameter {name!r} has a non-text key {key!r}.")
            _check_value(name, item, depth + 1)
        return
    raise InvalidInput(
        f"Parameter {name!r} must be JSON-typed (text, number, true/false, null, list, object), "
        f"not {type(value).__name__}.")


def parse_cli_value(text: str) -> Any:
    """`-p NAME VALUE` read as papermill's own CLI reads it: True/False/None, whole numbers,
    decimals, else the text itself."""
    from papermill.cli import _resolve_type

    return _resolve_type(text)


# ---- what the notebook declares ------------------------------------------------------------

GIVEN, DEFAULT, NOT_DECLARED = "given", "default", "not declared"


def declared_parameters(data: bytes) -> dict[str, dict] | None:
    """The names the notebook's `parameters` cell assigns, read as papermill reads them:
    {name: {"default": source text, "type", "help"}}; None when there is no such cell."""
    import nbformat
    from papermill.translators import papermill_translators
    from papermill.utils import find_first_tagged_cell_index, nb_kernel_name, nb_language

    nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    for cell in nb.cells:  # as papermill's own loader does
        cell.metadata.setdefault("tags", [])
    index = find_first_tagged_cell_index(nb, "parameters")
    if index < 0:
        return None
    try:
        translator = papermill_translators.find_translator(nb_kernel_name(nb), nb_language(nb))
        found = translator.inspect(nb.cells[index])
    except (ValueError, NotImplementedError):  # a kernel papermill cannot read parameters of
        return None
    return {p.name: {"default": p.default, "type": p.inferred_type_name, "help": p.help}
            for p in found}


def effective_parameters(data: bytes, given: dict[str, Any], allow_undeclared: bool = False,
                         notebook: str = "the notebook") -> dict[str, dict]:
    """What the run will use: each declared parameter with its value and where it comes from
    ("given", or "default" with the cell's value), plus given names the notebook does not
    declare ("not declared"), which are refused unless `allow_undeclared` — papermill would
    inject them, the notebook would never read them, and the record would say they were used."""
    declared = declared_parameters(data)
    unknown = [name for name in given if name not in (declared or {})]
    if unknown and not allow_undeclared:
        names = ", ".join(unknown)
        if declared is None:
            why = (f"{notebook} has no cell tagged `parameters`, so {names} would not change "
                   "what it computes")
        else:
            why = (f"{notebook} does not declare {names} in its `parameters` cell (it declares: "
                   f"{', '.join(declared) or 'nothing'})")
        raise InvalidInput(f"Parameter{'s' if len(unknown) > 1 else ''} not declared: {why}. "
                           "Fix the name, or allow it explicitly (--allow-undeclared, "
                           "allow_undeclared=True) and it is recorded as not declared.")
    found = {}
    for name, info in (declared or {}).items():
        if name in given:
            found[name] = {"value": _as_declared(given[name], info), "from": GIVEN}
            continue
        value, known = literal(info["default"])
        found[name] = ({"value": value, "from": DEFAULT} if known
                       else {"expression": info["default"], "from": DEFAULT})
    for name in unknown:
        found[name] = {"value": given[name], "from": NOT_DECLARED}
    return found


def _as_declared(value: Any, info: dict) -> Any:
    """A whole number given for a parameter the notebook declares as a float is that float
    (`C = 1.0` given 2 runs with `C = 2.0`): JSON, and so a form or `-p C 2`, cannot tell 2
    from 2.0, and the notebook may rely on the type (`isinstance`, integer division)."""
    if type(value) is not int:
        return value
    default, known = literal(info["default"])
    declared_float = info.get("type") == "float" or (known and type(default) is float)
    return float(value) if declared_float else value


def as_injected(parameters: dict[str, Any], effective: dict[str, dict]) -> dict[str, Any]:
    """The given parameters as the run injects them: typed as `effective_parameters` read
    them (a whole number for a float parameter is a float)."""
    return {name: effective.get(name, {}).get("value", value)
            for name, value in parameters.items()}


def literal(source: str):
    """(value, True) when `source` is a JSON-typed Python literal, else (None, False)."""
    import ast

    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None, False
    if isinstance(value, tuple):
        value = list(value)
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return None, False
    return value, True


def check_declared(path, parameters: dict | None) -> None:
    """The rule of `effective_parameters` for a schedule, checked when it is made or edited
    (its ticks are checked again when they fire: the notebook may have changed)."""
    path = Path(path)
    if not path.is_file():  # a scheduled notebook that is gone: its ticks say so
        return
    data = read_bytes(path)
    if check_notebook(data)[1] is None:  # a notebook that cannot run fails its runs anyway
        effective_parameters(data, check_parameters(parameters), notebook=path.name)


def inspect_parameters(path: Path) -> list[dict]:
    """The `parameters` cell's names, defaults (as source text), inferred types and help."""
    data = read_bytes(path)
    _, problem = check_notebook(data)
    if problem:
        raise InvalidInput(problem)
    params = []
    for name, p in (declared_parameters(data) or {}).items():
        value, known = literal(p["default"])
        kind = p["type"]
        if kind in (None, "None") and known:  # no annotation: the default's type
            kind = _TYPE_NAMES.get(type(value), "None")
        params.append({"name": name, "type": kind, "default": p["default"],
                       "value": value if known else None, "help": p["help"]})
    return params


_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str", list: "list",
               dict: "dict", type(None): "None"}
