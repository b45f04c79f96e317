"""The Runs tab is virtualised: with 2,000 runs in the store only the rows in view are in the
DOM, scrolling down loads the next pages, and scrolling to the end shows the oldest run."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lab_helpers import insert_runs, open_panel_tab

pytestmark = pytest.mark.ui

TIMEOUT_MS = 30_000
RUNS = 2000
ROW = "[data-testid=mlops-lab-run-row]"


@pytest.fixture(scope="module")
def lab(isolated_lab_server, lab_page):
    base_url, token, root = isolated_lab_server
    insert_runs(root / ".mlops-lab", RUNS, "many-runs")
    with lab_page(base_url, token) as page:
        yield page


def scroll_to_end(page) -> None:
    page.locator("[data-testid=mlops-lab-panel] .mlops-lab-table-scroll").evaluate(
        "box => box.scrollTo(0, box.scrollHeight)")


def test_only_rows_in_view_are_in_the_dom_and_the_end_is_reached(lab, screenshot):
    open_panel_tab(lab, "Runs", "mlops-lab-panel")
    rows = lab.locator(ROW)
    expect(rows.first).to_contain_text("run-001999", timeout=TIMEOUT_MS)
    assert rows.count() < 100
    oldest = lab.locator(f"{ROW} .mlops-lab-run-name", has_text="run-000000")
    # Each scroll to the end loads the next page; the oldest run shows once all are loaded.
    for _ in range(RUNS // 50 + 5):
        scroll_to_end(lab)
        try:
            expect(oldest).to_have_count(1, timeout=1_000)
            break
        except AssertionError:
            continue
    expect(oldest).to_be_visible(timeout=TIMEOUT_MS)
    expect(lab.get_by_test_id("mlops-lab-count")).to_have_text(f"{RUNS:,} runs")
    assert rows.count() < 100
    screenshot(lab, "virtual-01-runs-end")
