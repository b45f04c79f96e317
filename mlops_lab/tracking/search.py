"""The run filter grammar, shared by `search_runs`, the REST API, the CLI and the side panel.

    metrics.auc > 0.9 and params.model = 'rf'
    (tags.team = "vision" or status = 'FAILED') and name like 'sweep-%'
    metrics.`val loss` < 0.2
    params.clf.n_estimators = 100 and attributes.parent_run_id = '3f2a…'

Fields: `metrics.KEY` (latest value), `params.KEY`, `tags.KEY`, `attributes.NAME` or a bare NAME
for the run's own columns (status, name, start_time, end_time, run_id, experiment_id,
parent_run_id). A KEY may contain dots (`%%track` records `clf.n_estimators`); a key with
spaces or other characters goes in backticks.
Operators: = != < <= > >= like ilike. Params and tags are text: with a number and < > <= >=
they compare numerically. NaN metric values never match a comparison and sort last.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import lru_cache

from sqlalchemy import Float, and_, case, cast, exists, func, or_
from sqlalchemy.sql import ColumnElement

from ..errors import InvalidFilter, InvalidInput
from ..store.keyset import BAD_TOKEN, SortKey, check_types, decode_token
from ..store.tables import tracking as t

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: atom (_AND atom)*
?atom: comparison
     | "(" or_expr ")"
comparison: field OP value
field: NAME ("." key)*
key: NAME | BACKTICKED | KEY_DIGITS
value: SIGNED_NUMBER -> number
     | STRING -> string
_AND.2: /and\b/i
_OR.2: /or\b/i
OP.2: "<=" | ">=" | "!=" | "=" | "<" | ">" | /ilike\b/i | /like\b/i
NAME: /[A-Za-z_][A-Za-z0-9_\-\/:]*/
KEY_DIGITS: /[0-9][A-Za-z0-9_\-\/:]*/
BACKTICKED: /`[^`]+`/
STRING: /'(?:[^'\\]|\\.)*'/ | /"(?:[^"\\]|\\.)*"/
%import common.SIGNED_NUMBER
%import common.WS
%ignore WS
"""

ATTRIBUTES = {
    "status": t.runs.c.status,
    "name": t.runs.c.name,
    "start_time": t.runs.c.start_time,
    "end_time": t.runs.c.end_time,
    "run_id": t.runs.c.id,
    "id": t.runs.c.id,
    "experiment_id": t.runs.c.experiment_id,
    "parent_run_id": t.runs.c.parent_run_id,
}
_PREFIXES = {
    "metrics": "metrics", "metric": "metrics", "params": "params", "param": "params",
    "tags": "tags", "tag": "tags", "attributes": "attributes", "attribute": "attributes",
}


@lru_cache(maxsize=1)
def _parser():
    from lark import Lark

    return Lark(GRAMMAR, parser="lalr", maybe_placeholders=False, propagate_positions=True)


# What each terminal of the grammar is, in the words an error message uses.
_EXPECTED = {
    "NAME": "a field (metrics.KEY, params.KEY, tags.KEY or a run attribute such as status)",
    "KEY_DIGITS": "a key", "BACKTICKED": "a `key in backticks`",
    "DOT": "'.'", "OP": "an operator (= != < <= > >= like ilike)",
    "SIGNED_NUMBER": "a value (a number or a 'quoted' string)",
    "STRING": "a value (a number or a 'quoted' string)",
    "_AND": "and", "_OR": "or", "LPAR": "'('", "RPAR": "')'", "$END": "the end of the filter",
}


def _expected(exc) -> str:
    """'an operator (…) or and' — what the parser would have accepted where it stopped."""
    names = getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ()
    words = list(dict.fromkeys(_EXPECTED.get(n, n.lower()) for n in sorted(names)))
    if not words:
        return "something else"
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]


@lru_cache(maxsize=256)
def parse(text: str):
    """The syntax tree of a filter, or InvalidInput saying where it went wrong and what was
    expected there."""
    from lark.exceptions import LarkError, UnexpectedEOF, UnexpectedInput

    try:
        return _parser().parse(text)
    except UnexpectedInput as exc:
        at_end = isinstance(exc, UnexpectedEOF) or getattr(exc, "token", None) is not None and \
            exc.token.type == "$END"
        column = len(text) + 1 if at_end or exc.column < 1 else exc.column
        found = "the end of the filter" if at_end else repr(text[column - 1: column - 1 + 12])
        token = getattr(exc, "token", None)
        length = 1 if at_end or token is None else len(str(token)) or 1
        raise InvalidFilter(
            f"Invalid filter at column {column}: expected {_expected(exc)}, found {found}. "
            "Write comparisons like metrics.auc > 0.9 and params.model = 'rf', joined with "
            "and/or; put a key with spaces or other odd characters in backticks: "
            "params.`my key` = 1.", column, length
        ) from None
    except LarkError as exc:
        raise InvalidFilter(f"Invalid filter: {exc}", 1, len(text)) from None


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


def field_ref(kind: str, key: str) -> str:
    """`metrics.auc`, or metrics.`val loss` when the key needs backticks."""
    return f"{kind}.{key}" if _PLAIN_KEY.fullmatch(key) else f"{kind}.`{key}`"


def _span(tree) -> tuple[int, int]:
    """Where a part of a filter is: its 1-based column and its length."""
    meta = tree.meta
    return meta.column, meta.end_pos - meta.start_pos


def _field(tree) -> tuple[str, str]:
    """('metrics', 'auc'), ('params', 'clf.n_estimators'), ('attributes', 'status') … for a
    parsed field: the first part is the prefix, the rest (dots included) the key."""
    parts = [str(p.children[0]) if hasattr(p, "children") else str(p) for p in tree.children]
    if len(parts) == 1:
        return "attributes", parts[0]
    prefix = parts[0].lower()
    key = ".".join(p[1:-1] if p.startswith("`") else p for p in parts[1:])
    kind = _PREFIXES.get(prefix)
    if kind is None:
        raise InvalidFilter(
            f"Unknown field prefix {prefix!r}: use metrics., params., tags. or attributes. "
            f"(e.g. params.{'.'.join(parts)}); a key with odd characters goes in backticks: "
            f"params.`{'.'.join(parts)}`.", *_span(tree)
        )
    if kind == "attributes" and len(parts) > 2:
        raise InvalidFilter(f"Unknown run attribute {key!r}: use one of "
                            f"{', '.join(sorted(ATTRIBUTES))}.", *_span(tree))
    return kind, unicodedata.normalize("NFC", key)


def _value(tree):
    raw = str(tree.children[0])
    if tree.data == "number":
        return float(raw), raw
    body = raw[1:-1]
    return bytes(body, "utf-8").decode("unicode_escape") if "\\" in body else body, None


def _compare(column, op: str, value, where: tuple[int, int]) -> ColumnElement:
    op = op.lower()
    if op in ("like", "ilike"):
        if not isinstance(value, str):
            raise InvalidFilter(f"'{op}' needs a quoted pattern, like name like 'sweep-%'.",
                                *where)
        return column.like(value) if op == "like" else func.lower(column).like(value.lower())
    return {
        "=": column.__eq__, "!=": column.__ne__, "<": column.__lt__, "<=": column.__le__,
        ">": column.__gt__, ">=": column.__ge__,
    }[op](value)


def _numeric_text(column, dialect: str) -> ColumnElement:
    """Text that looks like a number, as a number; anything else never matches."""
    if dialect == "postgresql":
        return case((column.op("~")(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"),
                     cast(column, Float)), else_=None)
    return case((func.trim(column).op("GLOB")("*[0-9]*"), cast(column, Float)), else_=None)


def _comparison(tree, dialect: str) -> ColumnElement:
    field_tree, op_token, value_tree = tree.children
    kind, key = _field(field_tree)
    op = str(op_token)
    value, number_text = _value(value_tree)
    at_value = _span(value_tree)
    if kind == "attributes":
        column = ATTRIBUTES.get(key.lower())
        if column is None:
            start, length = _span(field_tree)
            raise InvalidFilter(
                f"Unknown run attribute {key!r} at column {start}: a metric, param or tag needs "
                f"its prefix (metrics.{key}, params.{key}, tags.{key}); run attributes are "
                f"{', '.join(sorted(ATTRIBUTES))}.", start, length, key=key)
        if key.lower() in ("start_time", "end_time", "experiment_id") and isinstance(value, str):
            raise InvalidFilter(f"{key} is a number: compare it with a number, not a string.",
                                *at_value)
        return _compare(column, op, value, at_value)
    if kind == "metrics":
        if isinstance(value, str):
            raise InvalidFilter(
                f"metrics.{key} is a number: compare it with a number, like > 0.9.", *at_value)
        m = t.latest_metrics
        return exists().where(
            m.c.run_id == t.runs.c.id, m.c.key == key, m.c.is_nan == False,  # noqa: E712
            _compare(m.c.value, op, value, at_value),
        )
    table = t.params if kind == "params" else t.tags
    column = table.c.value
    if number_text is not None:
        if op.lower() in ("like", "ilike"):
            raise InvalidFilter(f"'{op}' needs a quoted pattern.", *at_value)
        # A number compares numerically (so params.C = 1 matches a logged 1.0).
        condition = _compare(_numeric_text(column, dialect), op, value, at_value)
    else:
        condition = _compare(column, op, value, at_value)
    return exists().where(table.c.run_id == t.runs.c.id, table.c.key == key, condition)


def to_condition(text: str, dialect: str) -> ColumnElement | None:
    """The SQL condition for a filter string (None for an empty filter)."""
    if not text or not text.strip():
        return None
    if len(text) > 10_000:
        raise InvalidInput("A filter may be at most 10,000 characters long.")

    def build(tree) -> ColumnElement:
        if tree.data == "comparison":
            return _comparison(tree, dialect)
        parts = [build(c) for c in tree.children]
        return and_(*parts) if tree.data == "and_expr" else or_(*parts)

    return build(parse(text))


def _order_item(item: str) -> tuple[str, str, bool]:
    """'metrics.auc desc' -> ('metrics', 'auc', True)."""
    words = item.strip().rsplit(None, 1)
    descending = len(words) == 2 and words[1].lower() == "desc"
    spec = words[0] if len(words) == 2 and words[1].lower() in ("asc", "desc") else item.strip()
    try:
        tree = parse(f"{spec} = 0") if spec else None
        if tree is None or tree.data != "comparison":
            raise InvalidInput(f"Cannot order by {item!r}: use e.g. 'metrics.auc desc'.")
        kind, key = _field(tree.children[0])
    except InvalidFilter as exc:  # its column is in the text made here, not in any filter
        raise InvalidInput(f"Cannot order by {item!r}: {exc}") from None
    if kind == "attributes" and key.lower() not in ATTRIBUTES:
        raise InvalidInput(f"Cannot order by unknown attribute {key!r}.")
    return kind, key, descending


def _order_keys(query, items, first_alias: int = 0):
    """The query with the joins its order needs, and its sort keys: missing and NaN values sort
    last (a 0/1 flag first, then the value, NULL when missing so that all missing ones tie),
    then the newest first, then the run id, so that runs started in the same millisecond keep
    one order from page to page."""
    keys: list[SortKey] = []
    for i, (kind, key, descending) in enumerate(items, start=first_alias):
        if kind == "attributes":
            column = ATTRIBUTES[key.lower()]
            if column.nullable:
                keys.append(SortKey(case((column.is_(None), 1), else_=0)))
            keys.append(SortKey(column, descending))
            continue
        table = {"metrics": t.latest_metrics, "params": t.params, "tags": t.tags}[kind]
        alias = table.alias(f"order_{i}")
        query = query.outerjoin(alias, and_(alias.c.run_id == t.runs.c.id, alias.c.key == key))
        missing = alias.c.run_id.is_(None)
        if kind == "metrics":
            missing = or_(missing, alias.c.is_nan == True)  # noqa: E712
        keys += [SortKey(case((missing, 1), else_=0)),
                 SortKey(case((missing, None), else_=alias.c.value), descending)]
    keys += [SortKey(t.runs.c.start_time, True), SortKey(t.runs.c.id, True)]
    return query, keys


def ordered_queries(query, order_by: list[str] | None) -> list[tuple[object, list[SortKey]]]:
    """The search as one or two (query, sort keys) whose results, concatenated, are in order.

    Ordering by a metric first ("the best runs by auc") is the common case that must stay fast
    on big stores: the first query walks that metric's (key, value) index and stops at the
    page; the second lists the runs with no value for it (missing or NaN), which sort last.
    """
    items = [_order_item(item) for item in order_by or []]
    if not items or items[0][0] != "metrics":
        return [_order_keys(query, items)]
    _, key, descending = items[0]
    m = t.latest_metrics.alias("order_metric")
    has_value = query.join(m, and_(m.c.run_id == t.runs.c.id, m.c.key == key,
                                   m.c.is_nan == False))  # noqa: E712
    has_value, keys = _order_keys(has_value, items[1:], 1)
    lm = t.latest_metrics.c
    lacks_value = query.where(~exists().where(lm.run_id == t.runs.c.id, lm.key == key,
                                              lm.is_nan == False))  # noqa: E712
    return [(has_value, [SortKey(m.c.value, descending), *keys]),
            _order_keys(lacks_value, items[1:], 1)]


def ordering_mark(order_by: list[str] | None) -> str:
    """A short mark of an ordering, kept in its page tokens: a token of another one is refused."""
    text = json.dumps([_order_item(item) for item in order_by or []])
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def page_start(token: str | None, parts: list, mark: str) -> tuple[int, list | None]:
    """Which part of the search a page token resumes in, and the key it resumes after."""
    key = decode_token(token, mark)
    if key is None:
        return 0, None
    part = key[0] if key else None
    if not isinstance(part, int) or isinstance(part, bool) or not 0 <= part < len(parts):
        raise InvalidInput(BAD_TOKEN)
    sort_keys = parts[part][1]
    values = key[1:]
    if len(values) != len(sort_keys):
        raise InvalidInput(BAD_TOKEN)
    return part, check_types(values, [k.column.type.python_type for k in sort_keys])
