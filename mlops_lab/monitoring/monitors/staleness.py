"""How old what the alias serves is: the version, the last retraining, the data it learned
from (its training snapshot, and the stalest feature set it read, by its last
materialisation), the last prediction it made. Seconds, or None when there is nothing to
date."""

from __future__ import annotations


def feature_sets(version) -> list[str]:
    """The feature sets the version's run read (their names), from its lineage."""
    return sorted({link["label"].rpartition("@")[0] or link["label"]
                   for link in version.inputs or []
                   if link.get("kind") == "feature_set" and link.get("label")})


def figures(now_ms: int, version, latest_version_created_at: int | None,
            training_data_created_at: int | None, last_prediction_at: int | None,
            feature_data_materialised_at: int | None = None) -> dict:
    def age(then: int | None) -> float | None:
        return None if then is None else max(0.0, (now_ms - then) / 1000)

    return {"version_age_s": age(version.created_at),
            "since_retraining_s": age(latest_version_created_at),
            "training_data_age_s": age(training_data_created_at),
            "feature_data_age_s": age(feature_data_materialised_at),
            "since_prediction_s": age(last_prediction_at)}
