"""The Monitoring tab and a monitor's view in a real JupyterLab: a model trained on a snapshot
with lineage, predictions logged the way the model server logs them, and two runs of its
monitor (one ok, one after a column shifted) stored before the lab starts. The tab lists the
monitor with its status; the view draws drift over time, puts the drifted feature first and
draws its reference against current; "Run now" adds a run. Light and dark screenshots."""

from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from lab_helpers import open_panel_tab, set_theme
from test_monitors_service import customers, log_predictions, train_champion

pytestmark = pytest.mark.ui

TIMEOUT_MS = 30_000


def champion(s):
    return train_champion(s, {"accuracy": 0.66})


def fill_store(home) -> None:
    from mlops_lab import config
    from mlops_lab.services import services_for
    from mlops_lab.store import open_store

    s = services_for(open_store(config.database_uri(home), config.artifacts_root(home)))
    version, model = champion(s)
    s.monitors.create_monitor("churn@champion", last=2000, window="1d", metric="accuracy")
    log_predictions(s, version, model, customers(2000, seed=2))
    assert s.monitors.run_monitor("churn@champion").status == "ok"
    log_predictions(s, version, model, customers(2000, seed=3, income_shift=1.0))
    assert s.monitors.run_monitor("churn@champion").status == "drift"


@pytest.fixture(scope="module")
def prepare_store():
    return fill_store


def open_monitoring_tab(page):
    return open_panel_tab(page, "Monitoring", "mlops-lab-monitoring-panel")


def test_the_tab_lists_the_monitor_with_its_status(lab, screenshot):
    set_theme(lab, "JupyterLab Light", True)
    panel = open_monitoring_tab(lab)
    rows = panel.get_by_test_id("mlops-lab-monitor-row")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    row = rows.first
    expect(row).to_contain_text("churn@champion")
    expect(row.get_by_test_id("mlops-lab-monitor-status")).to_have_text("drift")
    expect(row.get_by_test_id("mlops-lab-monitor-drifted")).to_have_text("income")
    expect(row.locator(".mlops-lab-monitor-when")).to_have_text(re.compile(r"just now|ago"))
    expect(row.get_by_test_id("mlops-lab-monitor-run-now")).to_be_enabled()
    # No alert rule, so no alert: the empty list says how to make one.
    expect(panel.get_by_test_id("mlops-lab-alerts-empty")).to_contain_text(
        'ml.create_alert_rule("income drift", "feature_drift")')
    screenshot(lab, "monitoring-01-tab-light")
    assert lab.dialogs == []


def test_the_view_draws_drift_over_time_and_the_drifted_feature_first(lab, screenshot):
    panel = open_monitoring_tab(lab)
    panel.get_by_test_id("mlops-lab-monitor-row").first.locator(".mlops-lab-monitor-open").click()
    view = lab.get_by_test_id("mlops-lab-monitor-view")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    expect(view.get_by_test_id("mlops-lab-monitor-run-count")).to_have_text("2 runs")
    facts = view.get_by_test_id("mlops-lab-monitor-facts")
    expect(facts).to_contain_text("customers@1")
    expect(facts).to_contain_text(
        "the last 2,000 predictions, within the predictions of the last 1 day")

    # One line per feature and one for the drift share, over the two runs.
    drift = view.get_by_test_id("mlops-lab-monitor-drift-over-time")
    expect(drift.locator(".scatterlayer .trace")).to_have_count(5, timeout=TIMEOUT_MS)
    expect(drift.locator(".legendtext", has_text="drift share")).to_have_count(1)

    features = view.get_by_test_id("mlops-lab-monitor-feature")
    expect(features).to_have_count(4)
    expect(features.first).to_have_attribute("data-feature", "income")
    expect(features.first).to_have_attribute("data-drifted", "true")
    expect(features.first).to_contain_text("drifted")
    assert [features.nth(i).get_attribute("data-drifted") for i in range(1, 4)] == ["false"] * 3

    # The drifted feature's histogram shows first: reference and current bars.
    picture = view.get_by_test_id("mlops-lab-monitor-comparison").get_by_test_id(
        "mlops-lab-monitor-picture")
    expect(picture).to_have_attribute("data-feature", "income")
    expect(picture.locator(".barlayer .trace")).to_have_count(2, timeout=TIMEOUT_MS)

    # Performance: estimated (no labels yet), dashed, and the training value as a line.
    performance = view.get_by_test_id("mlops-lab-monitor-performance")
    expect(performance.locator(".legendtext", has_text="estimate")).to_have_count(1,
                                                                                 timeout=TIMEOUT_MS)
    expect(performance.locator(".legendtext", has_text="training")).to_have_count(1)
    expect(view.get_by_test_id("mlops-lab-monitor-staleness")).to_contain_text("Training data age")
    expect(view.get_by_test_id("mlops-lab-monitor-prediction-drift")).to_contain_text("chi-square")
    screenshot(lab, "monitoring-02-view-light")
    picture.scroll_into_view_if_needed()
    screenshot(lab, "monitoring-03-histogram-light")
    view.evaluate("e => e.closest('.mlops-lab-main').scrollTo(0, 99999)")
    screenshot(lab, "monitoring-04-view-bottom-light")

    # Another feature's picture: category bars.
    features.filter(has_text="plan").click()
    expect(picture).to_have_attribute("data-feature", "plan")
    expect(picture.locator(".xtick", has_text="basic")).to_have_count(1, timeout=TIMEOUT_MS)
    set_theme(lab, "JupyterLab Dark", False)
    screenshot(lab, "monitoring-05-view-dark")
    set_theme(lab, "JupyterLab Light", True)
    assert lab.dialogs == []


def test_run_now_adds_a_run(lab, screenshot):
    view = lab.get_by_test_id("mlops-lab-monitor-view")
    expect(view.get_by_test_id("mlops-lab-monitor-run-count")).to_have_text("2 runs",
                                                                           timeout=TIMEOUT_MS)
    panel = open_monitoring_tab(lab)
    panel.get_by_test_id("mlops-lab-monitor-run-now").click()
    # The open view loads again on the run's answer.
    expect(view.get_by_test_id("mlops-lab-monitor-run-count")).to_have_text("3 runs",
                                                                           timeout=TIMEOUT_MS)
    expect(panel.get_by_test_id("mlops-lab-monitor-run-now")).to_have_text("Run now")
    expect(panel.get_by_test_id("mlops-lab-monitor-status")).to_have_text("drift")
    drift = view.get_by_test_id("mlops-lab-monitor-drift-over-time")
    expect(drift.locator(".scatterlayer .trace .point")).to_have_count(15, timeout=TIMEOUT_MS)

    view.get_by_test_id("mlops-lab-monitor-view-run-now").click()
    expect(view.get_by_test_id("mlops-lab-monitor-run-count")).to_have_text("4 runs",
                                                                           timeout=TIMEOUT_MS)
    screenshot(lab, "monitoring-06-after-run-now")
    assert lab.dialogs == []


def test_the_open_view_shows_a_run_stored_elsewhere(lab, isolated_lab_server):
    """A run the view was not told of (the scheduler's, a notebook's: here one through the
    REST API from outside the page) appears in the open view by its poll, with no click."""
    view = lab.get_by_test_id("mlops-lab-monitor-view")
    count = view.get_by_test_id("mlops-lab-monitor-run-count")
    expect(count).to_have_text("4 runs", timeout=TIMEOUT_MS)
    base_url, token, _ = isolated_lab_server
    request = urllib.request.Request(
        f"{base_url}/mlops-lab/api/monitors/churn%40champion/runs", method="POST",
        headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 201
    expect(count).to_have_text("5 runs", timeout=TIMEOUT_MS)


def test_new_monitor_from_the_tab_and_a_refused_one_says_why(lab, screenshot):
    panel = open_monitoring_tab(lab)
    rows = panel.get_by_test_id("mlops-lab-monitor-row")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)

    panel.get_by_test_id("mlops-lab-new-monitor").click()
    dialog = lab.locator(".jp-Dialog")
    dialog.get_by_test_id("mlops-lab-new-monitor-target").fill("churn@champion")
    dialog.get_by_test_id("mlops-lab-new-monitor-name").fill("weekly")
    dialog.get_by_test_id("mlops-lab-new-monitor-source").select_option("snapshot")
    dialog.get_by_test_id("mlops-lab-new-monitor-snapshot").fill("customers")
    dialog.get_by_test_id("mlops-lab-new-monitor-label").fill("churned")
    screenshot(lab, "monitoring-07-new-monitor")
    dialog.locator(".jp-mod-accept").click()
    expect(rows).to_have_count(2, timeout=TIMEOUT_MS)
    expect(panel.locator("[data-monitor=weekly]")).to_contain_text("never run")

    panel.get_by_test_id("mlops-lab-new-monitor").click()
    dialog.get_by_test_id("mlops-lab-new-monitor-target").fill("churn")
    dialog.locator(".jp-mod-accept").click()
    expect(panel.locator(".mlops-lab-banner")).to_contain_text("alias such as", timeout=TIMEOUT_MS)
    expect(rows).to_have_count(2)
