"""The alerts of the Monitoring tab in a real JupyterLab: a monitor whose run found a drifted
feature under a feature-drift rule has an open alert; the tab's title counts it; Acknowledge
with a note moves it to acknowledged, on the server's answer. The alert went to two webhooks:
one delivered, one to a receiver that is down, which the tab shows as failing with its error;
"Send test" sends a test event and says what came back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lab_helpers import open_panel_tab
from test_monitoring_panel import champion, customers, log_predictions
from webhook_receivers import Receiver, free_port

pytestmark = pytest.mark.ui

TIMEOUT_MS = 30_000
NOTE = "looking into the <b>income</b> source"


def fill_store(home, receiver_url: str) -> None:
    from mlops_lab import config
    from mlops_lab.services import services_for
    from mlops_lab.store import open_store

    s = services_for(open_store(config.database_uri(home), config.artifacts_root(home)))
    version, model = champion(s)
    s.webhooks.create_webhook("ops", receiver_url, secret="hook-secret")
    s.webhooks.create_webhook("down", f"http://127.0.0.1:{free_port()}/hook")
    s.monitors.create_monitor("churn@champion", last=2000)
    s.alerts.create_alert_rule("income drift", "feature_drift", monitor="churn@champion",
                               feature="income")
    log_predictions(s, version, model, customers(2000, seed=3, income_shift=1.0))
    assert s.monitors.run_monitor("churn@champion").status == "drift"
    assert len(s.alerts.list_alerts("open")) == 1
    assert s.webhooks.deliver_due() == 1  # to ops; down's first attempt failed


@pytest.fixture(scope="module")
def receiver():
    made = Receiver()
    yield made
    made.stop()


@pytest.fixture(scope="module")
def prepare_store(receiver):
    return lambda home: fill_store(home, receiver.url)


def test_the_models_view_shows_its_open_alert(lab, screenshot):
    panel = open_panel_tab(lab, "Models", "mlops-lab-models-panel")
    rows = panel.get_by_test_id("mlops-lab-model-row")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    rows.click()
    view = lab.locator(".lm-DockPanel-widget:visible [data-testid=mlops-lab-model-view]")
    alerts = view.get_by_test_id("mlops-lab-model-alert")
    expect(alerts).to_have_count(1, timeout=TIMEOUT_MS)
    expect(alerts.first).to_contain_text("income")
    expect(alerts.first).to_contain_text("open")
    screenshot(lab, "monitoring-alerts-00-model-view")


def test_acknowledge_with_a_note_moves_the_alert(lab, screenshot):
    panel = open_panel_tab(lab, "Monitoring", "mlops-lab-monitoring-panel")
    tab = lab.locator("#mlops-lab-panel .lm-TabBar-tab", has_text="Monitoring")
    expect(tab).to_have_attribute("data-open-alerts", "1", timeout=TIMEOUT_MS)
    rows = panel.get_by_test_id("mlops-lab-alert-row")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    expect(rows.first).to_contain_text("income")
    screenshot(lab, "monitoring-alerts-01-open")

    rows.first.get_by_test_id("mlops-lab-alert-acknowledge").click()
    dialog = lab.locator(".jp-Dialog")
    dialog.locator("input").fill(NOTE)
    dialog.locator(".jp-mod-accept").click()
    expect(panel.get_by_test_id("mlops-lab-alerts-empty")).to_be_visible(timeout=TIMEOUT_MS)
    expect(tab).not_to_have_attribute("data-open-alerts", "1", timeout=TIMEOUT_MS)

    panel.get_by_test_id("mlops-lab-alert-filter").select_option("acknowledged")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    expect(rows.first).to_have_attribute("data-state", "acknowledged")
    expect(rows.first.get_by_test_id("mlops-lab-alert-who")).to_contain_text(NOTE)  # as text
    screenshot(lab, "monitoring-alerts-02-acknowledged")

    # An alert link elsewhere in JupyterLab (a retraining firing's "alert #1", here put in
    # the page as the model view writes it) shows the alert among all of them, outlined.
    alert_id = rows.first.get_attribute("data-alert")
    panel.get_by_test_id("mlops-lab-alert-filter").select_option("resolved")
    expect(rows).to_have_count(0, timeout=TIMEOUT_MS)
    lab.evaluate("""id => {
        const link = document.createElement('a');
        link.className = 'mlops-lab-alert-link';
        link.href = `#mlops-lab/alerts/${id}`;
        link.textContent = `alert #${id}`;
        link.id = 'retraining-alert-link';
        link.style.cssText = 'position: fixed; top: 50%; left: 50%; z-index: 10000';
        document.querySelector('#jp-main-dock-panel').appendChild(link);
    }""", alert_id)
    lab.locator("#retraining-alert-link").click()
    expect(panel.get_by_test_id("mlops-lab-alert-filter")).to_have_value("all")
    focused = panel.locator(f"[data-alert='{alert_id}']")
    expect(focused).to_have_class(re.compile("mlops-lab-focused"), timeout=TIMEOUT_MS)
    screenshot(lab, "monitoring-alerts-02-linked")
    assert "#mlops-lab/alerts" not in lab.url  # the link opened the tab, not a new address
    lab.evaluate("() => document.querySelector('#retraining-alert-link').remove()")
    assert lab.dialogs == []


def test_a_webhook_whose_receiver_is_down_shows_as_failing(lab, receiver, screenshot):
    panel = open_panel_tab(lab, "Monitoring", "mlops-lab-monitoring-panel")
    hooks = panel.get_by_test_id("mlops-lab-webhook-row")
    expect(hooks).to_have_count(2, timeout=TIMEOUT_MS)
    down, ops = panel.locator("[data-webhook=down]"), panel.locator("[data-webhook=ops]")
    expect(down.get_by_test_id("mlops-lab-webhook-status")).to_have_text("failing")
    expect(down.get_by_test_id("mlops-lab-webhook-counts")).to_have_text("1 retrying")
    expect(down.get_by_test_id("mlops-lab-webhook-error")).to_contain_text("ConnectError")
    expect(ops.get_by_test_id("mlops-lab-webhook-status")).to_have_text("ok")
    expect(ops.get_by_test_id("mlops-lab-webhook-counts")).to_have_text("1 delivered")
    expect(ops.get_by_test_id("mlops-lab-webhook-error")).to_have_count(0)
    expect(ops).to_contain_text("signed")
    screenshot(lab, "monitoring-alerts-03-webhooks")

    ops.get_by_test_id("mlops-lab-webhook-test").click()
    expect(ops.get_by_test_id("mlops-lab-webhook-tested")).to_have_text(
        "Test delivered (HTTP 200).", timeout=TIMEOUT_MS)
    expect(ops.get_by_test_id("mlops-lab-webhook-counts")).to_have_text("2 delivered",
                                                                      timeout=TIMEOUT_MS)
    assert len(receiver.received) == 2
    down.get_by_test_id("mlops-lab-webhook-test").click()
    expect(down.get_by_test_id("mlops-lab-webhook-tested")).to_contain_text(
        "Test not delivered", timeout=TIMEOUT_MS)
    expect(down.get_by_test_id("mlops-lab-webhook-counts")).to_have_text("2 retrying",
                                                                       timeout=TIMEOUT_MS)
    assert "hook-secret" not in panel.inner_text()
    assert lab.dialogs == []
