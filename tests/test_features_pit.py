"""Training sets are point-in-time correct: compared with a brute-force join on random small
data (ties, missing entities and times, TTL expiry, unsorted input, duplicate rows, two sets
with different keys), and never a value from the future."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlops_lab.features.service import FeatureService

DAY = pd.Timedelta(days=1)
T0 = pd.Timestamp("2024-03-01")


def identity(frame):
    return frame


@pytest.fixture
def fsvc(store_home):
    from mlops_lab.store import open_store

    return FeatureService(open_store())


def random_features(rng, keys, rows):
    frame = pd.DataFrame({
        "customer_id": rng.integers(0, 5, rows),
        "event_time": T0 + rng.integers(0, 10, rows) * DAY,  # few distinct times: many ties
    })
    if "region" in keys:
        frame["region"] = rng.choice(["north", "south"], rows)
    frame["row_id"] = np.arange(rows, dtype=np.int64)  # which emitted row a value came from
    frame["feature_time"] = frame["event_time"]
    return frame


def random_entities(rng, rows):
    frame = pd.DataFrame({
        "customer_id": rng.integers(0, 7, rows),  # 5 and 6 never have features
        "region": rng.choice(["north", "south", "west"], rows),
        "event_time": T0 + rng.integers(-1, 12, rows) * DAY
        + pd.to_timedelta(rng.choice([0, 6], rows), "h"),
    })
    frame.loc[rng.random(rows) < 0.1, "event_time"] = pd.NaT
    frame.index = rng.permutation(rows) * 10 + 3  # an index that is neither sorted nor 0..n
    return frame


def brute_force(entities, features, keys, ttl):
    """For each entity row: the row id of the newest emitted row of its key at or before its
    time (within ttl); among rows with that same time, the one emitted last."""
    out = []
    for _, row in entities.iterrows():
        t = row["event_time"]
        if pd.isna(t):
            out.append(np.nan)
            continue
        match = features
        for k in keys:
            match = match[match[k] == row[k]]
        match = match[match["event_time"] <= t]
        if ttl is not None:
            match = match[match["event_time"] >= t - ttl]
        if match.empty:
            out.append(np.nan)
            continue
        newest = match[match["event_time"] == match["event_time"].max()]
        out.append(float(newest["row_id"].iloc[-1]))
    return np.array(out, dtype=float)


@pytest.mark.parametrize("seed", range(40))
def test_training_set_matches_a_brute_force_join(fsvc, seed):
    rng = np.random.default_rng(seed)
    ttl_a = [None, 2 * DAY, 0.5 * DAY][seed % 3]
    sets = {}
    for name, keys, ttl in [(f"a{seed}", ["customer_id"], ttl_a),
                            (f"b{seed}", ["customer_id", "region"], None)]:
        frame = random_features(rng, keys, int(rng.integers(0, 40)) if seed % 7 else 1)
        frame = frame[[*keys, "event_time", "row_id", "feature_time"]]
        fsvc.register(name, identity, entity=keys, timestamp="event_time",
                      ttl=None if ttl is None else ttl.to_pytimedelta())
        fsvc.materialize(name, frame)
        sets[name] = (frame, keys, ttl)
    entities = random_entities(rng, int(rng.integers(1, 30)))
    names = list(sets)
    result = fsvc.get_training_set(
        entities, [f"{names[0]}:row_id", f"{names[0]}:feature_time", f"{names[1]}:row_id"],
        full_names=True)

    # The entity frame comes back as it was: same rows, order, index and columns first.
    pd.testing.assert_frame_equal(result[list(entities.columns)], entities)
    for name, (frame, keys, ttl) in sets.items():
        expected = brute_force(entities, frame, keys, ttl)
        got = result[f"{name}__row_id"].to_numpy(dtype=float)
        np.testing.assert_array_equal(got, expected, err_msg=f"{name} seed {seed}")
    # Never a value from the future.
    seen = result[f"{names[0]}__feature_time"]
    has = seen.notna()
    assert (seen[has] <= entities["event_time"][has]).all()


def test_ties_ttl_and_time_zones(fsvc):
    features = pd.DataFrame({
        "customer_id": [1, 1, 1, 2],
        "event_time": [T0, T0 + DAY, T0 + DAY, T0],
        "spend": [10.0, 20.0, 21.0, 5.0],  # two rows at one time: the later one wins
    })
    fsvc.register("ties", identity, entity="customer_id", timestamp="event_time", ttl="1d")
    fsvc.materialize("ties", features)
    entities = pd.DataFrame({
        "customer_id": [1, 1, 1, 2, 2, 3],
        "event_time": [T0 - pd.Timedelta("1ns"), T0, T0 + DAY, T0 + DAY, T0 + DAY + pd.Timedelta("1ns"), T0],
    })
    got = fsvc.get_training_set(entities, ["ties:spend"])["spend"].tolist()
    # just before: nothing; exactly at: that value; TTL inclusive at 1 day, expired just after.
    assert got[:4] == [pytest.approx(np.nan, nan_ok=True), 10.0, 21.0, 5.0]
    assert np.isnan(got[4]) and np.isnan(got[5])
    # A time-zone-aware entity frame is compared in UTC with naive (UTC) feature times.
    aware = entities.assign(event_time=entities["event_time"].dt.tz_localize("UTC")
                            .dt.tz_convert("America/New_York"))
    assert fsvc.get_training_set(aware, ["ties:spend"])["spend"].tolist()[1:4] == [10.0, 21.0, 5.0]


def test_integer_features_with_gaps_become_missing_values(fsvc):
    features = pd.DataFrame({"customer_id": [1], "event_time": [T0], "count": [3]})
    fsvc.register("counts", identity, entity="customer_id", timestamp="event_time")
    fsvc.materialize("counts", features)
    entities = pd.DataFrame({"customer_id": [1, 9], "event_time": [T0, T0]})
    assert fsvc.get_training_set(entities, ["counts:count"])["count"].iloc[1] != 3
    full = pd.DataFrame({"customer_id": [1, 1], "event_time": [T0, T0 + DAY]})
    result = fsvc.get_training_set(full, ["counts:count"])
    assert result["count"].tolist() == [3, 3]


def test_entity_keys_of_another_numeric_type_or_missing(fsvc):
    features = pd.DataFrame({"customer_id": [1, 2], "event_time": [T0, T0], "spend": [1.0, 2.0]})
    fsvc.register("keys", identity, entity="customer_id", timestamp="event_time")
    fsvc.materialize("keys", features)
    at = [T0 + DAY] * 3
    floats = pd.DataFrame({"customer_id": [2.0, np.nan, 1.0], "event_time": at})
    assert fsvc.get_training_set(floats, ["keys:spend"])["spend"].tolist()[::2] == [2.0, 1.0]
    nullable = pd.DataFrame({"customer_id": pd.array([2, None, 1], dtype="Int64"), "event_time": at})
    got = fsvc.get_training_set(nullable, ["keys:spend"])["spend"]
    assert got.iloc[0] == 2.0 and np.isnan(got.iloc[1]) and got.iloc[2] == 1.0
    narrow = pd.DataFrame({"customer_id": np.array([2, 1, 3], dtype="int32"), "event_time": at})
    assert fsvc.get_training_set(narrow, ["keys:spend"])["spend"].tolist()[:2] == [2.0, 1.0]
    from mlops_lab.errors import InvalidInput

    with pytest.raises(InvalidInput, match="same type"):
        fsvc.get_training_set(floats.assign(customer_id=[1.5, 2.0, 3.0]), ["keys:spend"])
