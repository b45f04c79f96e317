"""The feature store's service on SQLite and PostgreSQL: versions of a definition, materialising,
rollback, training sets and online lookups, search, bad inputs."""

from __future__ import annotations

import importlib
import sqlite3
import sys
import textwrap
import threading
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

import mlops_lab as ml
from mlops_lab.errors import InvalidInput, NotFound
from mlops_lab.features import definition as defs
from mlops_lab.features.online import SqliteOnlineStore
from mlops_lab.features.service import FeatureService


@pytest.fixture
def fsvc(store, tmp_path):
    """A FeatureService on each backend, with an online store of its own."""
    if not store.db.is_sqlite:
        with store.db.write() as conn:
            conn.execute(text("TRUNCATE feature_materializations, feature_set_versions, "
                              "feature_sets RESTART IDENTITY CASCADE"))
    online = SqliteOnlineStore(tmp_path / "online-test.db")
    yield FeatureService(store, online=online)
    online.close()


def orders_frame(n=200, customers=20, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "customer_id": rng.integers(0, customers, n),
        "event_time": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 30 * 86400, n), "s"),
        "amount": rng.random(n).round(2) * 100,
    })


def spend(orders: pd.DataFrame) -> pd.DataFrame:
    df = orders.sort_values("event_time", kind="stable").copy()
    df["total_spend"] = df.groupby("customer_id")["amount"].cumsum()
    df["order_count"] = df.groupby("customer_id").cumcount() + 1
    return df[["customer_id", "event_time", "total_spend", "order_count"]]


def spend_doubled(orders: pd.DataFrame) -> pd.DataFrame:
    df = spend(orders)
    df["total_spend"] = df["total_spend"] * 2
    return df


def register(fsvc, fn=spend, name="customer_stats", **kw):
    kw.setdefault("entity", "customer_id")
    kw.setdefault("timestamp", "event_time")
    return fsvc.register(name, fn, **kw)


def test_the_same_code_is_the_same_version_and_changed_code_the_next(fsvc):
    v1 = register(fsvc, description="spend so far", tags={"team": "growth"}, owner="ana")
    again = register(fsvc, description="spend so far", tags={"team": "growth"}, owner="ana")
    v2 = register(fsvc, spend_doubled)
    assert (v1.version, again.version, v2.version) == (1, 1, 2)
    assert again.id == v1.id and v2.id != v1.id
    assert v1.source.startswith("def spend(orders") and "cumsum" in v1.source
    assert len(v1.source_hash) == 64 and v1.source_hash != v2.source_hash
    assert (v1.owner, v1.description, v1.tags) == ("ana", "spend so far", {"team": "growth"})
    assert v1.entity == ["customer_id"] and v1.timestamp == "event_time"
    # A changed promise (entity, timestamp, ttl) is a new definition too.
    v3 = register(fsvc, ttl="7d")
    assert v3.version == 3 and v3.ttl_ms == 7 * 86400 * 1000
    assert [v.version for v in fsvc.versions("customer_stats")] == [3, 2, 1]
    assert fsvc.get_version("customer_stats").version == 3
    assert fsvc.get_version("customer_stats", 1).source == v1.source


def test_decorators_are_not_part_of_the_stored_source(store_home):
    @ml.feature_set("decorated", entity="customer_id", timestamp="event_time", tags=["pii"])
    def decorated(orders):
        """Orders as they come."""
        return orders
    assert decorated.version.source.startswith("def decorated(orders):")
    assert decorated.version.description == "Orders as they come."
    assert decorated.version.tags == {"pii": ""}
    assert decorated(pd.DataFrame({"a": [1]})).shape == (1, 1)  # still a plain function


def _module_with_functions(tmp_path, count, module_name):
    body = "import pandas as pd\n\n" + "\n".join(
        textwrap.dedent(f"""
        def f{i}(orders):
            df = orders.copy()
            df["x"] = df["amount"] * {i}
            return df[["customer_id", "event_time", "x"]]
        """) for i in range(count))
    (tmp_path / f"{module_name}.py").write_text(body)
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(module_name)
    finally:
        sys.path.remove(str(tmp_path))


def test_concurrent_registrations_get_contiguous_versions(fsvc, tmp_path):
    module = _module_with_functions(tmp_path, 12, f"fsmod_{tmp_path.name.replace('-', '_')}")
    errors, versions = [], []

    def work(start):
        try:
            for i in range(start, 12, 3):
                versions.append(register(fsvc, getattr(module, f"f{i}"), name="raced").version)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert sorted(versions) == list(range(1, 13))


def test_materialize_trains_and_serves_then_rolls_back(fsvc):
    orders = orders_frame()
    register(fsvc)
    m1 = fsvc.materialize("customer_stats", orders)
    assert (m1.version, m1.row_count, m1.source_kind) == (1, len(orders), "dataframe")
    assert m1.entity_count == orders["customer_id"].nunique()
    assert fsvc.store.artifacts.exists(m1.blob)
    assert m1.max_event_time == orders["event_time"].max().value // 1_000_000
    v1 = fsvc.get_version("customer_stats", 1)
    assert v1.features == ["total_spend", "order_count"] and v1.schema["order_count"] == "int64"

    register(fsvc, spend_doubled)
    late = pd.DataFrame({"customer_id": [3], "event_time": [pd.Timestamp("2025-01-01")]})
    with pytest.warns(UserWarning, match="v2 that is not materialised"):
        first = fsvc.get_training_set(late, ["customer_stats:total_spend"])
    m2 = fsvc.materialize("customer_stats", orders)
    assert m2.version == 2
    second = fsvc.get_training_set(late, ["customer_stats:total_spend"])
    assert second["total_spend"][0] == pytest.approx(2 * first["total_spend"][0])
    assert second.attrs["feature_versions"][0]["version"] == 2
    pinned = fsvc.get_training_set(late, ["customer_stats@v1:total_spend"])
    assert pinned["total_spend"][0] == first["total_spend"][0]
    online = fsvc.get_online_features({"customer_id": [3]}, ["customer_stats:total_spend"])
    assert online["total_spend"][0] == pytest.approx(second["total_spend"][0])

    # Rollback: materialising v1 again makes it the live version.
    fsvc.materialize("customer_stats", orders, version=1)
    assert fsvc.get("customer_stats").live_version == 1
    rolled = fsvc.get_online_features({"customer_id": [3]}, ["customer_stats:total_spend"])
    assert rolled["total_spend"][0] == pytest.approx(first["total_spend"][0])
    assert fsvc.get_online_features({"customer_id": [3]}, ["customer_stats@v2:total_spend"]) \
        ["total_spend"][0] == pytest.approx(second["total_spend"][0])


def test_feature_set_view_has_versions_source_and_freshness(fsvc):
    orders = orders_frame()
    register(fsvc, description="spend", tags={"team": "growth"})
    register(fsvc, spend_doubled)
    fsvc.materialize("customer_stats", orders, version=1)
    item = fsvc.get("customer_stats")
    assert [v.version for v in item.versions] == [2, 1]
    assert item.live_version == 1 and item.version_count == 2
    fresh = item.freshness
    assert fresh["row_count"] == len(orders) and fresh["version"] == 1
    assert fresh["newest_event_time"] == orders["event_time"].max().value // 1_000_000
    doc = item.to_json(versions=True)
    assert doc["versions"][1]["source"].startswith("def spend(")
    assert doc["versions"][1]["last_materialization"]["row_count"] == len(orders)
    assert doc["versions"][0]["last_materialization"] is None


def test_a_function_not_in_this_process_runs_only_when_asked(fsvc, tmp_path):
    name = f"gone_{tmp_path.name.replace('-', '_')}"
    module = _module_with_functions(tmp_path, 1, name)
    v = register(fsvc, module.f0, name="from_module")
    orders = orders_frame()
    # Importable with the same source: found without running stored code.
    defs._functions.pop(("from_module", v.source_hash))
    assert fsvc.materialize("from_module", orders).version == 1
    # Gone from this process and from disk: refused unless the caller opts in.
    defs._functions.pop(("from_module", v.source_hash), None)
    sys.modules.pop(name)
    (tmp_path / f"{name}.py").unlink()
    with pytest.raises(InvalidInput, match="exec_source=True"):
        fsvc.materialize("from_module", orders)
    m = fsvc.materialize("from_module", orders, exec_source=True)
    assert m.row_count == len(orders)


def test_a_module_named_in_the_store_is_not_imported_without_opt_in(fsvc, tmp_path,
                                                                   monkeypatch):
    name = f"marks_{tmp_path.name.replace('-', '_')}"
    module = _module_with_functions(tmp_path, 1, name)
    v = register(fsvc, module.f0, name="imports_on_load")
    # The same module, now with code that runs when it is imported (as a writer of the store
    # could arrange): it stays on the path, but this process no longer has it.
    marker = tmp_path / "imported.txt"
    source = (tmp_path / f"{name}.py").read_text()
    (tmp_path / f"{name}.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n" + source)
    monkeypatch.syspath_prepend(str(tmp_path))
    defs._functions.pop(("imports_on_load", v.source_hash))
    sys.modules.pop(name)
    with pytest.raises(InvalidInput, match=f"never imported unasked: `import {name}`"):
        fsvc.materialize("imports_on_load", orders_frame())
    with pytest.raises(InvalidInput, match="exec_source=True"):
        ml.materialize("imports_on_load", orders_frame())
    assert not marker.exists() and name not in sys.modules
    importlib.import_module(name)  # the user imports it: then it is used, nothing else runs
    assert fsvc.materialize("imports_on_load", orders_frame()).version == 1


def test_output_that_breaks_the_definition_is_refused(fsvc):
    orders = orders_frame()

    def no_entity(orders):
        return orders[["event_time", "amount"]]

    def not_a_frame(orders):
        return orders["amount"]

    def missing_time(orders):
        out = orders.copy()
        out.loc[0, "event_time"] = pd.NaT
        return out

    def numbers_as_time(orders):
        out = orders.copy()
        out["event_time"] = 5
        return out

    def only_keys(orders):
        return orders[["customer_id", "event_time"]]

    for fn, message in [(no_entity, "lacks column"), (not_a_frame, "not a pandas DataFrame"),
                        (missing_time, "have no 'event_time'"), (numbers_as_time, "holds numbers"),
                        (only_keys, "no feature columns")]:
        register(fsvc, fn, name=fn.__name__)
        with pytest.raises(InvalidInput, match=message):
            fsvc.materialize(fn.__name__, orders)
        assert fsvc.get(fn.__name__).live_version is None  # nothing half-made
    with pytest.raises(InvalidInput, match="DataFrame or a snapshot"):
        fsvc.materialize("no_entity", [1, 2])


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b", "\u202eevil", "\U0001f600 stats",
                                  "<img src=x onerror=alert(1)>"])
def test_names_are_text_never_paths(fsvc, name):
    v = register(fsvc, name=name)
    assert v.feature_set == name
    assert fsvc.get(name).name == name
    fsvc.materialize(name, orders_frame())
    assert fsvc.get_online_features({"customer_id": [1]}, [f"{name}:order_count"])


@pytest.mark.parametrize("name, message", [("a:b", "cannot contain"), ("a@2", "cannot contain"),
                                           ("x\x00y", "NUL"), ("x" * 10_000, "at most"),
                                           ("  ", "empty")])
def test_bad_names_are_refused(fsvc, name, message):
    with pytest.raises(InvalidInput, match=message):
        register(fsvc, name=name)


def test_bad_definitions_are_refused(fsvc):
    with pytest.raises(InvalidInput, match="lambda"):
        fsvc.register("l", lambda df: df, entity="id", timestamp="t")
    with pytest.raises(InvalidInput, match="also be an entity"):
        register(fsvc, entity=["customer_id", "event_time"])
    with pytest.raises(InvalidInput, match="ttl"):
        register(fsvc, ttl="soon")
    with pytest.raises(InvalidInput, match="positive"):
        register(fsvc, ttl=-5)


def test_unknown_things_say_what_to_do(fsvc):
    frame = pd.DataFrame({"customer_id": [1], "event_time": [pd.Timestamp("2024-01-01")]})
    with pytest.raises(NotFound, match="No feature set named 'nope'"):
        fsvc.get_training_set(frame, ["nope:x"])
    register(fsvc)
    with pytest.raises(InvalidInput, match="not been materialised"):
        fsvc.get_training_set(frame, ["customer_stats:total_spend"])
    fsvc.materialize("customer_stats", orders_frame())
    with pytest.raises(InvalidInput, match="no feature 'nope'"):
        fsvc.get_training_set(frame, ["customer_stats:nope"])
    with pytest.raises(NotFound, match="no version 9"):
        fsvc.get_training_set(frame, ["customer_stats@v9:total_spend"])
    with pytest.raises(InvalidInput, match="feature_set:feature"):
        fsvc.get_training_set(frame, ["total_spend"])
    with pytest.raises(InvalidInput, match="no 'when' column"):
        fsvc.get_training_set(frame, ["customer_stats:total_spend"], timestamp="when")
    with pytest.raises(InvalidInput, match="has no column"):
        fsvc.get_training_set(frame.rename(columns={"customer_id": "c"}),
                              ["customer_stats:total_spend"])
    with pytest.raises(InvalidInput, match="cannot be matched"):
        fsvc.get_training_set(frame.assign(customer_id=["1"]), ["customer_stats:total_spend"])
    with pytest.raises(InvalidInput, match="full_names=True"):
        fsvc.get_training_set(frame.assign(total_spend=1.0), ["customer_stats:total_spend"])
    named = fsvc.get_training_set(frame.assign(total_spend=1.0), ["customer_stats:total_spend"],
                                  full_names=True)
    assert "customer_stats__total_spend" in named.columns


def test_search_by_name_feature_description_tag_and_owner(fsvc):
    register(fsvc, description="Money spent per customer", tags={"team": "growth"}, owner="ana")

    def clicks(events):
        return events

    register(fsvc, clicks, name="web_clicks", description="Clicks per session",
             tags={"team": "web", "pii": ""}, owner="bo")
    fsvc.materialize("customer_stats", orders_frame())

    def names(**kw):
        return [f.name for f in fsvc.search(**kw)]

    assert names(query="") == ["web_clicks", "customer_stats"]
    assert names(query="MONEY") == ["customer_stats"]
    assert names(query="total_spend") == ["customer_stats"]  # a feature's name
    assert names(query="clicks session") == ["web_clicks"]
    assert names(query="clicks money") == []
    assert names(tag="team=growth") == ["customer_stats"]
    assert names(tag="pii") == ["web_clicks"]
    assert names(query="bo") == ["web_clicks"]
    found = fsvc.search("spend")[0]
    assert found.live_version == 1 and found.freshness["row_count"] == 200


def spend_in_cents(orders: pd.DataFrame) -> pd.DataFrame:
    df = spend(orders)
    return df.assign(spend_cents=df["total_spend"] * 100)[
        ["customer_id", "event_time", "spend_cents"]]


def test_after_a_rollback_the_set_is_described_by_its_live_version(fsvc):
    """Rolling back to v1 makes v1 what unpinned references read: the set's features,
    description, tags and owner (service, search, search_features) are v1's, not the newest's."""
    orders = orders_frame()
    register(fsvc, description="Money spent per customer", tags={"team": "growth"}, owner="ana")
    register(fsvc, spend_in_cents, description="Cents spent", tags={"team": "billing"},
             owner="bo")
    fsvc.materialize("customer_stats", orders)  # v2 live
    assert fsvc.get("customer_stats").features == ["spend_cents"]
    fsvc.materialize("customer_stats", orders, version=1)  # rollback

    item = fsvc.get("customer_stats")
    assert (item.live_version, item.latest.version) == (1, 2)
    assert item.features == ["total_spend", "order_count"]
    doc = item.to_json()
    assert (doc["description"], doc["owner"], doc["tags"]) == (
        "Money spent per customer", "ana", {"team": "growth"})
    assert (doc["live_version"], doc["latest_version"]) == (1, 2)
    assert [f.name for f in fsvc.search("total_spend money")] == ["customer_stats"]
    assert fsvc.search("cents") == [] and fsvc.search(tag="team=billing") == []
    assert fsvc.search(tag="team=growth")[0].features == ["total_spend", "order_count"]

    rows = ml.search_features("spend")  # the same store, through the Python API
    assert rows["feature"].tolist() == ["customer_stats:total_spend", "customer_stats:order_count"]
    assert set(rows["description"]) == {"Money spent per customer"}
    assert set(rows["live_version"]) == {1} and set(rows["version"]) == {2}


def test_a_snapshot_source_is_loaded_and_recorded(fsvc):
    from mlops_lab.datasets.service import DatasetService

    datasets = DatasetService(fsvc.store)
    orders = orders_frame()
    orders["event_time"] = orders["event_time"].dt.strftime("%Y-%m-%dT%H:%M:%S")  # ISO text
    first = datasets.snapshot(orders, "orders", show_progress=False)
    datasets.snapshot(orders.head(50), "orders", show_progress=False)
    register(fsvc)
    m = fsvc.materialize("customer_stats", "orders@1")
    assert (m.source_kind, m.source_ref, m.source_label) == ("snapshot", first.id, "orders@1")
    assert m.row_count == len(orders)
    latest = fsvc.materialize("customer_stats", "orders")
    assert latest.source_label == "orders@2" and latest.row_count == 50
    assert fsvc.get("customer_stats").sources == ["orders@1", "orders@2"]
    assert [f.name for f in fsvc.search("orders@1")] == ["customer_stats"]
    with pytest.raises(NotFound):
        fsvc.materialize("customer_stats", "no-such-dataset@1")


def test_gc_keeps_the_offline_store_and_quick_rematerialising_serves_the_newest(fsvc):
    from mlops_lab.store.gc import collect_garbage

    register(fsvc)
    orders = orders_frame()
    made = [fsvc.materialize("customer_stats", orders.head(n)) for n in (50, 100, 150)]
    assert len({m.created_at for m in made}) == 3  # strictly increasing, even within one ms
    collect_garbage(fsvc.store, grace_seconds=0)
    assert all(fsvc.store.artifacts.exists(m.blob) for m in made)
    frame = pd.DataFrame({"customer_id": orders["customer_id"].head(150).unique()[:5],
                          "event_time": pd.Timestamp("2030-01-01")})
    train = fsvc.get_training_set(frame, ["customer_stats:order_count"])
    assert train.attrs["feature_versions"][0]["materialization_id"] == made[-1].id
    online = fsvc.get_online_features({"customer_id": frame["customer_id"].tolist()},
                                      ["customer_stats:order_count"])
    assert online["order_count"] == train["order_count"].tolist()


def test_a_busy_store_fails_cleanly_and_leaves_nothing_half_made(store_home, monkeypatch, tmp_path):
    from pathlib import Path

    from mlops_lab.errors import StoreBusy
    from mlops_lab.store import close_all, open_store

    monkeypatch.setenv("MLOPS_LAB_BUSY_TIMEOUT", "0.3")
    close_all()
    online = SqliteOnlineStore(tmp_path / "online-busy.db")
    svc = FeatureService(open_store(), online=online)
    register(svc)
    with write_lock_held(Path(svc.db.sqlite_path)):
        with pytest.raises(StoreBusy, match="store is busy"):
            svc.materialize("customer_stats", orders_frame())
        with pytest.raises(StoreBusy, match="store is busy"):
            register(svc, spend_doubled)
    assert svc.get("customer_stats").live_version is None
    assert online._connect().execute("SELECT count(*) FROM online_features").fetchone()[0] == 0
    assert svc.materialize("customer_stats", orders_frame()).version == 1  # then it works


@contextmanager
def write_lock_held(path):
    """The database's write lock, held by another connection for the block."""
    release, held = threading.Event(), threading.Event()

    def hold():
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        release.wait(30)
        conn.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join()
