"""A side-panel list longer than the server sends (1,000 rows by default) says so under the
rows, and a search reaches the rows that were cut (the Models tab, with 1,001 models). The
list is virtualised: only the rows in view are in the DOM, and scrolling reaches the last."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lab_helpers import open_panel_tab

pytestmark = pytest.mark.ui

TIMEOUT_MS = 30_000
MODELS = 1001


@pytest.fixture(scope="module")
def lab(isolated_lab_server, lab_page):
    from sklearn.dummy import DummyClassifier

    from mlops_lab import config
    from mlops_lab.models.service import ModelService
    from mlops_lab.store import open_store

    base_url, token, root = isolated_lab_server
    home = root / ".mlops-lab"
    registry = ModelService(open_store(config.database_uri(home), config.artifacts_root(home)))
    model = DummyClassifier().fit([[0.0], [1.0]], [0, 1])
    for i in range(MODELS):  # the oldest, "model-0000", is the one the list leaves out
        registry.register(model, f"model-{i:04d}")
    with lab_page(base_url, token) as page:
        yield page


def test_a_cut_list_says_so_and_search_finds_the_rest(lab, screenshot):
    panel = open_panel_tab(lab, "Models", "mlops-lab-models-panel")
    rows = panel.get_by_test_id("mlops-lab-model-row")
    expect(rows.first).to_contain_text("model-1000", timeout=TIMEOUT_MS)
    assert rows.count() < 100  # the rows in view, not the 1,000 loaded
    note = panel.get_by_test_id("mlops-lab-list-cut")
    expect(note).to_contain_text("Showing the first 1,000 models")
    note.scroll_into_view_if_needed()
    expect(rows.last).to_contain_text("model-0001", timeout=TIMEOUT_MS)
    assert rows.count() < 100
    screenshot(lab, "lists-01-models-cut")
    panel.get_by_test_id("mlops-lab-models-query").fill("model-0000")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    expect(rows.first).to_contain_text("model-0000")
    expect(note).to_have_count(0)


def test_the_models_tab_refreshes_on_its_own(lab, isolated_lab_server):
    """Every tab polls (at the settings' refresh interval, 5 s by default) while it shows."""
    from sklearn.dummy import DummyClassifier

    from mlops_lab import config
    from mlops_lab.models.service import ModelService
    from mlops_lab.store import open_store

    panel = open_panel_tab(lab, "Models", "mlops-lab-models-panel")
    panel.get_by_test_id("mlops-lab-models-query").fill("")
    expect(panel.get_by_test_id("mlops-lab-list-cut")).to_be_visible(timeout=TIMEOUT_MS)
    panel.locator(".mlops-lab-table-scroll").evaluate("box => box.scrollTo(0, 0)")
    rows = panel.get_by_test_id("mlops-lab-model-row")
    expect(rows.first).to_contain_text("model-1000", timeout=TIMEOUT_MS)
    home = isolated_lab_server[2] / ".mlops-lab"
    registry = ModelService(open_store(config.database_uri(home), config.artifacts_root(home)))
    registry.register(DummyClassifier().fit([[0.0], [1.0]], [0, 1]), "model-new")
    expect(rows.first).to_contain_text("model-new", timeout=TIMEOUT_MS)
