"""Online lookups on both online stores (SQLite by default; the machine's Redis), and the API in a
notebook's shape: the decorator, materialise, training set inside a run (lineage), online."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import pytest

import mlops_lab as ml
from mlops_lab.errors import InvalidInput
from mlops_lab.features.online import RedisOnlineStore, SqliteOnlineStore
from mlops_lab.features.service import FeatureService

REDIS_URL = "redis://127.0.0.1:6379/0"
T0 = pd.Timestamp("2024-03-01")


def redis_store(prefix):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc})")
    return RedisOnlineStore(REDIS_URL, prefix=prefix)


@pytest.fixture(params=["sqlite", "redis"])
def online(request, tmp_path):
    if request.param == "sqlite":
        store = SqliteOnlineStore(tmp_path / "online.db")
        yield store
        store.close()
        return
    prefix = f"mlops-lab-test-{uuid.uuid4().hex}"
    store = redis_store(prefix)
    yield store
    keys = list(store.client.scan_iter(match=f"{prefix}:*"))  # only this test's keys
    if keys:
        store.client.delete(*keys)
    store.close()


@pytest.fixture
def fsvc(store_home, online):
    from mlops_lab.store import open_store

    return FeatureService(open_store(), online=online)


def wide(frame):
    return frame


def features_frame(n_customers=50, days=3):
    rows = []
    for day in range(days):
        for c in range(n_customers):
            rows.append({"customer_id": c, "event_time": T0 + pd.Timedelta(days=day),
                         **{f"f{i}": float(c * 100 + day * 10 + i) for i in range(10)},
                         "segment": f"s{c % 3}", "active": bool(c % 2)})
    return pd.DataFrame(rows)


def test_online_lookup_gives_each_entity_its_newest_values(fsvc):
    fsvc.register("wide", wide, entity="customer_id", timestamp="event_time")
    fsvc.materialize("wide", features_frame())
    names = [f"wide:f{i}" for i in range(10)]
    got = fsvc.get_online_features({"customer_id": [7, 999, 3]}, names + ["wide:segment",
                                                                        "wide:active"])
    assert got["customer_id"] == [7, 999, 3]
    assert got["f0"] == [720.0, None, 320.0] and got["f9"] == [729.0, None, 329.0]
    assert got["segment"] == ["s1", None, "s0"] and got["active"] == [True, None, True]
    one = fsvc.get_online_features({"customer_id": 7}, ["wide:*"])
    assert set(one) == {"customer_id", *(f"f{i}" for i in range(10)), "segment", "active"}
    # numpy and float spellings of a key find the same entity.
    assert fsvc.get_online_features({"customer_id": [np.int64(7), 7.0]}, ["wide:f1"])["f1"] == \
        [721.0, 721.0]
    assert fsvc.get_online_features(pd.DataFrame({"customer_id": [7]}), ["wide:f1"])["f1"] == [721.0]


def test_a_new_materialisation_replaces_the_old_rows(fsvc, online):
    fsvc.register("wide", wide, entity="customer_id", timestamp="event_time")
    first = fsvc.materialize("wide", features_frame(n_customers=5))
    second = fsvc.materialize("wide", features_frame(n_customers=3, days=1))
    got = fsvc.get_online_features({"customer_id": [1, 4]}, ["wide:f0"])
    assert got["f0"] == [100.0, None]  # customer 4 is not in the newest materialisation
    assert online.read(first.id, [b"\x91\x01"]) == [None]  # the older one's rows are gone
    assert online.read(second.id, [b"\x91\x01"])[0]["f0"] == 100.0


def test_multi_column_keys_do_not_collide(fsvc):
    frame = pd.DataFrame({"a": ["x:y", "x"], "b": ["z", "y:z"], "event_time": [T0, T0],
                          "v": [1, 2]})
    fsvc.register("pairs", wide, entity=["a", "b"], timestamp="event_time")
    fsvc.materialize("pairs", frame)
    got = fsvc.get_online_features({"a": ["x:y", "x", "x"], "b": ["z", "y:z", "y"]}, ["pairs:v"])
    assert got["v"] == [1, 2, None]
    with pytest.raises(InvalidInput, match="give values for"):
        fsvc.get_online_features({"a": ["x"]}, ["pairs:v"])
    with pytest.raises(InvalidInput, match="same number"):
        fsvc.get_online_features({"a": ["x"], "b": []}, ["pairs:v"])


def test_redis_keys_hold_no_user_text(store_home):
    from mlops_lab.store import open_store

    prefix = f"mlops-lab-test-{uuid.uuid4().hex}"
    online = redis_store(prefix)
    try:
        fsvc = FeatureService(open_store(), online=online)
        name = "../*evil* {x}:\u202e"
        frame = pd.DataFrame({"customer_id": ["*", "a:b:c"], "event_time": [T0, T0], "v": [1, 2]})
        fsvc.register(name.replace(":", "_"), wide, entity="customer_id", timestamp="event_time")
        m = fsvc.materialize(name.replace(":", "_"), frame)
        keys = sorted(k.decode() for k in online.client.scan_iter(match=f"{prefix}:*"))
        assert len(keys) == 2
        for key in keys:
            head, mid, digest = key.rsplit(":", 2)
            assert head == prefix and mid == m.id and len(digest) == 64 and digest.isalnum()
        assert fsvc.get_online_features({"customer_id": ["*", "a:b:c"]},
                                        [f"{name.replace(':', '_')}:v"])["v"] == [1, 2]
    finally:
        keys = list(online.client.scan_iter(match=f"{prefix}:*"))
        if keys:
            online.client.delete(*keys)
        online.close()


def test_the_online_store_is_chosen_by_the_environment(store_home, monkeypatch):
    from mlops_lab.features.online import open_online_store
    from mlops_lab.store import open_store

    store = open_store()
    assert isinstance(open_online_store(store), SqliteOnlineStore)
    assert open_online_store(store).path == str(store_home / "online.db")
    monkeypatch.setenv("MLOPS_LAB_ONLINE_STORE", REDIS_URL)
    assert isinstance(open_online_store(store), RedisOnlineStore)
    monkeypatch.setenv("MLOPS_LAB_ONLINE_STORE", "http://169.254.169.254/")
    with pytest.raises(InvalidInput, match="redis://"):
        open_online_store(store)


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_notebook_api_with_lineage(store_home, monkeypatch, backend):
    prefix = f"mlops-lab-test-{uuid.uuid4().hex}"
    if backend == "redis":
        redis_store(prefix).close()
        monkeypatch.setenv("MLOPS_LAB_ONLINE_STORE", REDIS_URL)
        monkeypatch.setenv("MLOPS_LAB_ONLINE_PREFIX", prefix)
    rng = np.random.default_rng(1)
    orders = pd.DataFrame({"customer_id": rng.integers(0, 10, 100),
                           "event_time": T0 + pd.to_timedelta(rng.integers(0, 864000, 100), "s"),
                           "amount": rng.random(100) * 50})

    @ml.feature_set("customer_stats", entity="customer_id", timestamp="event_time",
                    description="Spend so far", tags={"team": "growth"})
    def customer_stats(orders: pd.DataFrame) -> pd.DataFrame:
        df = orders.sort_values("event_time").copy()
        df["total_spend"] = df.groupby("customer_id")["amount"].cumsum()
        return df[["customer_id", "event_time", "total_spend"]]

    try:
        with ml.start_run("train") as run:
            m = ml.materialize("customer_stats", source=orders)
            entity_df = pd.DataFrame({"customer_id": [1, 2], "event_time": [T0 + pd.Timedelta(days=20)] * 2})
            train = ml.get_training_set(entity_df, features=["customer_stats:total_spend"])
        assert m.online_store == backend and m.run_id == run.id
        used = train.attrs["feature_versions"]
        assert used == [{"feature_set": "customer_stats", "version": 1,
                         "version_id": customer_stats.version.id, "materialization_id": m.id,
                         "features": ["total_spend"]}]
        links = _links(run.id)
        assert ("input", "feature_set", customer_stats.version.id, "customer_stats@v1") in links
        assert ("output", "feature_set", customer_stats.version.id, "customer_stats@v1") in links
        online = ml.get_online_features({"customer_id": [1, 2]}, ["customer_stats:total_spend"])
        assert online["total_spend"] == pytest.approx(train["total_spend"].tolist())
        found = ml.search_features("growth")
        assert found["feature"].tolist() == ["customer_stats:total_spend"]
    finally:
        if backend == "redis":
            client = redis_store(prefix)
            keys = list(client.client.scan_iter(match=f"{prefix}:*"))
            if keys:
                client.client.delete(*keys)
            client.close()


def _links(run_id):
    from mlops_lab.store import open_store
    from mlops_lab.tracking.service import TrackingService

    return [(link.direction, link.kind, link.ref, link.label)
            for link in TrackingService(open_store()).run_links(run_id)]
