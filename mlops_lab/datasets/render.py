"""Snapshots and diffs as notebook HTML and plain text. Every stored value (names, cell
values, messages) goes through html.escape: data is shown as text, never run as markup."""

from __future__ import annotations

import html
import math


_BOX = ('<div class="mlops-lab-snapshot" style="font-family: var(--jp-ui-font-family); '
        'font-size: var(--jp-ui-font-size1); color: var(--jp-ui-font-color1); line-height: 1.5">')
_TABLE = '<table style="border-collapse: collapse; margin: 4px 0">'
_CELL = 'style="padding: 1px 8px; text-align: left; border-bottom: 1px solid var(--jp-border-color2, #ddd)"'


def _e(value) -> str:
    return html.escape(str(value))


def _num(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return f"{value:.6g}"
    return str(value)


def _table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th {_CELL}>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td {_CELL}>{_e(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"{_TABLE}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _validity(v) -> str:
    if v.valid is None:
        return "no validation rules"
    if v.valid:
        return '<span style="color: var(--jp-success-color1, #388e3c)">valid</span>'
    return '<span style="color: var(--jp-error-color1, #d32f2f); font-weight: 600">INVALID</span>'


def snapshot_html(v) -> str:
    columns = v.profile.get("columns", {})
    rows = []
    for c in v.schema:
        p = columns.get(c["name"], {})
        top = ", ".join(f"{t['value']} ({t['count']})" for t in p.get("top", [])[:3])
        rows.append([c["name"], c["dtype"], p.get("nulls", ""), _num(p.get("distinct")),
                     _num(p.get("min")), _num(p.get("max")), _num(p.get("mean")),
                     _num(p.get("std")), top])
    parts = [_BOX, f"<b>{_e(v.name)}</b>@{v.version} &middot; {v.row_count:,} rows &times; "
             f"{v.column_count} columns &middot; <code>{_e(v.content_hash[:12])}</code> &middot; "
             f"{_validity(v)}" + (" &middot; already stored" if v.existed else "")]
    parts.append(_table(["column", "dtype", "nulls", "distinct", "min", "max", "mean", "std",
                         "top values"], rows))
    if v.validation and not v.validation.get("passed"):
        items = "".join(f"<li>{_e(f['message'])}</li>" for f in v.validation["failures"])
        parts.append(f'<div style="color: var(--jp-error-color1, #d32f2f)">Validation failed:'
                     f"<ul>{items}</ul></div>")
    parts.append("</div>")
    return "".join(parts)


def _examples_html(title: str, records: list[dict]) -> str:
    if not records:
        return ""
    header = list(records[0])
    return f"<div>{_e(title)}</div>" + _table(header, [[r.get(h) for h in header] for r in records])


def diff_html(d) -> str:
    r = d.rows
    parts = [_BOX, f"<b>{_e(d.a['ref'])}</b> &rarr; <b>{_e(d.b['ref'])}</b>"]
    if d.same_content:
        parts.append(" &middot; same content</div>")
        return "".join(parts)
    parts.append(f" &middot; rows {r['a']:,} &rarr; {r['b']:,}: +{r['added']:,} added, "
                 f"&minus;{r['removed']:,} removed"
                 + (f", {r['changed']:,} changed (key {_e(', '.join(r['key']))})"
                    if r.get("changed") is not None else ""))
    schema = ([["added", c["name"], c["dtype"]] for c in d.columns_added]
              + [["removed", c["name"], c["dtype"]] for c in d.columns_removed]
              + [["dtype", c["name"], f"{c['a']} \u2192 {c['b']}"] for c in d.dtype_changes])
    if schema:
        parts.append("<div>Schema changes</div>" + _table(["change", "column", "dtype"], schema))
    if d.stats:
        parts.append("<div>Statistic shifts</div>" + _table(
            ["column", "statistic", "a", "b", "change"],
            [[s["column"], s["stat"], _num(s["a"]), _num(s["b"]), _num(s["change"])]
             for s in d.stats]))
    parts.append(_examples_html("Rows added (first ones)", d.examples.get("added", [])))
    parts.append(_examples_html("Rows removed (first ones)", d.examples.get("removed", [])))
    changed = d.examples.get("changed", [])
    if changed:
        parts.append("<div>Rows changed (first ones)</div>" + _table(
            ["key", "column", "a", "b"],
            [[", ".join(f"{k}={v}" for k, v in c["key"].items()), col, vals["a"], vals["b"]]
             for c in changed for col, vals in c["columns"].items()]))
    parts.append("</div>")
    return "".join(parts)


def diff_text(d) -> str:
    r = d.rows
    lines = [f"{d.a['ref']} -> {d.b['ref']}" + (": same content" if d.same_content else "")]
    if d.same_content:
        return lines[0]
    lines.append(f"rows {r['a']} -> {r['b']}: +{r['added']} added, -{r['removed']} removed"
                 + (f", {r['changed']} changed (key {', '.join(r['key'])})"
                    if r.get("changed") is not None else ""))
    lines += [f"column added: {c['name']} ({c['dtype']})" for c in d.columns_added]
    lines += [f"column removed: {c['name']} ({c['dtype']})" for c in d.columns_removed]
    lines += [f"dtype changed: {c['name']} {c['a']} -> {c['b']}" for c in d.dtype_changes]
    lines += [f"{s['column']}.{s['stat']}: {_num(s['a'])} -> {_num(s['b'])}" for s in d.stats]
    return "\n".join(lines)
