"""The kinds of alert rule: what each takes (checked once, when the rule is made) and when it
fires on a monitor run's figures or on a failed pipeline run.

    check(kind, params, figures) -> [Finding, ...]   one per thing wrong (a drifted feature)

Figures that are missing, None or not finite never fire a rule: a monitor with no data says
so in its own run, it is not an alarm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from ...durations import duration_ms
from ...errors import InvalidInput
from ...naming import clean_name

SEVERITIES = ("info", "warning", "critical")
STALENESS = ("version_age", "since_retraining", "since_prediction", "training_data_age",
             "feature_data_age")
PIPELINE_KIND = "pipeline_failed"


@dataclass(frozen=True)
class Finding:
    """One thing a rule found wrong: what the alert says and the figures behind it."""

    message: str
    figures: dict
    feature: str | None = None


def _number(value, what: str, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput(f"{what} must be a finite number, not {value!r:.80}.")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidInput(f"{what} must be from {low:g} to {high:g}, not {value:g}."
                           if high is not None else f"{what} must be above {low:g}, not {value:g}.")
    return float(value)


def _flag(value, what: str) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
        return value.strip().lower() in ("true", "yes")
    if not isinstance(value, bool):
        raise InvalidInput(f"{what} must be true or false, not {value!r:.80}.")
    return value


def _text(value, what: str) -> str:
    return clean_name(value, what, 500)


def _figure(value, what: str) -> str:
    name = str(value).strip().removesuffix("_s") if isinstance(value, str) else value
    if name not in STALENESS:
        raise InvalidInput(f"{what} is one of {', '.join(STALENESS)}, not {value!r:.80}.")
    return name


def _seconds(value, what: str) -> float:
    return duration_ms(value, what) / 1000


# kind -> {param: (required, cleaner)}; what each kind takes besides `severity`.
PARAMS: dict[str, dict[str, tuple[bool, Callable[[Any, str], Any]]]] = {
    "feature_drift": {"feature": (False, _text)},
    "drift_share": {"over": (True, lambda v, w: _number(v, w, 0.0, 1.0))},
    "metric_below": {"below": (True, _number), "metric": (False, _text)},
    "metric_drop": {"by": (True, lambda v, w: _number(v, w, 0.0)), "relative": (False, _flag),
                    "metric": (False, _text)},
    "staleness": {"figure": (True, _figure), "over": (True, _seconds)},
    PIPELINE_KIND: {"pipeline": (False, _text)},
}
KINDS = tuple(PARAMS)
EXAMPLES = {
    "feature_drift": "feature='age' (or none: any feature)",
    "drift_share": "over=0.3 (a share of features, 0 to 1)",
    "metric_below": "below=0.8, metric='roc_auc' (optional)",
    "metric_drop": "by=0.05, relative=False (absolute by default), metric (optional)",
    "staleness": f"figure (one of {', '.join(STALENESS)}), over='7d'",
    PIPELINE_KIND: "pipeline='train.ipynb' (optional: part of the notebook's path)",
}


def clean_kind(kind) -> str:
    if kind not in PARAMS:
        raise InvalidInput(f"Unknown alert rule kind {kind!r:.80}; the kinds are "
                           f"{', '.join(KINDS)}.")
    return kind


def clean_params(kind: str, params: dict) -> dict:
    """The params of a rule of `kind`, checked and normalised (durations to seconds)."""
    kind = clean_kind(kind)
    wanted = PARAMS[kind]
    params = {k: v for k, v in params.items() if v is not None}
    unknown = set(params) - set(wanted) - {"severity"}
    if unknown:
        takes = ", ".join(wanted) or "nothing"
        raise InvalidInput(f"A {kind} rule does not take {', '.join(sorted(unknown))}; it takes "
                           f"{takes} (e.g. {EXAMPLES[kind]}) and severity.")
    missing = [name for name, (required, _) in wanted.items() if required and name not in params]
    if missing:
        raise InvalidInput(f"A {kind} rule needs {', '.join(missing)} (e.g. {EXAMPLES[kind]}).")
    clean = {name: wanted[name][1](value, f"{kind}'s {name}")
             for name, value in params.items() if name != "severity"}
    severity = params.get("severity", "warning")
    if severity not in SEVERITIES:
        raise InvalidInput(f"severity is one of {', '.join(SEVERITIES)}, not {severity!r:.80}.")
    return {**clean, "severity": severity}


# ---- when each kind fires ---------------------------------------------------------------

def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _feature_drift(params: dict, figures: dict) -> list[Finding]:
    features = (figures.get("drift") or {}).get("features") or {}
    wanted = params.get("feature")
    found = []
    for name, result in features.items():
        if (wanted is None or name == wanted) and isinstance(result, dict) \
                and result.get("drifted") is True:
            how = ", ".join(f"{k} {result[k]:.3g}" for k in ("effect_size", "p_value")
                            if _finite(result.get(k)))
            found.append(Finding(f"Feature {name!r} drifted" + (f" ({how})." if how else "."),
                                 {"feature": {name: result}}, feature=name))
    return found


def _drift_share(params: dict, figures: dict) -> list[Finding]:
    share = (figures.get("drift") or {}).get("share")
    if not _finite(share) or not share > params["over"]:
        return []
    return [Finding(f"{share:.0%} of features drifted (over {params['over']:.0%}).",
                    {"drift_share": share})]


def _performance(params: dict, figures: dict) -> dict | None:
    perf = figures.get("performance")
    if not isinstance(perf, dict) or not _finite(perf.get("value")):
        return None
    if params.get("metric") is not None and perf.get("metric") != params["metric"]:
        return None
    return perf


def _estimated(perf: dict) -> str:
    return " (estimated: no labels yet)" if perf.get("estimated") else ""


def _metric_below(params: dict, figures: dict) -> list[Finding]:
    perf = _performance(params, figures)
    if perf is None or not perf["value"] < params["below"]:
        return []
    return [Finding(f"{perf.get('metric')} is {perf['value']:.4g}, below {params['below']:g}"
                    f"{_estimated(perf)}.", {"performance": perf})]


def _metric_drop(params: dict, figures: dict) -> list[Finding]:
    perf = _performance(params, figures)
    if perf is None or not _finite(perf.get("training")):
        return []
    drop = perf["training"] - perf["value"]
    if params.get("relative"):
        if perf["training"] == 0:
            return []
        drop, unit = drop / abs(perf["training"]), "relative"
    else:
        unit = "absolute"
    if not drop > params["by"]:
        return []
    return [Finding(f"{perf.get('metric')} is {perf['value']:.4g}, {drop:.4g} ({unit}) below its "
                    f"training value {perf['training']:.4g}{_estimated(perf)}.",
                    {"performance": perf})]


def _staleness(params: dict, figures: dict) -> list[Finding]:
    key = f"{params['figure']}_s"
    value = (figures.get("staleness") or {}).get(key)
    if not _finite(value) or not value > params["over"]:
        return []
    return [Finding(f"{params['figure'].replace('_', ' ')} is {value / 86400:.3g} days, over "
                    f"{params['over'] / 86400:.3g} days.", {"staleness": {key: value}})]


CHECKS: dict[str, Callable[[dict, dict], list[Finding]]] = {
    "feature_drift": _feature_drift, "drift_share": _drift_share,
    "metric_below": _metric_below, "metric_drop": _metric_drop, "staleness": _staleness,
}


def check(kind: str, params: dict, figures: dict) -> list[Finding]:
    """What a rule of `kind` finds in a monitor run's figures (nothing for pipeline rules)."""
    checker = CHECKS.get(kind)
    return [] if checker is None else checker(params, figures)


def pipeline_finding(params: dict, run) -> Finding | None:
    """A failed pipeline run, if the rule is about it (any, or a notebook whose path holds
    the rule's `pipeline`)."""
    wanted = params.get("pipeline")
    if wanted is not None and wanted not in run.notebook:
        return None
    error = (run.error or "no error recorded").strip().splitlines()
    return Finding(f"Pipeline run {run.id[:8]} of {run.notebook} failed: {error[-1][:300]}",
                   {"pipeline_run_id": run.id, "notebook": run.notebook, "error": run.error,
                    "ended_at": run.ended_at}, feature=run.notebook)
