"""Dataset snapshots: hashing, storage, versions, validation, diffs and lineage, on the real
store (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import threading

import numpy as np
import pandas as pd
import pytest

import mlops_lab as ml
from mlops_lab.datasets import hashing, profile
from mlops_lab.datasets.service import DatasetService
from mlops_lab.datasets.validation import SnapshotRefused
from mlops_lab.errors import InvalidInput, NotFound


def _truncate_datasets(store) -> None:
    if store.db.is_sqlite:
        return
    from sqlalchemy import text

    with store.db.write() as conn:
        conn.execute(text("TRUNCATE snapshots, datasets RESTART IDENTITY CASCADE"))


@pytest.fixture
def ds(store):
    _truncate_datasets(store)
    return DatasetService(store)


def frame(n=100, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"id": np.arange(n), "x": rng.standard_normal(n),
                         "kind": rng.choice(["a", "b", "c"], n)})


def blob_files(store) -> dict[str, float]:
    root = os.path.join(store.artifacts.root, "blobs")
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            found[path] = os.path.getsize(path)
    return found


# ---- hashing -------------------------------------------------------------------------------


def test_equal_content_has_equal_hash_whatever_the_memory_layout():
    values = np.random.default_rng(1).standard_normal((1000, 4))
    c_order = pd.DataFrame(values, columns=list("abcd"))
    f_order = pd.DataFrame(np.asfortranarray(values), columns=list("abcd"))
    split = pd.DataFrame(index=range(1000))
    for i, k in enumerate("abcd"):  # one block per column, as columns added one by one make
        split[k] = values[:, i].copy()
    consolidated = pd.DataFrame({k: values[:, i].copy() for i, k in enumerate("abcd")})
    assert split._mgr.nblocks == 4 and consolidated._mgr.nblocks == 1
    hashes = {hashing.table_hash(df)[0] for df in (c_order, f_order, split, consolidated)}
    assert len(hashes) == 1

    wide = pd.DataFrame(np.random.default_rng(2).standard_normal((2000, 4)), columns=list("abcd"))
    sliced = wide.iloc[::2].reset_index(drop=True)  # strided views of a bigger block
    fresh = pd.DataFrame({k: wide[k].to_numpy()[::2].copy() for k in "abcd"})
    assert hashing.table_hash(sliced)[0] == hashing.table_hash(fresh)[0]


def test_strings_and_extension_types_hash_by_value_not_by_buffer():
    df = pd.DataFrame({
        "s": pd.Series(["a", "bb", None, "ccc"] * 5, dtype="string[pyarrow]"),
        "o": pd.Series(["x", 1, 2.5, None] * 5, dtype=object),
        "cat": pd.Categorical(list("abca") * 5),
        "t": pd.date_range("2024-01-01", periods=20, tz="UTC"),
        "i": pd.array([1, None, 3, 4] * 5, dtype="Int64"),
    })
    tail = df.iloc[7:].reset_index(drop=True)  # Arrow slices with non-zero offsets
    rebuilt = pd.DataFrame({c: df[c].iloc[7:].tolist() for c in df}).astype(df.dtypes.to_dict())
    assert hashing.table_hash(tail)[0] == hashing.table_hash(rebuilt)[0]


def test_content_names_dtypes_and_index_change_the_hash():
    df = frame(50)
    base = hashing.table_hash(df)[0]
    changed = df.copy()
    changed.loc[3, "x"] = 42.0
    assert hashing.table_hash(changed)[0] != base
    assert hashing.table_hash(df.rename(columns={"x": "y"}))[0] != base
    assert hashing.table_hash(df.astype({"id": "int32"}))[0] != base
    assert hashing.table_hash(df.set_index("id"))[0] != hashing.table_hash(df.drop(columns="id"))[0]
    assert hashing.table_hash(df.iloc[10:])[0] != hashing.table_hash(df.iloc[10:].reset_index(drop=True))[0]


# ---- snapshots, versions, references -------------------------------------------------------


def test_a_snapshot_stores_parquet_schema_rows_and_profile(ds):
    df = frame(200)
    v = ds.snapshot(df, "customers", show_progress=False)
    assert (v.version, v.row_count, v.column_count) == (1, 200, 3)
    assert [c["name"] for c in v.schema] == ["id", "x", "kind"]
    assert v.content_hash == hashing.table_hash(df)[0]
    x = v.profile["columns"]["x"]
    assert x["nulls"] == 0 and x["min"] == pytest.approx(df.x.min())
    assert x["mean"] == pytest.approx(df.x.mean()) and x["std"] == pytest.approx(df.x.std())
    assert sum(x["histogram"]["counts"]) == 200
    assert v.profile["columns"]["kind"]["distinct"] == 3
    assert {t["value"] for t in v.profile["columns"]["kind"]["top"]} == {"a", "b", "c"}
    loaded_version, loaded = ds.load("customers")
    assert loaded_version.id == v.id
    pd.testing.assert_frame_equal(loaded, df)


def test_the_same_content_returns_the_existing_version_and_writes_nothing(ds, store):
    df = frame(300)
    first = ds.snapshot(df, "customers", show_progress=False)
    before = blob_files(store)
    again = ds.snapshot(pd.DataFrame(np.asfortranarray(df[["id"]].to_numpy()), columns=["id"])
                        .assign(x=df.x.to_numpy(), kind=df.kind.to_numpy()),
                        "customers", show_progress=False)
    assert again.id == first.id and again.existed and again.version == 1
    assert blob_files(store) == before
    assert len(ds.list_versions("customers")) == 1


def test_datetime_and_timedelta_columns_snapshot_and_round_trip(ds):
    df = pd.DataFrame({"at": pd.date_range("2024-01-01", periods=6, freq="h"),
                       "took": pd.to_timedelta(np.arange(6), unit="s"),
                       "at_utc": pd.date_range("2024-01-01", periods=6, freq="D", tz="UTC")})
    version = ds.snapshot(df, "events", show_progress=False)
    assert ds.snapshot(df.iloc[::-1].iloc[::-1], "events", show_progress=False).id == version.id
    _, loaded = ds.load("events")
    assert loaded["at"].tolist() == df["at"].tolist()
    assert loaded["took"].tolist() == df["took"].tolist()
    assert loaded["at_utc"].tolist() == df["at_utc"].tolist()


def test_versions_are_numbered_and_references_resolve(ds):
    v1 = ds.snapshot(frame(10, 1), "sales", show_progress=False)
    v2 = ds.snapshot(frame(10, 2), "sales", show_progress=False)
    assert (v1.version, v2.version) == (1, 2)
    assert ds.resolve("sales").id == v2.id
    assert ds.resolve("sales@latest").id == v2.id
    assert ds.resolve("sales@1").id == v1.id
    assert ds.resolve(f"sales@{v1.content_hash[:10]}").id == v1.id
    assert ds.resolve(v1.id).id == v1.id
    with pytest.raises(NotFound, match="no such version"):
        ds.resolve("sales@9")
    with pytest.raises(NotFound):
        ds.resolve("nothing-here")
    assert [v.version for v in ds.list_versions("sales")] == [2, 1]


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b\\c", "\u202eevil", "caf\u00e9 \U0001F600",
                                  "x@y", "n" * 500])
def test_dataset_names_are_text_never_paths(ds, store, name):
    v = ds.snapshot(frame(5), name, show_progress=False)
    assert ds.resolve(name).id == v.id
    assert ds.resolve(f"{name}@1").id == v.id
    for path in blob_files(store):
        assert os.path.basename(path) == v.blob or os.path.basename(path).startswith(".tmp")
        assert "etc" not in path.split(os.sep)[-2:]


@pytest.mark.parametrize("name", ["", "   ", "a\x00b", "n" * 501])
def test_bad_names_are_refused(ds, name):
    with pytest.raises(InvalidInput):
        ds.snapshot(frame(5), name, show_progress=False)


@pytest.mark.parametrize("df, message", [
    (pd.DataFrame(index=range(3)), "at least one column"),
    (pd.DataFrame([[1, 2]], columns=["a", "a"]), "unique"),
    (pd.DataFrame({"m": pd.Series([1, "x", 2.5], dtype=object)}), "mixed Python objects"),
])
def test_tables_that_cannot_round_trip_are_refused_clearly(ds, store, df, message):
    before = blob_files(store)
    with pytest.raises(InvalidInput, match=message):
        ds.snapshot(df, "odd", show_progress=False)
    assert blob_files(store) == before


def test_empty_tables_and_indexes_round_trip(ds):
    empty = pd.DataFrame({"a": pd.Series([], dtype="float64"), "s": pd.Series([], dtype=str)})
    assert ds.snapshot(empty, "empty", show_progress=False).row_count == 0
    pd.testing.assert_frame_equal(ds.load("empty")[1], empty, check_index_type=False)
    indexed = pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples(
        [("a", 1), ("b", 2)], names=["k", "n"]))
    ds.snapshot(indexed, "indexed", show_progress=False)
    pd.testing.assert_frame_equal(ds.load("indexed")[1], indexed)


def test_csv_and_parquet_files_and_folders(ds, tmp_path):
    df = frame(40)
    df.to_csv(tmp_path / "one.csv", index=False)
    folder = tmp_path / "parts"
    folder.mkdir()
    df.iloc[:20].to_parquet(folder / "part-0.parquet")
    df.iloc[20:].to_parquet(folder / "part-1.parquet")
    from_csv = ds.snapshot(str(tmp_path / "one.csv"), "csv", show_progress=False)
    from_folder = ds.snapshot(folder, "folder", show_progress=False)
    assert from_csv.row_count == from_folder.row_count == 40
    assert from_folder.source["files"] == 2
    pd.testing.assert_frame_equal(ds.load("folder")[1], df)
    with pytest.raises(NotFound):
        ds.snapshot(tmp_path / "missing.csv", "x", show_progress=False)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InvalidInput, match="not a .csv"):
        ds.snapshot(tmp_path / "notes.txt", "x", show_progress=False)


def test_concurrent_snapshots_get_contiguous_versions(ds, store):
    errors = []

    def take(seed):
        try:
            DatasetService(store).snapshot(frame(20, seed), "busy", show_progress=False)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(seed,)) for seed in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(v.version for v in ds.list_versions("busy")) == [1, 2, 3, 4, 5, 6]


def test_a_failed_write_leaves_no_row_no_temp_file_and_earlier_versions_intact(ds, store, monkeypatch):
    ds.snapshot(frame(50, 1), "disk", show_progress=False)
    before = blob_files(store)

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        ds.snapshot(frame(50, 2), "disk", show_progress=False)
    monkeypatch.undo()
    assert blob_files(store) == before  # no partial blob, no temp file left
    assert [v.version for v in ds.list_versions("disk")] == [1]
    pd.testing.assert_frame_equal(ds.load("disk@1")[1], frame(50, 1))
    assert ds.snapshot(frame(50, 2), "disk", show_progress=False).version == 2


def test_progress_bar_after_tqdms_delay_and_none_when_hidden(ds, monkeypatch, capsys):
    from mlops_lab.datasets import progress

    ds.snapshot(frame(10, 1), "bars", show_progress=False)
    assert "snapshot bars" not in capsys.readouterr().err
    assert progress.DELAY_SECONDS > 0  # quick snapshots print nothing
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0)  # as if the snapshot took long
    ds.snapshot(frame(10, 2), "bars", show_progress=True)
    assert "snapshot bars" in capsys.readouterr().err


def test_large_tables_profile_distinct_counts_on_a_sample(ds, monkeypatch):
    monkeypatch.setattr(profile, "SAMPLE_ROWS", 100)
    v = ds.snapshot(frame(1000), "big", show_progress=False)
    x = v.profile["columns"]["x"]
    assert x["sampled"] is True and x["sample_rows"] == 100 and x["distinct"] <= 100
    assert x["count"] == 1000 and sum(x["histogram"]["counts"]) == 1000  # exact stats


# ---- validation ----------------------------------------------------------------------------


def test_failing_snapshot_is_flagged_with_a_report(ds):
    ds.add_rule("people", "age", min=0, max=130, max_null_share=0.0)
    ds.add_rule("people", "id", unique=True)
    ds.add_rule("people", "kind", allowed=["a", "b"])
    ds.add_rule("people", None, min_rows=3, max_rows=10)
    good = pd.DataFrame({"id": [1, 2, 3], "age": [10.0, 20.0, 30.0], "kind": ["a", "b", "a"]})
    bad = pd.DataFrame({"id": [1, 1, 3, 4], "age": [-5.0, None, 30.0, 200.0],
                        "kind": ["a", "z", "a", "b"]})
    assert ds.snapshot(good, "people", show_progress=False).valid is True
    flagged = ds.snapshot(bad, "people", show_progress=False)
    assert flagged.valid is False and flagged.version == 2
    rules = {f["rule"] for f in flagged.validation["failures"]}
    assert rules == {"range", "max_null_share", "unique", "allowed"}
    ranged = next(f for f in flagged.validation["failures"] if f["rule"] == "range")
    assert ranged["count"] == 2 and set(ranged["examples"]) == {-5.0, 200.0}


def test_refusing_rules_store_nothing(ds, store):
    ds.set_rules("strict", {"on_fail": "refuse", "table": {"columns": ["id", "x"]},
                            "columns": {"x": {"dtype": "float64", "max": 1.0}}})
    before = blob_files(store)
    with pytest.raises(SnapshotRefused, match="refused") as caught:
        ds.snapshot(frame(20), "strict", show_progress=False)
    assert caught.value.report["failed"] >= 1
    assert blob_files(store) == before
    assert ds.list_versions("strict") == []


@pytest.mark.parametrize("rules, message", [
    ({"on_fail": "explode"}, "on_fail"),
    ({"columns": {"x": {"min": "low"}}}, "number"),
    ({"columns": {"x": {"min": 5, "max": 1}}}, "above"),
    ({"columns": {"x": {"max_null_share": 2}}}, "share"),
    ({"columns": {"x": {"between": 1}}}, "Unknown rule"),
    ({"table": {"min_rows": -1}}, "whole number"),
    # Placeholders and other non-dicts: say which part and show the shape, never a TypeError.
    ({"on_fail": "flag", "table": {...}, "columns": {...}}, r"'table' must be a dict.*look like"),
    ({"columns": {...}}, r"'columns' \(a column name -> its rules\) must be a dict"),
    ({"columns": {"x": ["min", 0]}}, r"rules of column 'x' must be a dict"),
    ({"table": {"columns": 5}}, "list of column names"),
    ([("on_fail", "flag")], "Validation rules must be a dict"),
])
def test_malformed_rules_are_refused_clearly(ds, rules, message):
    with pytest.raises(InvalidInput, match=message):
        ds.set_rules("r", rules)


# ---- diff ----------------------------------------------------------------------------------


def test_diff_by_key_finds_added_removed_and_changed_rows_and_schema(ds):
    a = pd.DataFrame({"id": [1, 2, 3, 4], "x": [1.0, 2.0, 3.0, 4.0], "old": ["p"] * 4})
    b = pd.DataFrame({"id": [2, 3, 4, 5], "x": [2.0, 30.0, 4.0, 5.0], "new": [1, 2, 3, 4]})
    ds.snapshot(a, "d", show_progress=False)
    ds.snapshot(b, "d", show_progress=False)
    d = ds.diff("d@1", "d@2", key="id")
    assert d.rows == {"a": 4, "b": 4, "added": 1, "removed": 1, "changed": 1, "key": ["id"]}
    assert d.examples["changed"] == [{"key": {"id": 3}, "columns": {"x": {"a": 3.0, "b": 30.0}}}]
    assert d.columns_added == [{"name": "new", "dtype": "int64"}]
    assert d.columns_removed[0]["name"] == "old"
    assert any(s["column"] == "x" and s["stat"] == "mean" for s in d.stats)
    whole = ds.diff("d@1", "d@2")
    assert (whole.rows["added"], whole.rows["removed"]) == (2, 2)  # rows over common columns
    assert "d@1 -> d@2" in repr(d)
    with pytest.raises(InvalidInput, match="not in both"):
        ds.diff("d@1", "d@2", key="nope")
    assert ds.diff("d@1", "d@1").same_content


def test_notebook_html_escapes_cell_values_and_names(ds):
    evil = "<img src=x onerror=alert(1)>"
    a = pd.DataFrame({"id": [1, 2], evil: [evil, "ok"]})
    b = pd.DataFrame({"id": [1, 3], evil: [evil, "new " + evil]})
    va = ds.snapshot(a, evil, show_progress=False)
    ds.snapshot(b, evil, show_progress=False)
    for text in (va._repr_html_(), ds.diff(f"{evil}@1", f"{evil}@2", key="id")._repr_html_()):
        assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


# ---- Python API and lineage ----------------------------------------------------------------


def test_api_links_loads_as_inputs_and_snapshots_as_outputs_of_the_run(store, svc):
    _truncate_datasets(store)
    v1 = ml.snapshot(frame(10), "lineage", progress=False)
    assert v1.run_id is None
    with ml.start_run("train") as run:
        df = ml.load_snapshot("lineage@1")
        out = ml.snapshot(df.assign(y=1), "features", progress=False)
    links = {(link.direction, link.ref, link.label) for link in svc.run_links(run.id)}
    assert links == {("input", v1.id, "lineage@1"), ("output", out.id, "features@1")}
    assert out.run_id == run.id
    lineage = DatasetService(store).lineage("features@1")
    assert [(r["run_id"], r["direction"]) for r in lineage["runs"]] == [(run.id, "output")]


def test_set_validation_takes_the_documented_shape_and_gives_it_back(store):
    """The README's set_validation example: every table and column rule in one document."""
    _truncate_datasets(store)
    frame = pd.DataFrame({"id": [1, 2, 2], "age": [30, 140, 50], "plan": ["free", "pro", "gold"]})
    text = str(frame["plan"].dtype)  # "object" or "str", by pandas version
    rules = {"on_fail": "flag",
             "table": {"min_rows": 3, "max_rows": 1000, "columns": ["id", "age"], "exact": False},
             "columns": {"age": {"min": 0, "max": 130, "max_null_share": 0.01},
                         "id": {"unique": True},
                         "plan": {"allowed": ["free", "pro"], "dtype": text}}}
    stored = ml.set_validation("customers", rules)
    assert stored == ml.get_validation("customers")
    assert stored["table"] == {"min_rows": 3, "max_rows": 1000, "columns": ["id", "age"]}
    assert stored["columns"]["plan"] == {"dtype": text, "allowed": ["free", "pro"]}
    assert ml.set_validation("customers", ml.get_validation("customers")) == stored
    v = ml.snapshot(frame, "customers", progress=False)
    assert v.valid is False
    assert {f["rule"] for f in v.validation["failures"]} == {"range", "unique", "allowed"}
    with pytest.raises(InvalidInput, match="'table' must be a dict"):
        ml.set_validation("customers", {"on_fail": "flag", "table": {...}, "columns": {...}})


def test_api_validation_names(store):
    _truncate_datasets(store)
    ml.expect("wine", column="alcohol", min=10, max=15)
    rules = ml.expect("wine", min_rows=1, on_fail="refuse")
    assert rules == ml.get_validation("wine") == {
        "on_fail": "refuse", "table": {"min_rows": 1},
        "columns": {"alcohol": {"min": 10, "max": 15}}}
    with pytest.raises(InvalidInput, match="column rule"):
        ml.expect("wine", min=3)
    with pytest.raises(SnapshotRefused):
        ml.snapshot(pd.DataFrame({"alcohol": [9.0]}), "wine", progress=False)
    assert [d.name for d in ml.list_datasets("WIN")] == ["wine"]
