"""The datasets part of the public Python API (`import mlops_lab as ml`).

    v = ml.snapshot(df, "customers")            # or a CSV / Parquet file or folder
    df = ml.load_snapshot("customers@3")        # "customers", "customers@<hash prefix>"
    ml.diff_snapshots("customers@2", "customers@3", key="id")
    ml.expect("customers", column="age", min=0, max=130, max_null_share=0.01)
    ml.expect("customers", min_rows=1000, on_fail="refuse")

Inside a run (`with ml.start_run()` or a `%%track` cell) a loaded snapshot is recorded as an
input of the run and a snapshot taken as an output.
"""

from __future__ import annotations


import pandas as pd

from .entities import Dataset, SnapshotDiff, Snapshot
from .service import DatasetService

def service() -> DatasetService:
    """The DatasetService of the store the environment and working directory name."""
    from ..services import services

    return services().datasets


def _run_id() -> str | None:
    from ..tracking.fluent import current_run_id

    return current_run_id()


def snapshot(data, name: str, *, description: str | None = None,
             progress: bool = True) -> Snapshot:
    """Stores a DataFrame (or a CSV / Parquet file or folder) as the next immutable version of
    dataset `name`: content hash, Parquet, schema, row count, per-column profile, validation.

    The same content returns the version that already holds it and writes nothing. Inside a run
    the version is recorded as an output of the run. A progress bar appears when it takes more
    than a second (`progress=False` hides it).
    """
    return service().snapshot(data, name, description=description, run_id=_run_id(),
                              show_progress=progress)


def load_snapshot(ref: str, columns: list[str] | None = None) -> pd.DataFrame:
    """The data of snapshot `ref` ("name" for the latest, "name@3", "name@<hash prefix>").
    Inside a run the version is recorded as an input of the run."""
    return service().load(ref, run_id=_run_id(), columns=columns)[1]


def get_snapshot(ref: str) -> Snapshot:
    """The snapshot's metadata (schema, profile, validation) without loading its data."""
    return service().resolve(ref)


def list_snapshots(name: str) -> list[Snapshot]:
    """Every version of dataset `name`, newest first."""
    return service().list_versions(name)


def list_datasets(search: str = "") -> list[Dataset]:
    """Datasets whose name contains `search`, most recently changed first."""
    return service().list_datasets(search)


def diff_snapshots(a: str, b: str, key: str | list[str] | None = None) -> SnapshotDiff:
    """What changed from snapshot `a` to `b`: schema, rows (added / removed / changed, matched
    by the `key` column(s)), and shifts of per-column statistics. Renders as a table in a
    notebook."""
    return service().diff(a, b, key=key)


def expect(dataset: str, column: str | None = None, *, dtype: str | None = None,
           min=None, max=None, allowed: list | None = None,  # noqa: A002 - the user's words
           max_null_share: float | None = None, unique: bool | None = None,
           min_rows: int | None = None, max_rows: int | None = None,
           columns: list[str] | None = None, exact: bool | None = None,
           on_fail: str | None = None) -> dict:
    """Adds validation rules to dataset `dataset`, checked at every snapshot from now on.

    With `column`: its dtype, range (`min`/`max`), `allowed` values, `max_null_share` (0..1)
    and `unique`. Without: the table's `min_rows`/`max_rows`, required `columns` and `exact`
    (no other columns). `on_fail="flag"` (default) stores a failing snapshot marked invalid;
    `"refuse"` stores nothing and raises SnapshotRefused. Returns all the dataset's rules.
    """
    if column is None:
        rule = {k: v for k, v in dict(min_rows=min_rows, max_rows=max_rows, columns=columns,
                                      exact=exact).items() if v is not None}
        stray = [k for k, v in dict(dtype=dtype, min=min, max=max, allowed=allowed,
                                    max_null_share=max_null_share, unique=unique).items()
                 if v is not None]
        if stray:
            from ..errors import InvalidInput

            raise InvalidInput(f"{stray[0]}= is a column rule: pass column='name' with it.")
    else:
        rule = {k: v for k, v in dict(dtype=dtype, min=min, max=max, allowed=allowed,
                                      max_null_share=max_null_share, unique=unique).items()
                if v is not None}
    return service().add_rule(dataset, column, on_fail=on_fail, **rule)


def set_validation(dataset: str, rules: dict) -> dict:
    """Replaces all validation rules of `dataset` with `rules`:
    ``{"on_fail": "flag"|"refuse", "table": {...}, "columns": {name: {...}}}``."""
    return service().set_rules(dataset, rules)


def get_validation(dataset: str) -> dict | None:
    """The dataset's validation rules (None if it has none)."""
    return service().rules(dataset)
