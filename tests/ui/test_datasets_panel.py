"""The Data tab and a snapshot's view in a real JupyterLab: datasets listed and searched, a
version's profile charts, a diff of two versions, the runs that read or made it (and back from
the run view's inputs and outputs), names and cell values shown as text. Light and dark
screenshots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

from lab_helpers import open_panel_tab, set_theme

pytestmark = pytest.mark.ui

EVIL = "<img src=x onerror=alert(1)>"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def snapshots(isolated_lab_server):
    """Snapshots written into the server's store, one read and one made by a run."""
    from mlops_lab.datasets.service import DatasetService
    from mlops_lab.store import open_store
    from mlops_lab.tracking.service import TrackingService

    _, _, root = isolated_lab_server
    home = root / ".mlops-lab"
    store = open_store(f"sqlite:///{home / 'mlops.db'}", str(home / "artifacts"))
    ds, tracking = DatasetService(store), TrackingService(store)
    rng = np.random.default_rng(0)
    v1 = pd.DataFrame({"id": np.arange(200), "amount": rng.gamma(2.0, 10.0, 200),
                       "city": rng.choice(["Lyon", "Porto", "Oslo"], 200)})
    v2 = v1.copy()
    v2.loc[5, "amount"] = 999.0
    v2 = pd.concat([v2.drop(index=[0]), pd.DataFrame({"id": [500], "amount": [1.0],
                                                       "city": ["Kyiv"]})], ignore_index=True)
    v2["segment"] = "b2c"
    ds.add_rule("orders", "amount", max=500)
    first = ds.snapshot(v1, "orders", show_progress=False)
    experiment = tracking.get_or_create_experiment("data")
    run = tracking.create_run(experiment.id, name="clean-orders")
    ds.load("orders@1", run_id=run.id)
    second = ds.snapshot(v2, "orders", show_progress=False, run_id=run.id)
    tracking.end_run(run.id)
    ds.snapshot(pd.DataFrame({"note": [EVIL, "plain"], "n": [1, 2]}), EVIL, show_progress=False)
    return {"v1": first, "v2": second, "run": run}


@pytest.fixture(scope="module")
def lab(isolated_lab_server, lab_page, snapshots):
    base_url, token, _ = isolated_lab_server
    with lab_page(base_url, token) as page:
        yield page


def open_data_tab(page):
    return open_panel_tab(page, "Data", "mlops-lab-data-panel")


def test_data_tab_snapshot_profile_and_diff(lab, snapshots, screenshot):
    set_theme(lab, "JupyterLab Light", True)
    panel = open_data_tab(lab)
    rows = panel.get_by_test_id("mlops-lab-data-row")
    expect(rows).to_have_count(2, timeout=TIMEOUT_MS)
    panel.get_by_test_id("mlops-lab-data-query").fill("ORD")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    expect(rows.first).to_contain_text("orders")
    expect(rows.first).to_contain_text("v2")
    # Its newest snapshot broke a rule: the row says so before it is opened.
    expect(rows.first.get_by_test_id("mlops-lab-data-latest-invalid")).to_have_text(
        "latest invalid")
    rows.first.click()
    versions = panel.get_by_test_id("mlops-lab-data-version")
    expect(versions).to_have_count(2, timeout=TIMEOUT_MS)
    expect(versions.first).to_contain_text("invalid")  # v2 breaks the amount <= 500 rule
    screenshot(lab, "datasets-01-data-tab")

    versions.first.click()
    view = lab.get_by_test_id("mlops-lab-snapshot-view")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    expect(view.locator("h2")).to_have_text("orders@2")
    expect(view.get_by_test_id("mlops-lab-snapshot-validation")).to_contain_text(
        "outside [-inf, 500]")
    table = view.get_by_test_id("mlops-lab-profile-table")
    expect(table.locator("tbody tr")).to_have_count(4)
    charts = view.get_by_test_id("mlops-lab-profile-charts").locator(".main-svg")
    expect(charts.first).to_be_visible(timeout=TIMEOUT_MS)  # plotly drew the histograms
    assert view.locator(".mlops-lab-profile-chart").count() == 4

    view.get_by_test_id("mlops-lab-diff-key").select_option("id")
    view.get_by_test_id("mlops-lab-diff-run").click()
    summary = view.get_by_test_id("mlops-lab-diff-summary")
    expect(summary).to_contain_text("+1 added", timeout=TIMEOUT_MS)
    expect(summary).to_contain_text("−1 removed")
    expect(summary).to_contain_text("1 changed")
    expect(view.get_by_test_id("mlops-lab-diff-schema")).to_contain_text("segment")
    view.get_by_test_id("mlops-lab-snapshot-profile").scroll_into_view_if_needed()
    screenshot(lab, "datasets-02-snapshot-light")
    view.get_by_test_id("mlops-lab-diff").scroll_into_view_if_needed()
    screenshot(lab, "datasets-03-diff-light")

    set_theme(lab, "JupyterLab Dark", False)
    view.get_by_test_id("mlops-lab-snapshot-profile").scroll_into_view_if_needed()
    expect(charts.first).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(lab, "datasets-04-snapshot-dark")
    view.get_by_test_id("mlops-lab-diff").scroll_into_view_if_needed()
    screenshot(lab, "datasets-05-diff-dark")
    set_theme(lab, "JupyterLab Light", True)


def test_lineage_opens_the_run_and_its_inputs_open_the_snapshot(lab, snapshots, screenshot):
    view = lab.locator("[data-testid=mlops-lab-snapshot-view]:visible")
    lineage = view.get_by_test_id("mlops-lab-snapshot-lineage")
    expect(lineage).to_contain_text("made by", timeout=TIMEOUT_MS)
    lineage.get_by_test_id("mlops-lab-lineage-run").click()
    run_view = lab.locator("[data-testid=mlops-lab-run-view]:visible")
    expect(run_view.locator("h2")).to_have_text("clean-orders", timeout=TIMEOUT_MS)
    links = run_view.get_by_test_id("mlops-lab-run-links")
    expect(links).to_contain_text("orders@1")
    expect(links).to_contain_text("orders@2")
    links.scroll_into_view_if_needed()
    screenshot(lab, "datasets-06-run-inputs-outputs")
    links.get_by_test_id("mlops-lab-run-link-snapshot").filter(has_text="orders@1").click()
    opened = lab.locator("[data-testid=mlops-lab-snapshot-view]:visible")
    expect(opened.locator("h2")).to_have_text("orders@1", timeout=TIMEOUT_MS)
    expect(opened.get_by_test_id("mlops-lab-snapshot-validity")).to_have_text("valid")


def test_names_and_cell_values_are_text(lab, snapshots, screenshot):
    panel = open_data_tab(lab)
    panel.get_by_test_id("mlops-lab-data-query").fill("onerror")
    rows = panel.get_by_test_id("mlops-lab-data-row")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    expect(rows.first.locator(".mlops-lab-data-name")).to_have_text(EVIL)
    rows.first.click()
    panel.get_by_test_id("mlops-lab-data-version").first.click()
    view = lab.locator("[data-testid=mlops-lab-snapshot-view]:visible")
    expect(view.locator("h2")).to_have_text(f"{EVIL}@1", timeout=TIMEOUT_MS)
    charts = view.get_by_test_id("mlops-lab-profile-charts").locator(".main-svg")
    expect(charts.first).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(lab, "datasets-07-names-are-text")
    assert lab.locator("img[src=x]").count() == 0
    assert lab.dialogs == []
