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


SCROLL_BOX = "[data-testid=mlops-lab-panel] .mlops-lab-table-scroll"
# True once the table has grown past `height` (the next page arrived) or shows the oldest run.
GREW_OR_ENDED = f"""height => document.querySelector({SCROLL_BOX!r}).scrollHeight > height
    || [...document.querySelectorAll('{ROW} .mlops-lab-run-name')]
         .some(name => name.textContent.includes('run-000000'))"""


def scroll_to_end(page) -> None:
    """Scrolls the table to its end and waits for what that asks for: the next page, or the
    end of the list."""
    height = page.locator(SCROLL_BOX).evaluate("box => box.scrollHeight")
    page.locator(SCROLL_BOX).evaluate("box => box.scrollTo(0, box.scrollHeight)")
    page.wait_for_function(GREW_OR_ENDED, arg=height, timeout=TIMEOUT_MS)


def test_only_rows_in_view_are_in_the_dom_and_the_end_is_reached(lab, screenshot):
    open_panel_tab(lab, "Runs", "mlops-lab-panel")
    rows = lab.locator(ROW)
    expect(rows.first).to_contain_text("run-001999", timeout=TIMEOUT_MS)
    assert rows.count() < 100
    oldest = lab.locator(f"{ROW} .mlops-lab-run-name", has_text="run-000000")
    # Each scroll to the end loads the next page; the oldest run shows once all are loaded.
    for _ in range(RUNS // 50 + 5):
        if oldest.count():
            break
        scroll_to_end(lab)
    expect(oldest).to_be_visible(timeout=TIMEOUT_MS)
    expect(lab.get_by_test_id("mlops-lab-count")).to_have_text(f"{RUNS:,} runs")
    assert rows.count() < 100
    screenshot(lab, "virtual-01-runs-end")
