"""A signature's input columns and the kind of value each takes (float, integer, boolean,
string, datetime, object), read from the dtype words the registry records."""

from __future__ import annotations

from dataclasses import dataclass

_FLOAT = {"float64", "float32", "float16", "float", "double"}
_INTEGER = {"int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8", "int"}
_BOOL = {"bool", "boolean"}
_STRING = {"string", "str", "category"}
_KINDS = {"float": "a number", "integer": "a whole number", "boolean": "true or false",
          "string": "text", "datetime": "an ISO 8601 date-time text", "object": "a scalar"}


@dataclass(frozen=True)
class InputColumn:
    name: str
    dtype: str  # the signature's word: float64, int64, bool, string, datetime64[ns], ...
    kind: str   # float | integer | boolean | string | datetime | object

    def to_json(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


def kind_of(dtype: str) -> str:
    word = str(dtype).lower()
    if word in _FLOAT:
        return "float"
    if word in _INTEGER:
        return "integer"
    if word in _BOOL:
        return "boolean"
    if word in _STRING:
        return "string"
    if word.startswith("datetime"):
        return "datetime"
    return "object"


def input_columns(signature: dict | None) -> list[InputColumn] | None:
    """The signature's input columns; None when the model was registered without an input
    example (then any columns of scalars are passed through as given)."""
    inputs = (signature or {}).get("inputs") or []
    if not inputs:
        return None
    return [InputColumn(str(c["name"]), str(c.get("dtype", "object")),
                        kind_of(c.get("dtype", "object"))) for c in inputs]
