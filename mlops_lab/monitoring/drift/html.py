"""The notebook rendering of a drift report: the verdict and a table, every text escaped."""

from __future__ import annotations

from html import escape

from .report import DriftReport, FeatureDrift

_COLUMNS = ("column", "kind", "status", "drifted", "effect size", "threshold", "p (adjusted)",
            "PSI", "missing ref → cur", "note")


def _number(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.2e}" if 0 < abs(value) < 10 ** -digits else f"{value:.{digits}f}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _row(f: FeatureDrift) -> str:
    note = f.message if f.status != "ok" else ""
    if f.new_categories:
        note += f" new: {', '.join(f.new_categories[:5])}"
    cells = (f.name, f.kind, f.status, "yes" if f.drifted else "no", _number(f.effect_size),
             _number(f.threshold), _number(f.p_value_adjusted), _number(f.psi),
             f"{_share(f.missing_share_ref)} → {_share(f.missing_share_cur)}", note.strip())
    style = ' style="color: var(--jp-error-color1, #c00); font-weight: bold"' if f.drifted else ""
    return f"<tr{style}>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>"


def report_html(report: DriftReport) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in _COLUMNS)
    rows = "".join(_row(f) for f in report.features)
    return (f"<div class=\"mlops-lab-drift\"><p><b>{escape(report.verdict())}</b></p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")
