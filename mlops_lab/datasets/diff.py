"""The difference between two snapshots: schema, row counts, rows added / removed / changed,
and shifts of each column's statistics (read from the stored profiles)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import InvalidInput
from .entities import SnapshotDiff, Snapshot

EXAMPLES = 10
STATS = ("null_share", "mean", "std", "min", "max", "distinct")


def _side(v: Snapshot) -> dict:
    return {"id": v.id, "ref": v.ref, "name": v.name, "version": v.version,
            "row_count": v.row_count, "content_hash": v.content_hash}


def _records(df: pd.DataFrame, limit: int = EXAMPLES) -> list[dict]:
    head = df.head(limit)
    return [{str(k): _plain(v) for k, v in row.items()} for row in head.to_dict("records")]


def _plain(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _stat_shifts(a: Snapshot, b: Snapshot) -> list[dict]:
    shifts = []
    ca, cb = a.profile.get("columns", {}), b.profile.get("columns", {})
    for column in [c for c in cb if c in ca]:
        for stat in STATS:
            va, vb = ca[column].get(stat), cb[column].get(stat)
            if not isinstance(va, (int, float)) or not isinstance(vb, (int, float)):
                continue
            if va == vb or (isinstance(va, float) and isinstance(vb, float)
                            and math.isnan(va) and math.isnan(vb)):
                continue
            change = vb - va
            relative = change / abs(va) if va not in (0, 0.0) and math.isfinite(va) else None
            shifts.append({"column": column, "stat": stat, "a": va, "b": vb, "change": change,
                           "relative": relative})
    return shifts


def _schema(a: Snapshot, b: Snapshot):
    sa = {c["name"]: c for c in a.schema}
    sb = {c["name"]: c for c in b.schema}
    added = [{"name": n, "dtype": sb[n]["dtype"]} for n in sb if n not in sa]
    removed = [{"name": n, "dtype": sa[n]["dtype"]} for n in sa if n not in sb]
    dtypes = [{"name": n, "a": sa[n]["dtype"], "b": sb[n]["dtype"]}
              for n in sb if n in sa and sa[n]["dtype"] != sb[n]["dtype"]]
    changed = [n for n in sb if n in sa and sa[n]["hash"] != sb[n]["hash"]]
    return added, removed, dtypes, changed


def _row_hashes(df: pd.DataFrame) -> pd.Series:
    return pd.util.hash_pandas_object(df, index=False)


def _rows_without_key(dfa, dfb, common) -> tuple[dict, dict]:
    """Rows compared whole, over the columns both have (a multiset of row hashes)."""
    ha = _row_hashes(dfa[common]) if common else pd.Series(np.zeros(len(dfa), np.uint64))
    hb = _row_hashes(dfb[common]) if common else pd.Series(np.zeros(len(dfb), np.uint64))
    ca, cb = ha.value_counts(), hb.value_counts()
    both = ca.index.union(cb.index)
    ca, cb = ca.reindex(both, fill_value=0), cb.reindex(both, fill_value=0)
    extra_b, extra_a = (cb - ca).clip(lower=0), (ca - cb).clip(lower=0)
    added_mask = hb.isin(extra_b[extra_b > 0].index).to_numpy()
    removed_mask = ha.isin(extra_a[extra_a > 0].index).to_numpy()
    rows = {"a": len(dfa), "b": len(dfb), "added": int(extra_b.sum()),
            "removed": int(extra_a.sum()), "changed": None, "key": None}
    examples = {"added": _records(dfb[added_mask]), "removed": _records(dfa[removed_mask]),
                "changed": []}
    return rows, examples


def _rows_by_key(dfa, dfb, keys, common) -> tuple[dict, dict]:
    for k in keys:
        if k not in dfa.columns or k not in dfb.columns:
            raise InvalidInput(f"Key column {k!r} is not in both snapshots; pick a column "
                               "both have.")
    for side, df in (("a", dfa), ("b", dfb)):
        if df.duplicated(subset=keys).any():
            raise InvalidInput(f"Key {keys!r} is not unique in snapshot {side}; rows cannot be "
                               "matched by it. Choose a unique key, or diff without one.")
    ia, ib = dfa.set_index(keys), dfb.set_index(keys)
    added_keys = ib.index.difference(ia.index)
    removed_keys = ia.index.difference(ib.index)
    shared = ia.index.intersection(ib.index)
    values = [c for c in common if c not in keys]
    changed_rows: list[dict] = []
    changed = 0
    if len(shared) and values:
        xa, xb = ia.loc[shared, values], ib.loc[shared, values]
        ha = pd.util.hash_pandas_object(xa, index=False).to_numpy()
        hb = pd.util.hash_pandas_object(xb, index=False).to_numpy()
        differ = ha != hb
        changed = int(differ.sum())
        for position in np.flatnonzero(differ)[:EXAMPLES]:
            ra, rb = xa.iloc[position], xb.iloc[position]
            columns = [c for c in values if not _same(ra[c], rb[c])]
            key = shared[position]
            changed_rows.append({
                "key": {k: _plain(v) for k, v in zip(keys, key if isinstance(key, tuple) else (key,))},
                "columns": {c: {"a": _plain(ra[c]), "b": _plain(rb[c])} for c in columns}})
    rows = {"a": len(dfa), "b": len(dfb), "added": int(len(added_keys)),
            "removed": int(len(removed_keys)), "changed": changed, "key": keys}
    examples = {"added": _records(ib.loc[added_keys[:EXAMPLES]].reset_index()),
                "removed": _records(ia.loc[removed_keys[:EXAMPLES]].reset_index()),
                "changed": changed_rows}
    return rows, examples


def _same(x, y) -> bool:
    try:
        if pd.isna(x) and pd.isna(y):
            return True
    except (TypeError, ValueError):
        pass
    try:
        return bool(x == y)
    except (TypeError, ValueError):
        return False


def diff(a: Snapshot, dfa: pd.DataFrame | None, b: Snapshot,
         dfb: pd.DataFrame | None, keys: list[str]) -> SnapshotDiff:
    added, removed, dtypes, changed = _schema(a, b)
    if dfa is None or dfb is None:  # same content
        rows = {"a": a.row_count, "b": b.row_count, "added": 0, "removed": 0,
                "changed": 0 if keys else None, "key": keys or None}
        examples = {"added": [], "removed": [], "changed": []}
    else:
        common = [c for c in dfb.columns if c in dfa.columns]
        rows, examples = (_rows_by_key(dfa, dfb, keys, common) if keys
                          else _rows_without_key(dfa, dfb, common))
    return SnapshotDiff(a=_side(a), b=_side(b), same_content=a.content_hash == b.content_hash,
                        columns_added=added, columns_removed=removed, dtype_changes=dtypes,
                        columns_changed=changed, rows=rows, examples=examples,
                        stats=_stat_shifts(a, b))
