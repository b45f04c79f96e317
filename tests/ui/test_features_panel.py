"""The Features tab and a feature set's view in a real JupyterLab: search finds feature sets by
tag and words, the view shows the definition's source, versions, freshness, time to live as written and the
runs that read it; names stay text.
Light and dark screenshots."""

from __future__ import annotations

import pandas as pd
import pytest
from playwright.sync_api import expect

from lab_helpers import open_panel_tab, set_theme

pytestmark = pytest.mark.ui

EVIL = "<img src=x onerror=alert(1)> clicks"
TIMEOUT_MS = 30_000
T0 = pd.Timestamp("2024-03-01")


def customer_stats(orders: pd.DataFrame) -> pd.DataFrame:
    """Spend per customer so far."""
    df = orders.sort_values("event_time").copy()
    df["total_spend"] = df.groupby("customer_id")["amount"].cumsum()
    df["order_count"] = df.groupby("customer_id").cumcount() + 1
    return df[["customer_id", "event_time", "total_spend", "order_count"]]


def customer_stats_v2(orders: pd.DataFrame) -> pd.DataFrame:
    df = customer_stats(orders)
    df["mean_spend"] = df["total_spend"] / df["order_count"]
    return df


def clicks(events: pd.DataFrame) -> pd.DataFrame:
    return events


@pytest.fixture(scope="module")
def feature_sets(isolated_lab_server):
    """Feature sets written into the server's store (its `.mlops-lab`)."""
    from mlops_lab.features.online import SqliteOnlineStore
    from mlops_lab.features.service import FeatureService
    from mlops_lab.store import open_store

    _, _, root = isolated_lab_server
    home = root / ".mlops-lab"
    store = open_store(f"sqlite:///{home / 'mlops.db'}", str(home / "artifacts"))
    svc = FeatureService(store, online=SqliteOnlineStore(home / "online.db"))
    orders = pd.DataFrame({"customer_id": [i % 20 for i in range(200)],
                           "event_time": [T0 + pd.Timedelta(hours=i) for i in range(200)],
                           "amount": [float(i % 7) for i in range(200)]})
    svc.register("customer_stats", customer_stats, entity="customer_id",
                 timestamp="event_time", description="Spend per customer so far",
                 tags={"team": "growth"}, owner="ana")
    svc.register("customer_stats", customer_stats_v2, entity="customer_id",
                 timestamp="event_time", description="Spend per customer so far",
                 tags={"team": "growth"}, owner="ana", ttl="90d")
    svc.materialize("customer_stats", orders)
    # A run that reads it: a training set made inside a tracked run.
    tracking = svc.tracking
    reader = tracking.create_run(tracking.get_or_create_experiment("churn").id,
                                 name="train churn")
    svc.get_training_set(pd.DataFrame({"customer_id": [1, 2], "event_time": [T0, T0]}),
                         ["customer_stats:total_spend"], run_id=reader.id)
    svc.register(EVIL, clicks, entity="session_id", timestamp="event_time",
                 description="<b>not bold</b>", tags={"team": "web"})
    return svc


@pytest.fixture(scope="module")
def lab(isolated_lab_server, lab_page, feature_sets):
    base_url, token, _ = isolated_lab_server
    with lab_page(base_url, token) as page:
        yield page


def open_features_tab(page):
    return open_panel_tab(page, "Features", "mlops-lab-features-panel")


def test_search_and_feature_set_view(lab, screenshot):
    set_theme(lab, "JupyterLab Light", True)
    panel = open_features_tab(lab)
    rows = panel.get_by_test_id("mlops-lab-feature-set-row")
    expect(rows).to_have_count(2, timeout=TIMEOUT_MS)
    query = panel.get_by_test_id("mlops-lab-features-query")
    query.fill("team=growth spend")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    expect(rows.first).to_contain_text("customer_stats")
    expect(rows.first).to_contain_text("v2 live")
    expect(rows.first).to_contain_text("3 features")
    query.fill("mean_spend")  # a feature's name
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    query.fill("nothing like this")
    expect(panel.get_by_test_id("mlops-lab-features-empty")).to_be_visible(timeout=TIMEOUT_MS)
    query.fill("growth")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    screenshot(lab, "features-01-search")

    rows.first.click()
    view = lab.get_by_test_id("mlops-lab-feature-set-view")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    expect(view.locator("h2")).to_have_text("Feature set customer_stats")
    expect(view.get_by_test_id("mlops-lab-feature-rows")).to_have_text("200")
    expect(view.get_by_test_id("mlops-lab-feature-freshness")).to_contain_text("Newest event time")
    expect(view.get_by_test_id("mlops-lab-feature-version-row")).to_have_count(2)
    source = view.get_by_test_id("mlops-lab-feature-source")
    expect(source).to_contain_text("def customer_stats_v2(orders: pd.DataFrame)")
    expect(view.get_by_test_id("mlops-lab-feature-ttl")).to_have_text("Time to live: 90D")
    reader = view.get_by_test_id("mlops-lab-feature-reader")
    expect(reader).to_have_count(1)
    expect(reader).to_contain_text("train churn")
    expect(reader).to_contain_text("read v2 · RUNNING")
    screenshot(lab, "features-02-view-light")

    # An older version's source, one click away.
    view.get_by_test_id("mlops-lab-feature-version-row").nth(1).get_by_role(
        "button", name="v1").click()
    expect(source).to_contain_text('"""Spend per customer so far."""')
    expect(view).to_contain_text("Known once this version is materialised")

    set_theme(lab, "JupyterLab Dark", False)
    view.get_by_test_id("mlops-lab-feature-version-row").first.get_by_role(
        "button", name="v2").click()
    expect(source).to_contain_text("mean_spend")
    screenshot(lab, "features-03-view-dark")
    set_theme(lab, "JupyterLab Light", True)

    # A reader opens as a run.
    reader.get_by_role("button", name="train churn").click()
    expect(lab.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")).to_contain_text(
        "Run train churn", timeout=TIMEOUT_MS)


def test_names_and_descriptions_are_text(lab, screenshot):
    panel = open_features_tab(lab)
    query = panel.get_by_test_id("mlops-lab-features-query")
    query.fill("onerror")
    rows = panel.get_by_test_id("mlops-lab-feature-set-row")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    expect(rows.first.locator(".mlops-lab-feature-set-name")).to_have_text(EVIL)
    expect(rows.first).to_contain_text("not materialised")
    rows.first.click()
    view = lab.locator("[data-testid=mlops-lab-feature-set-view]:visible")
    expect(view.locator("h2")).to_have_text(f"Feature set {EVIL}", timeout=TIMEOUT_MS)
    expect(view).to_contain_text("<b>not bold</b>")
    expect(view.get_by_test_id("mlops-lab-feature-freshness")).to_contain_text("Not materialised")
    expect(lab.locator("#jp-main-dock-panel img[src=x]")).to_have_count(0)
    screenshot(lab, "features-04-hostile-name")
    assert lab.dialogs == []
