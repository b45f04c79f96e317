"""The feature store in notebooks (`import mlops_lab as ml`):

    @ml.feature_set("customer_stats", entity="customer_id", timestamp="event_time")
    def customer_stats(orders: pd.DataFrame) -> pd.DataFrame: ...

    ml.materialize("customer_stats", source=orders)          # or source="orders@3"
    train = ml.get_training_set(entity_df, features=["customer_stats:total_spend"])
    ml.get_online_features({"customer_id": [1, 2]}, features=["customer_stats:total_spend"])

Each function calls one FeatureService method on the store found from the working directory.
"""

from __future__ import annotations

import functools
from typing import Callable

import pandas as pd

from .entities import FeatureSet, FeatureSetVersion, Materialization
from .service import FeatureService

def service() -> FeatureService:
    """The FeatureService of the store the environment and working directory name."""
    from ..services import services

    return services().features


def _run_id() -> str | None:
    from ..tracking.fluent import current_run_id

    return current_run_id()


def feature_set(name: str, *, entity, timestamp: str, ttl=None, description: str | None = None,
                tags=None, owner: str | None = None) -> Callable:
    """Registers the decorated function as a version of feature set `name`.

    The function takes the source (a DataFrame) and returns a frame with the entity key
    column(s), the `timestamp` column and feature columns. Its source (decorators left out) is
    stored; changed source, entity, timestamp or ttl make the next version, the same ones are
    the same version. `ttl` ('30d', a timedelta, seconds) limits how old a value a training set
    may use. The description defaults to the docstring. The function stays callable as before;
    `.version` is the registered FeatureSetVersion.
    """
    def register(fn: Callable) -> Callable:
        version = service().register(
            name, fn, entity=entity, timestamp=timestamp, ttl=ttl, owner=owner,
            description=description if description is not None else _doc(fn), tags=tags)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return fn(*args, **kwargs)

        wrapper.version = version
        wrapper.feature_set = version.feature_set
        return wrapper

    return register


def _doc(fn) -> str | None:
    import inspect

    doc = inspect.getdoc(fn)
    return doc.strip() if doc else None


def materialize(name: str, source, version: int | None = None, *,
                exec_source: bool = False) -> Materialization:
    """Runs feature set `name`'s function (newest version, or `version`) over `source` — a
    DataFrame or a snapshot reference like "orders@3" — and stores the output offline (Parquet)
    and online (each entity's newest row). The materialised version becomes the live one that
    unpinned references read (so materialising an older version rolls back).

    The function must be defined in this process (in a cell, or in a module you imported)
    with the same source; a module named in the store is never imported on its own, since
    importing runs its code. `exec_source=True` instead runs the source stored with the version
    (only for code you trust: it is executed with `pd` and `np` in scope; its module, if
    importable with the same source, is imported and used).
    """
    return service().materialize(name, source, version, exec_source=exec_source,
                                 run_id=_run_id())


def get_training_set(entity_df: pd.DataFrame, features, *, timestamp: str = "event_time",
                     full_names: bool = False) -> pd.DataFrame:
    """`entity_df` (entity key column(s) and a `timestamp` column, default "event_time") with
    each of `features` ("set:feature", "set@v2:feature", "set:*") as of each row's time: the
    newest value at or before it (within the set's ttl), never a later one; missing where none.
    Rows keep their order and index. `df.attrs["feature_versions"]` lists the versions read;
    inside a run they are linked to it as inputs."""
    return service().get_training_set(entity_df, features, timestamp=timestamp,
                                      full_names=full_names, run_id=_run_id())


def get_online_features(entity_keys, features) -> dict[str, list]:
    """The newest values for a few entities, e.g. `({"customer_id": [1, 2]}, [...])` ->
    {"customer_id": [1, 2], "total_spend": [..]}; None where an entity has no value."""
    return service().get_online_features(entity_keys, features)


def search_features(query: str = "", tag: str | None = None) -> pd.DataFrame:
    """One row per feature of every feature set (of the whole store) matching `query` (words
    found in the name, features, description, owner, tags or source snapshots) and `tag`
    ('key' or 'key=value'). Each set is described by its live version (`version` is the
    newest number)."""
    rows = []
    for item in service().search(query, tag):
        features = item.features or [None]
        for feature in features:
            rows.append({
                "feature": f"{item.name}:{feature}" if feature else None,
                "feature_set": item.name, "version": item.latest.version,
                "live_version": item.live_version, "entity": ", ".join(item.described.entity),
                "description": item.described.description, "tags": item.described.tags,
                "owner": item.described.owner, "sources": item.sources,
                "last_materialized": _time(item.freshness["last_materialized"]),
                "newest_event_time": _time(item.freshness["newest_event_time"]),
            })
    columns = ["feature", "feature_set", "version", "live_version", "entity", "description",
               "tags", "owner", "sources", "last_materialized", "newest_event_time"]
    return pd.DataFrame(rows, columns=columns)


def get_feature_set(name: str) -> FeatureSet:
    """A feature set with all its versions (source, schema) and freshness."""
    return service().get(name)


def get_feature_set_version(name: str, version: int | None = None) -> FeatureSetVersion:
    return service().get_version(name, version)


def _time(ms):
    return None if ms is None else pd.Timestamp(ms, unit="ms", tz="UTC")
