"""What a monitor is told, checked at the edge: which current data, which thresholds, which
metric. Each is stored as a small JSON document and read back by the same functions."""

from __future__ import annotations

from typing import Any

from ... import durations
from ...errors import InvalidInput
from ...naming import clean_name

DEFAULT_LAST = 10_000  # predictions compared when neither a window nor a count is given
MAX_LAST = 5_000_000
CLASSIFICATION_METRICS = ("accuracy", "f1", "roc_auc")
REGRESSION_METRICS = ("mae", "rmse")
METRICS = CLASSIFICATION_METRICS + REGRESSION_METRICS


def current_spec(window=None, last=None, snapshot=None) -> dict[str, Any]:
    """The current data: the prediction log's `last` rows and/or those of the last `window`
    ("1h"), or the newest snapshot of a dataset (`snapshot="customers"`, or a fixed
    "customers@4")."""
    if snapshot is not None:
        if window is not None or last is not None:
            raise InvalidInput("Give either a snapshot or a window/last count of logged "
                               "predictions as the current data, not both.")
        return {"snapshot": clean_name(snapshot, "snapshot")}
    spec: dict[str, Any] = {}
    if window is not None:
        spec["window_s"] = durations.seconds(window, "window")
    if last is not None:
        if isinstance(last, bool) or not isinstance(last, int) or not 1 <= last <= MAX_LAST:
            raise InvalidInput(f"last must be a whole number of predictions from 1 to "
                               f"{MAX_LAST:,}, not {last!r}.")
        spec["last"] = last
    if not spec:
        spec["last"] = DEFAULT_LAST
    return spec


def describe_current(spec: dict[str, Any]) -> str:
    if "snapshot" in spec:
        return f"the newest snapshot of {spec['snapshot']}" if "@" not in spec["snapshot"] \
            else f"snapshot {spec['snapshot']}"
    parts = []
    if "last" in spec:
        parts.append(f"the last {spec['last']:,} predictions")
    if "window_s" in spec:
        parts.append(f"the last {durations.text(spec['window_s'])}")
    return " within ".join(parts)


def thresholds_spec(thresholds: dict | None, per_feature: dict | None) -> dict[str, Any]:
    """Drift thresholds for every column and per column, as the drift engine reads them."""
    from ..drift import DriftThresholds

    spec: dict[str, Any] = {}
    for what, value in (("default", thresholds), *(((f"per_feature {k!r}"), v)
                                                     for k, v in (per_feature or {}).items())):
        if value is None:
            continue
        if not isinstance(value, dict):
            raise InvalidInput(f"The {what} thresholds must be a mapping such as "
                               "{'alpha': 0.01, 'wasserstein_floor': 0.2}.")
        try:
            DriftThresholds.from_json(value)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"The {what} thresholds: {exc}.") from None
    if thresholds:
        spec["default"] = dict(thresholds)
    if per_feature:
        if not isinstance(per_feature, dict):
            raise InvalidInput("per_feature must map column names to thresholds.")
        spec["per_feature"] = {str(k): dict(v) for k, v in per_feature.items()}
    return spec


def drift_thresholds(spec: dict[str, Any]):
    """(thresholds, per_feature) for detect_drift from a stored spec."""
    from ..drift import DriftThresholds

    default = DriftThresholds.from_json(spec.get("default") or {})
    per = {name: DriftThresholds.from_json({**(spec.get("default") or {}), **value})
           for name, value in (spec.get("per_feature") or {}).items()}
    return default, per


def label_metric(metric) -> str | None:
    if metric is None:
        return None
    if metric not in METRICS:
        raise InvalidInput(f"Unknown metric {metric!r}: use one of {', '.join(METRICS)}.")
    return metric
