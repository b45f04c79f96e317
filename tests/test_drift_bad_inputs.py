"""Degenerate data gets a clear per-column status, never an exception or a false alarm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlops_lab.monitoring.drift import DriftThresholds, ReferenceProfile, detect_drift

N = 2_000


@pytest.fixture
def reference() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    colours = rng.choice(["red", "blue", "green"], N)
    return pd.DataFrame({"x": rng.normal(size=N), "colour": colours})


def test_a_column_missing_from_the_current_data(reference):
    current = reference[["colour"]].sample(frac=1.0, random_state=1)
    report = detect_drift(reference, current)
    assert report["x"].status == "column missing" and not report["x"].drifted
    assert "not in the current data" in report["x"].message
    assert report["colour"].status == "ok"


@pytest.mark.parametrize("current", [pd.DataFrame(), pd.DataFrame({"x": [], "colour": []})],
                         ids=["no columns", "no rows"])
def test_an_empty_current_frame_is_not_enough_data_everywhere(reference, current):
    report = detect_drift(reference, current)
    assert [f.status for f in report.features] == ["not enough data"] * 2
    assert report.drifted_features == [] and not report.drifted


def test_an_all_null_column_on_either_side(reference):
    rng = np.random.default_rng(2)
    ref = reference.assign(empty=np.nan)
    cur = ref.assign(x=np.nan, colour=None, empty=rng.normal(size=N))
    report = detect_drift(ref, cur)
    assert report["empty"].status == "all null" and "reference" in report["empty"].message
    assert report["x"].status == "all null" and "current" in report["x"].message
    infinite = detect_drift(ref, ref.assign(x=np.inf))["x"]
    assert infinite.status == "all null" and f"{N} are infinite" in infinite.message
    assert report["colour"].status == "all null"
    assert report["x"].missing_share_cur == 1.0
    assert report.drifted_features == []


def test_too_few_values_is_not_enough_data(reference):
    current = reference.head(20)
    report = detect_drift(reference, current)
    assert {f.status for f in report.features} == {"not enough data"}
    assert "at least 30" in report["x"].message
    fewer = DriftThresholds(min_rows=10)
    assert detect_drift(reference, current, thresholds=fewer)["x"].status == "ok"


def test_a_single_value_reference_drifts_only_when_other_values_matter():
    ref = pd.DataFrame({"flag": np.ones(N), "tier": ["gold"] * N})
    same = detect_drift(ref, ref.copy())
    assert [f.status for f in same.features] == ["single value"] * 2
    assert same.drifted_features == []
    few = ref.copy()
    few.loc[:19, "flag"] = 2.0  # 1% other values: real, but below the 10% floor
    few.loc[:19, "tier"] = "silver"
    assert detect_drift(ref, few).drifted_features == []
    many = ref.copy()
    many.loc[: N // 4, "flag"] = 0.0
    many.loc[: N // 4, "tier"] = "silver"
    report = detect_drift(ref, many)
    assert report.drifted_features == ["flag", "tier"]
    assert report["tier"].new_categories == ["silver"]
    assert report["flag"].out_of_range_share == pytest.approx(0.25, abs=0.01)


def test_a_single_value_current_against_a_spread_reference_is_drift(reference):
    report = detect_drift(reference, reference.assign(x=0.0))
    assert report["x"].status == "ok" and report["x"].drifted


def test_mixed_types_are_compared_as_text_and_said_so():
    rng = np.random.default_rng(3)
    values = rng.choice(np.array([1, 2, "two", 3.5, None], dtype=object), N)
    ref = pd.DataFrame({"code": values})
    report = detect_drift(ref, pd.DataFrame({"code": rng.permutation(values)}))
    code = report["code"]
    assert code.kind == "categorical" and code.status == "mixed types"
    assert "as text" in code.message and not code.drifted


def test_text_in_a_numeric_column_counts_as_missing_and_is_said(reference):
    current = reference.copy()
    current["x"] = current["x"].astype(object)
    current.loc[:99, "x"] = "n/a"
    feature = detect_drift(reference, current)["x"]
    assert feature.status == "mixed types"
    assert "100 current values are not numbers" in feature.message
    assert feature.missing_share_cur == pytest.approx(100 / N)
    assert not feature.drifted


def test_nan_and_inf_are_dropped_counted_and_inf_is_out_of_range(reference):
    current = reference.copy()
    current.loc[:99, "x"] = np.nan
    current.loc[100:149, "x"] = np.inf
    current.loc[150:159, "x"] = -np.inf
    feature = detect_drift(reference, current)["x"]
    assert feature.status == "ok" and not feature.drifted
    assert feature.n_current == N - 160
    assert feature.missing_share_cur == pytest.approx(160 / N)
    assert feature.out_of_range_share == pytest.approx(60 / (N - 100), abs=1e-9)
    assert np.isfinite(feature.effect_size) and np.isfinite(feature.statistic)


def test_values_beyond_the_reference_range_are_reported(reference):
    current = reference.assign(x=reference["x"] * 3)
    feature = detect_drift(ReferenceProfile.from_frame(reference), current)["x"]
    assert feature.out_of_range_share > 0.1 and feature.drifted


def test_new_categories_are_named_with_their_share(reference):
    current = reference.copy()
    current.loc[:299, "colour"] = "purple"
    current.loc[300:309, "colour"] = "<b>teal</b>"
    feature = detect_drift(reference, current)["colour"]
    assert feature.new_categories == ["purple", "<b>teal</b>"]
    assert feature.new_categories_share == pytest.approx(310 / N)
    assert feature.drifted


def test_bad_arguments_get_clear_errors(reference):
    with pytest.raises(TypeError, match="current must be a pandas DataFrame"):
        detect_drift(reference, [1, 2, 3])
    with pytest.raises(TypeError, match="reference must be a pandas DataFrame or a Reference"):
        detect_drift({"x": [1]}, reference)
    with pytest.raises(KeyError, match="not in the reference"):
        detect_drift(reference, reference, columns=["nope"])
    with pytest.raises(ValueError, match="per_feature names columns that are not compared"):
        detect_drift(reference, reference, per_feature={"nope": DriftThresholds()})
    with pytest.raises(ValueError, match="kind of column 'x'"):
        detect_drift(reference, reference, kinds={"x": "ordinal"})
    with pytest.raises(ValueError, match="holds column 'x' as numeric"):
        detect_drift(ReferenceProfile.from_frame(reference), reference, kinds={"x": "categorical"})
    with pytest.raises(ValueError, match="alpha must be between 0 and 1"):
        DriftThresholds(alpha=5)
    with pytest.raises(ValueError, match="not a reference profile"):
        ReferenceProfile.from_json({"columns": []})


def test_dates_and_durations_are_compared_as_numbers():
    start = pd.Timestamp("2026-01-01", tz="UTC")
    rng = np.random.default_rng(4)
    ref = pd.DataFrame({"when": start + pd.to_timedelta(rng.integers(0, 86_400, N), unit="s"),
                        "took": pd.to_timedelta(rng.exponential(60, N), unit="s")})
    ref.loc[:9, "when"] = pd.NaT
    same = ref.sample(frac=1.0, random_state=5)
    later = ref.assign(when=ref["when"] + pd.Timedelta(days=1))
    assert detect_drift(ref, same).drifted_features == []
    report = detect_drift(ReferenceProfile.from_frame(ref), later)
    assert report["when"].kind == "numeric" and report["when"].missing_share_cur == 10 / N
    assert report.drifted_features == ["when"] and report["when"].out_of_range_share == 1.0


def test_duplicate_column_names_are_refused_and_unhashable_values_counted_as_text(reference):
    twice = pd.concat([reference, reference[["x"]]], axis=1)
    with pytest.raises(ValueError, match=r"several columns named \['x'\]"):
        detect_drift(reference, twice)
    with pytest.raises(ValueError, match="the reference frame has several columns"):
        detect_drift(twice, reference)
    tags = pd.DataFrame({"tags": [["a"], ["b"], {"c": 1}, None] * 500})
    feature = detect_drift(tags, tags.sample(frac=1.0, random_state=6))["tags"]
    assert feature.kind == "categorical" and not feature.drifted
    assert feature.missing_share_cur == 0.25
