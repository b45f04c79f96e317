"""How old what the alias serves is: the version, the last retraining, the data it learned
from, the last prediction it made. Seconds, or None when there is nothing to date."""

from __future__ import annotations


def figures(now_ms: int, version, latest_version_created_at: int | None,
            training_data_created_at: int | None, last_prediction_at: int | None) -> dict:
    def age(then: int | None) -> float | None:
        return None if then is None else max(0.0, (now_ms - then) / 1000)

    return {"version_age_s": age(version.created_at),
            "since_retraining_s": age(latest_version_created_at),
            "training_data_age_s": age(training_data_created_at),
            "since_prediction_s": age(last_prediction_at)}
