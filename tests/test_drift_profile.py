"""The reference profile: bins that count exactly what a binary search would, whatever the
shape of the data; rare categories pooled without calling current ones new."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlops_lab.monitoring.drift import ReferenceProfile, detect_drift
from mlops_lab.monitoring.drift import profile as profiles
from mlops_lab.monitoring.drift.profile import bin_numbers, profile_numbers
from mlops_lab.monitoring.drift.values import read_numbers

N = 200_000  # above the size from which the lookup grid is used
rng = np.random.default_rng(0)
SHAPES = {
    "normal": rng.normal(size=N),
    "lognormal": rng.lognormal(3, 1, N),
    "heavy tails": rng.standard_cauchy(N),
    "discrete": rng.poisson(3, N).astype(float),
    "rounded": np.round(rng.normal(170, 9, N), 1),
    "two values": rng.choice([0.0, 1.0], N),
    "huge range": np.r_[rng.normal(size=N - 2), -1e300, 1e300],
}


@pytest.mark.parametrize("shape", SHAPES)
def test_binning_counts_what_a_binary_search_counts(shape):
    values = SHAPES[shape]
    cuts = np.asarray(profile_numbers(read_numbers(pd.Series(values))).cuts)
    shifted = values * 1.01 + 0.3  # values between, on and beyond the cuts
    for sample in (values, shifted, np.r_[cuts, shifted[:100_000], -np.inf, np.inf]):
        expected = np.bincount(np.searchsorted(cuts, sample, side="left"), minlength=len(cuts) + 1)
        assert np.array_equal(bin_numbers(sample, cuts), expected)


def test_the_profile_keeps_exact_counts_and_summary_figures():
    values = SHAPES["lognormal"]
    profile = ReferenceProfile.from_frame(pd.DataFrame({"v": values})).columns["v"]
    assert sum(profile.counts) == N and profile.counts[-1] == 0
    assert profile.min == values.min() and profile.max == values.max()
    assert profile.mean == pytest.approx(values.mean())
    assert profile.std == pytest.approx(values.std())
    assert len(profile.cuts) == 1001 and profile.cuts == sorted(profile.cuts)


def test_rare_categories_beyond_the_limit_are_pooled_and_not_called_new(monkeypatch):
    monkeypatch.setattr(profiles, "MAX_CATEGORIES", 5)
    names = [f"k{i}" for i in range(12)]
    shares = np.r_[[0.15] * 5, [0.25 / 7] * 7]
    reference = pd.DataFrame({"k": np.random.default_rng(1).choice(names, 20_000, p=shares)})
    current = pd.DataFrame({"k": np.random.default_rng(2).choice(names, 20_000, p=shares)})
    profile = ReferenceProfile.from_frame(reference)
    assert len(profile.columns["k"].counts) == 5 and profile.columns["k"].other > 0
    feature = detect_drift(profile, current)["k"]
    assert feature.new_categories == [] and not feature.drifted
    assert "(other)" in feature.picture["categories"]


def test_columns_the_reference_lacks_are_left_out_and_names_need_not_be_text():
    reference = pd.DataFrame({0: np.arange(100.0), 1: ["a", "b"] * 50})
    current = reference.assign(extra=1.0)
    report = detect_drift(reference, current, columns=[0, 1])
    assert [f.name for f in report.features] == ["0", "1"]
    assert report.drifted_features == [] and {f.status for f in report.features} == {"ok"}
    stored = ReferenceProfile.from_frame(reference)
    assert [f.name for f in detect_drift(stored, current).features] == ["0", "1"]
