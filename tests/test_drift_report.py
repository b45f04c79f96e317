"""The drift report as data (JSON, a frame), as pictures (plotly) and in a notebook (HTML)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from mlops_lab.monitoring.drift import (DriftReport, DriftThresholds, FeatureDrift,
                                        ReferenceProfile, detect_drift)

N = 5_000


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)

    def frame(shift: float, shares: list[float]) -> pd.DataFrame:
        return pd.DataFrame({
            "amount": rng.gamma(2, 10, N) + shift,
            "<img src=x onerror=alert(1)>": rng.normal(size=N),
            "kind": rng.choice(["card", "cash", "wire"], N, p=shares),
            "missing": np.nan,
        })

    reference = frame(0.0, [0.5, 0.3, 0.2])
    current = frame(5.0, [0.3, 0.3, 0.4])
    current.loc[:9, "kind"] = "crypto"
    return reference, current


@pytest.fixture(scope="module")
def report(frames) -> DriftReport:
    return detect_drift(*frames)


def test_the_verdict_counts_drifted_columns_against_the_dataset_share(report):
    assert report.drifted_features == ["amount", "kind"]
    assert report.drift_share == 0.5 and report.drifted  # the default share is 0.5
    assert not DriftReport(report.features, DriftThresholds(dataset_share=0.6)).drifted


def test_json_round_trip_gives_an_equal_report(report):
    text = json.dumps(report.to_json(), allow_nan=False)  # strict JSON: no NaN or Infinity
    again = DriftReport.from_json(json.loads(text))
    assert again == report
    assert again.drifted_features == report.drifted_features
    assert json.loads(text)["drifted"] is True


def test_a_profile_round_trips_through_json(frames):
    profile = ReferenceProfile.from_frame(frames[0])
    again = ReferenceProfile.from_json(json.loads(json.dumps(profile.to_json(), allow_nan=False)))
    assert again == profile
    assert again.kinds == {"amount": "numeric", "<img src=x onerror=alert(1)>": "numeric",
                           "kind": "categorical", "missing": "numeric"}


def test_to_frame_has_one_row_per_column(report):
    frame = report.to_frame()
    assert list(frame["name"]) == [f.name for f in report.features]
    for column in ("name", "kind", "method", "statistic", "p_value", "p_value_adjusted",
                   "effect_size", "effect_method", "threshold", "drifted", "status", "message",
                   "n_reference", "n_current", "missing_share_ref", "missing_share_cur",
                   "new_categories", "new_categories_share", "out_of_range_share", "psi"):
        assert column in frame.columns
    assert "picture" not in frame.columns
    assert frame.set_index("name").loc["missing", "status"] == "all null"


@pytest.mark.parametrize("column", ["amount", "kind"])
def test_a_column_figure_draws_reference_and_current(report, column):
    figure = report.figure(column)
    assert isinstance(figure, go.Figure)
    assert [trace.name for trace in figure.data] == ["reference", "current"]
    assert sum(figure.data[0].y) == pytest.approx(1.0, abs=0.01)
    assert "drifted" in figure.layout.title.text


def test_the_category_figure_shows_the_new_category(report):
    assert "crypto" in report.figure("kind").data[1].x


def test_an_untested_column_still_gets_a_figure_that_says_why(report):
    figure = report.figure("missing")
    assert len(figure.data) == 2 and "missing" in figure.layout.title.text
    with pytest.raises(KeyError, match="no column 'nope'"):
        report.figure("nope")


def test_the_summary_figure_shows_effect_sizes_against_thresholds(report):
    figure = report.summary_figure()
    bars, thresholds = figure.data
    assert list(bars.x) == [f.name for f in report.features]
    assert list(thresholds.y) == [f.threshold for f in report.features]
    colours = dict(zip(bars.x, bars.marker.color))
    assert colours["amount"] != colours["<img src=x onerror=alert(1)>"]


def test_notebooks_render_the_verdict_and_an_escaped_table(report):
    html = report._repr_html_()
    assert "Dataset drift detected" in html and "<table>" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    bundle = report._repr_mimebundle_()
    assert bundle["text/html"] == html and "2 of 4 columns drifted" in bundle["text/plain"]


def test_feature_drift_round_trips_alone(report):
    feature = report["kind"]
    assert FeatureDrift.from_json(json.loads(json.dumps(feature.to_json()))) == feature
    assert feature.new_categories == ["crypto"]
