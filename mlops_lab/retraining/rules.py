"""What a retraining rule may say, checked before it is stored: one trigger with what it
needs, a notebook that exists, parameters that may name the trigger, the gate's settings."""

from __future__ import annotations

import re

from ..durations import duration_ms
from ..errors import InvalidInput
from ..models.names import clean_alias, clean_model_name
from ..naming import clean_name

TRIGGERS = ("alert", "schedule", "snapshot")
# What a parameter's text may name, filled in when the rule fires.
PLACEHOLDERS = ("model", "alias", "champion_version", "snapshot", "alert", "fired_at")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
GATE_SETTINGS = {"data", "label", "metric", "margin", "confidence", "resamples", "seed",
                 "slices", "max_slice_drop", "max_latency_increase", "check_signature"}
DEFAULT_COOLDOWN = "1h"


def clean_trigger(on, monitor, dataset, cron) -> str:
    if on not in TRIGGERS:
        raise InvalidInput(f"A retraining rule fires on one of {', '.join(TRIGGERS)} "
                           f"(on=...), not {on!r:.40}.")
    given = {"monitor": monitor, "dataset": dataset, "cron": cron}
    needs = {"alert": None, "snapshot": "dataset", "schedule": "cron"}[on]
    if needs and not given[needs]:
        raise InvalidInput(f"A rule on {on} needs {needs}=... (what it watches).")
    stray = [k for k, v in given.items() if v is not None and k != needs
             and not (on == "alert" and k == "monitor")]
    if stray:
        raise InvalidInput(f"A rule on {on} takes no {', '.join(stray)}.")
    return on


def clean_gate(gate) -> dict | None:
    """The gate's settings (ml.gate's keyword arguments, data and label required), or None:
    every version the pipeline registers then moves the alias, unjudged."""
    if gate is None:
        return None
    if not isinstance(gate, dict):
        raise InvalidInput('gate is an object of ml.gate settings: {"data": "holdout", '
                           '"label": "churned", "metric": "roc_auc", "margin": 0.01}.')
    unknown = sorted(set(gate) - GATE_SETTINGS)
    if unknown:
        raise InvalidInput(f"The gate takes no {', '.join(unknown)}; its settings are "
                           f"{', '.join(sorted(GATE_SETTINGS))}.")
    for key in ("data", "label"):
        if not isinstance(gate.get(key), str) or not gate[key].strip():
            raise InvalidInput(f"The gate needs {key} (the labelled snapshot and its label "
                               "column the challenger and champion are scored on).")
    return dict(gate)


def clean_parameters(parameters) -> dict:
    if parameters is None:
        return {}
    if not isinstance(parameters, dict):
        raise InvalidInput("parameters is an object of name -> value for the notebook's "
                           "parameters cell.")
    return dict(parameters)


def fill(parameters: dict, values: dict) -> dict:
    """The parameters with {snapshot}, {alert}, … in their text replaced by what fired."""
    def one(value):
        if isinstance(value, str):
            return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), value)
        return value
    return {k: one(v) for k, v in parameters.items()}


def clean_common(name, model, alias, keep_previous, cooldown) -> tuple:
    name = clean_name(name, "retraining rule name", 200)
    model = clean_model_name(model)
    alias = clean_alias(alias)
    keep_previous = None if keep_previous is None else clean_alias(keep_previous)
    if keep_previous == alias:
        raise InvalidInput("keep_previous must name another alias than the one moved.")
    cooldown_s = duration_ms(cooldown, "cooldown", allow_zero=True) // 1000
    return name, model, alias, keep_previous, cooldown_s
