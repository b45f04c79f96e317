"""Validation rules of a dataset, declared once and checked at every snapshot.

Rules are one JSON document::

    {"on_fail": "flag" | "refuse",
     "table":   {"min_rows": 100, "max_rows": 10_000, "columns": ["id", "x"], "exact": false},
     "columns": {"x":  {"dtype": "float64", "min": 0, "max": 1, "max_null_share": 0.05},
                 "id": {"unique": true, "max_null_share": 0},
                 "kind": {"allowed": ["a", "b"]}}}

``on_fail="flag"`` stores a failing snapshot and marks it invalid with the report;
``"refuse"`` stores nothing and raises SnapshotRefused with the same report.
"""

from __future__ import annotations

import json
import math
from numbers import Real

import numpy as np
import pandas as pd

from ..errors import InvalidInput
from ..jsonvalues import plain

ON_FAIL = ("flag", "refuse")
COLUMN_RULES = ("dtype", "min", "max", "allowed", "max_null_share", "unique")
TABLE_RULES = ("min_rows", "max_rows", "columns", "exact")
EXAMPLES_SHOWN = 5


class SnapshotRefused(InvalidInput):
    """The data broke a rule of a dataset whose rules say on_fail="refuse"; nothing was stored."""

    def __init__(self, message: str, report: dict):
        super().__init__(message)
        self.report = report


def empty_rules() -> dict:
    return {"on_fail": "flag", "table": {}, "columns": {}}


def _number(value, what: str):
    if isinstance(value, bool) or not isinstance(value, Real) or (
            isinstance(value, float) and math.isnan(value)):
        raise InvalidInput(f"{what} must be a number, not {value!r}.")
    return plain(value)


def _share(value, what: str) -> float:
    value = float(_number(value, what))
    if not 0.0 <= value <= 1.0:
        raise InvalidInput(f"{what} is a share between 0 and 1, not {value}.")
    return value


def _count(value, what: str) -> int:
    value = _number(value, what)
    if value < 0 or int(value) != value:
        raise InvalidInput(f"{what} must be a whole number of rows >= 0, not {value!r}.")
    return int(value)


def _jsonable(value):
    if isinstance(value, (np.generic,)):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


SHAPE = ('{"on_fail": "flag", "table": {"min_rows": 100, "columns": ["id"]}, '
         '"columns": {"age": {"min": 0, "max": 130}, "id": {"unique": True}}}')


def _mapping(value, what: str) -> dict:
    """`value` as a dict (None is empty), or InvalidInput naming the part and the shape."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} must be a dict, not {type(value).__name__} {value!r}. "
                           f"Validation rules look like {SHAPE}.")
    return dict(value)


def clean_column_rule(column: str, rule: dict) -> dict:
    rule = _mapping(rule, f"The rules of column {column!r}")
    unknown = set(rule) - set(COLUMN_RULES)
    if unknown:
        raise InvalidInput(f"Unknown rule {sorted(unknown)[0]!r} for column {column!r}; "
                           f"a column rule may set {', '.join(COLUMN_RULES)}.")
    out: dict = {}
    if rule.get("dtype") is not None:
        if not isinstance(rule["dtype"], str):
            raise InvalidInput(f"dtype of column {column!r} must be text such as 'float64'.")
        out["dtype"] = rule["dtype"]
    for key in ("min", "max"):
        if rule.get(key) is not None:
            out[key] = _number(rule[key], f"{key} of column {column!r}")
    if "min" in out and "max" in out and out["min"] > out["max"]:
        raise InvalidInput(f"Column {column!r}: min {out['min']} is above max {out['max']}.")
    if rule.get("allowed") is not None:
        allowed = rule["allowed"]
        if isinstance(allowed, (str, bytes)) or not hasattr(allowed, "__iter__"):
            raise InvalidInput(f"allowed values of column {column!r} must be a list.")
        out["allowed"] = [_jsonable(v) for v in allowed]
    if rule.get("max_null_share") is not None:
        out["max_null_share"] = _share(rule["max_null_share"], f"max_null_share of {column!r}")
    if rule.get("unique"):
        out["unique"] = True
    return out


def clean_rules(rules: dict) -> dict:
    """The rules in their stored form, or InvalidInput saying what is wrong."""
    rules = _mapping(rules, "Validation rules")
    unknown = set(rules) - {"on_fail", "table", "columns"}
    if unknown:
        raise InvalidInput(f"Unknown key {sorted(unknown)[0]!r} in validation rules; "
                           "use 'columns', 'table' and 'on_fail'.")
    on_fail = rules.get("on_fail", "flag")
    if on_fail not in ON_FAIL:
        raise InvalidInput(f"on_fail is 'flag' (store and mark invalid) or 'refuse' (store "
                           f"nothing), not {on_fail!r}.")
    table = _mapping(rules.get("table"), "'table'")
    unknown = set(table) - set(TABLE_RULES)
    if unknown:
        raise InvalidInput(f"Unknown table rule {sorted(unknown)[0]!r}; "
                           f"use {', '.join(TABLE_RULES)}.")
    table_out: dict = {}
    for key in ("min_rows", "max_rows"):
        if table.get(key) is not None:
            table_out[key] = _count(table[key], key)
    if table.get("columns") is not None:
        columns = table["columns"]
        if isinstance(columns, dict):  # {name: dtype}: required columns with their dtypes
            columns = list(columns)
        if not isinstance(columns, (list, tuple)) or not all(isinstance(c, str) for c in columns):
            raise InvalidInput("table columns must be a list of column names.")
        table_out["columns"] = list(columns)
    if table.get("exact"):
        table_out["exact"] = True
    columns = _mapping(rules.get("columns"), "'columns' (a column name -> its rules)")
    return {"on_fail": on_fail, "table": table_out,
            "columns": {str(c): clean_column_rule(str(c), r) for c, r in columns.items()}}


def has_rules(rules: dict | None) -> bool:
    return bool(rules and (rules.get("table") or any(rules.get("columns", {}).values())))


def _examples(values) -> list:
    return [_jsonable(v) for v in list(values[:EXAMPLES_SHOWN])]


def _check_column(series: pd.Series, name: str, rule: dict, failures: list, checks: list) -> None:
    def check(kind: str, ok: bool, message: str, **details):
        checks.append({"column": name, "rule": kind, "passed": bool(ok)})
        if not ok:
            failures.append({"column": name, "rule": kind, "message": message, **details})

    n = len(series)
    if "dtype" in rule:
        check("dtype", str(series.dtype) == rule["dtype"],
              f"column {name!r} has dtype {series.dtype}, expected {rule['dtype']}",
              expected=rule["dtype"], actual=str(series.dtype))
    nulls = int(series.isna().sum())
    if "max_null_share" in rule:
        share = nulls / n if n else 0.0
        check("max_null_share", share <= rule["max_null_share"],
              f"column {name!r} is {share:.1%} null, at most {rule['max_null_share']:.1%} allowed",
              expected=rule["max_null_share"], actual=share)
    if "min" in rule or "max" in rule:
        try:
            low = series < rule["min"] if "min" in rule else None
            high = series > rule["max"] if "max" in rule else None
        except TypeError:
            check("range", False, f"column {name!r} holds {series.dtype} values that cannot be "
                  "compared with numbers")
        else:
            bad = (low if low is not None else False) | (high if high is not None else False)
            bad = bad.fillna(False) if hasattr(bad, "fillna") else bad
            count = int(np.asarray(bad).sum())
            bounds = (f"[{rule.get('min', '-inf')}, {rule.get('max', 'inf')}]")
            check("range", count == 0,
                  f"{count} value(s) of column {name!r} outside {bounds}",
                  count=count, examples=_examples(series[np.asarray(bad, dtype=bool)].unique()))
    if "allowed" in rule:
        valid = series.dropna()
        inside = valid.isin(rule["allowed"])
        count = int((~inside).sum())
        check("allowed", count == 0,
              f"{count} value(s) of column {name!r} not among the allowed values",
              count=count, examples=_examples(valid[~inside].unique()))
    if rule.get("unique"):
        try:
            duplicated = series.duplicated(keep=False)
        except TypeError:
            duplicated = series.astype(str).duplicated(keep=False)
        count = int(duplicated.sum())
        check("unique", count == 0, f"{count} row(s) share a value of column {name!r}",
              count=count, examples=_examples(series[duplicated].unique()))


def validate(df: pd.DataFrame, rules: dict | None) -> dict | None:
    """The validation report of `df` under `rules` (None when there are no rules)."""
    if not has_rules(rules):
        return None
    failures: list[dict] = []
    checks: list[dict] = []
    table = rules.get("table", {})
    n = len(df)
    names = [c if isinstance(c, str) else repr(c) for c in df.columns]

    def check(kind: str, ok: bool, message: str, **details):
        checks.append({"column": None, "rule": kind, "passed": bool(ok)})
        if not ok:
            failures.append({"column": None, "rule": kind, "message": message, **details})

    if "min_rows" in table:
        check("min_rows", n >= table["min_rows"],
              f"{n} rows, at least {table['min_rows']} expected", expected=table["min_rows"], actual=n)
    if "max_rows" in table:
        check("max_rows", n <= table["max_rows"],
              f"{n} rows, at most {table['max_rows']} expected", expected=table["max_rows"], actual=n)
    required = list(table.get("columns", [])) + [c for c in rules.get("columns", {})
                                                   if c not in table.get("columns", [])]
    missing = [c for c in required if c not in names]
    if required:
        check("columns", not missing, f"missing column(s): {', '.join(map(repr, missing))}",
              missing=missing)
    if table.get("exact"):
        extra = [c for c in names if c not in required]
        check("exact", not extra, f"unexpected column(s): {', '.join(map(repr, extra))}",
              extra=extra)
    for name, rule in rules.get("columns", {}).items():
        if name in names and rule:
            _check_column(df.iloc[:, names.index(name)], name, rule, failures, checks)
    return {"passed": not failures, "on_fail": rules.get("on_fail", "flag"),
            "checked": len(checks), "failed": len(failures), "failures": failures,
            "checks": checks}


def report_text(report: dict | None) -> str:
    if not report:
        return "no validation rules"
    if report["passed"]:
        return f"valid ({report['checked']} checks passed)"
    lines = [f"{report['failed']} of {report['checked']} checks failed:"]
    lines += [f"  - {f['message']}" + (f" (e.g. {', '.join(map(str, f['examples']))})"
                                       if f.get("examples") else "")
              for f in report["failures"]]
    return "\n".join(lines)


def dumps(doc) -> str:
    return json.dumps(doc, default=_jsonable)
