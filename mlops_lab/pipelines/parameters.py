"""Papermill parameters: names are Python identifiers and values are JSON-typed, so the cell
papermill injects is made of literals only — a value can never become code."""

from __future__ import annotations

import json
import keyword
import math
from typing import Any

from ..errors import InvalidInput

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
