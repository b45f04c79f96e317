"""The model card: markdown generated from a version's record when it is registered.

Text that came from users (names, description, params, cell) is escaped for HTML, so the card
is safe in any markdown renderer even before a sanitizer sees it.
"""

from __future__ import annotations

import html

from ..tracking.entities import format_number


def _e(value) -> str:
    return html.escape(str(value), quote=False).replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, str], rows) -> list[str]:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    lines += [f"| {_e(k)} | {_e(v)} |" for k, v in rows]
    return lines + [""]


def render(doc: dict) -> str:
    """`doc` has the ModelVersion fields (name, version, description, model_class, format,
    signature, params, metrics, inputs, source, run_id, requirements, created_by)."""
    out = [f"# {_e(doc['name'])} — version {doc['version']}", ""]
    if doc.get("description"):
        out += [html.escape(doc["description"], quote=False), ""]
    out += ["## Model", ""]
    out += _table(("field", "value"), [
        ("class", doc["model_class"]),
        ("format", doc["format"] + (" (loads only with allow_pickle=True)"
                                    if doc["format"] == "pickle" else "")),
        ("trusted types", ", ".join(doc.get("trusted_types") or []) or "none needed"),
        ("registered by", doc.get("created_by", "")),
    ])
    signature = doc.get("signature") or {}
    out += ["## Signature", ""]
    if signature.get("inputs"):
        out += ["Inputs:", ""] + _table(("column", "dtype"),
                                        [(c["name"], c["dtype"]) for c in signature["inputs"]])
        out += ["Outputs:", ""] + _table(("name", "dtype"), [
            (c["name"], c["dtype"]) for c in signature.get("outputs", [])])
    else:
        out += ["No input example was given, so the signature is unknown.", ""]
    metrics = doc.get("metrics") or {}
    params = doc.get("params") or {}
    if metrics:
        out += ["## Metrics", ""] + _table(("metric", "value"), [
            (k, format_number(v)) for k, v in sorted(metrics.items())])
    if params:
        out += ["## Params", ""] + _table(("param", "value"), sorted(params.items()))
    out += ["## Lineage", ""]
    source = doc.get("source") or {}
    if doc.get("run_id"):
        out.append(f"- run `{doc['run_id']}`")
        if source.get("notebook"):
            out.append(f"- notebook `{_e(source['notebook'])}`"
                       + (f", cell [{source['execution_count']}]"
                          if source.get("execution_count") is not None else ""))
        for link in doc.get("inputs") or []:
            out.append(f"- trained on {_e(link['kind'])} `{_e(link['label'])}`")
        if doc.get("artifact"):
            out.append(f"- from the run's artifact `{_e(doc['artifact'])}`")
    else:
        out.append("- registered outside a run: no lineage recorded")
    out += onnx_section(doc.get("onnx"))
    out += ["", "## Requirements", ""] + _table(("package", "version"),
                                                 sorted((doc.get("requirements") or {}).items()))
    return "\n".join(out).rstrip() + "\n"


def onnx_section(record: dict | None) -> list[str]:
    """The ONNX export and its verification figures (nothing when there is none)."""
    if not record:
        return []
    check = record.get("verification") or {}
    tolerance = ", ".join(f"{k.replace('_', ' ')} {v:g}"
                          for k, v in (check.get("tolerance") or {}).items())
    agreement = check.get("label_agreement")
    rows = [("file", f"{record['blob'][:12]}… ({record['size']} bytes, opset {record['opset']})"),
            ("inputs", f"{record['layout']}: {', '.join(record.get('inputs') or [])}"),
            ("compared", f"{check.get('compared', '')} on {check.get('rows_compared')} rows "
                         f"({'; '.join(check.get('sources') or [])})"),
            ("label agreement", "n/a (regressor)" if agreement is None else f"{agreement:.2%}"),
            ("max abs difference", format_number(check.get("max_abs_difference", 0.0))),
            ("tolerance", tolerance),
            ("verified", "passed" if check.get("passed") else "failed")]
    return ["", "## ONNX", ""] + _table(("field", "value"), rows)[:-1]
