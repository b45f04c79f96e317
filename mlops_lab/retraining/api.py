"""The Python API of continuous training: retraining rules and their firings."""

from __future__ import annotations

from .entities import Firing, RetrainingRule


def _service():
    from ..services import services

    return services().retraining


def create_retraining_rule(name: str, model: str, notebook, *, on: str,
                           monitor: str | None = None, dataset: str | None = None,
                           cron: str | None = None, timezone: str = "UTC",
                           parameters: dict | None = None, gate: dict | None = None,
                           alias: str = "champion", keep_previous: str | None = "previous",
                           cooldown="1h", timeout=None) -> RetrainingRule:
    """Retrain `model` by running `notebook` (a pipeline with a `parameters` cell that calls
    ml.register_model(model, name), or a DAG file whose steps do; its parameters then name
    "name" for every step or "step.name") when the trigger fires, then gate the version it
    registered against `alias` and move the alias on a pass.

    on="alert": an alert of the model's monitors (or of `monitor`) opens or re-opens;
    on="snapshot": `dataset` gets a new snapshot; on="schedule": at the times of `cron`.
    `parameters` text may name {snapshot}, {alert}, {champion_version}, {model}, {alias},
    {fired_at}: filled in when it fires. `gate`: ml.gate's settings (data and label
    required); without one the new version is registered and the alias stays. At most one
    retraining per rule runs at a time; `cooldown` spaces them; a retraining that fails or
    times out (`timeout`) leaves the alias and raises an alert.

        ml.create_retraining_rule("churn-on-drift", "churn", "retrain.ipynb", on="alert",
                                  parameters={"data": "customers"},
                                  gate={"data": "holdout", "label": "churned",
                                        "metric": "roc_auc", "margin": 0.01})
    """
    return _service().create_rule(name, model, notebook, on=on, monitor=monitor,
                                  dataset=dataset, cron=cron, timezone=timezone,
                                  parameters=parameters, gate=gate, alias=alias,
                                  keep_previous=keep_previous, cooldown=cooldown,
                                  timeout=timeout)


def list_retraining_rules(model: str | None = None) -> list[RetrainingRule]:
    return _service().list_rules(model)


def delete_retraining_rule(rule) -> RetrainingRule:
    return _service().delete_rule(rule)


def fire_retraining(rule) -> Firing:
    """Fires a rule now, by hand (the cooldown and one-at-a-time still hold)."""
    return _service().fire(rule)


def check_retraining() -> dict:
    """One round of what the scheduler does every few seconds: fire the rules whose trigger
    has news, and judge the retrainings that ended (gate, alias)."""
    return _service().check()


def list_retraining_firings(rule=None, status: str | None = None,
                            limit: int = 100) -> list[Firing]:
    return _service().list_firings(rule, status, limit)
