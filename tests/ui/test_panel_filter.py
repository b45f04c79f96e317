"""The Runs tab's filter box and count over a store of a few hundred runs: the count is of
every matching run (not of the loaded page), field names and values complete as they are
typed, a refused filter marks the part at fault and offers the field a bare key meant, and
choosing another experiment clears the selection."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lab_helpers import insert_runs, open_panel_tab, set_theme

pytestmark = pytest.mark.ui

TIMEOUT_MS = 30_000
ROW = "[data-testid=mlops-lab-run-row]"
RUNS = 300  # a third of them (run-000000, run-000003, …) have params.model = 'rf'


@pytest.fixture(scope="module")
def prepare_store():
    def fill(home):
        second_oldest = insert_runs(home, RUNS, "alpha")[-2]  # run-000001, an 'svm' one
        insert_runs(home, 30, "beta")
        # A value only an old run has: far beyond the loaded page, the server completes it.
        from mlops_lab import config
        from mlops_lab.store import open_store
        from mlops_lab.store.tables import tracking as t

        store = open_store(config.database_uri(home), config.artifacts_root(home))
        with store.db.write() as conn:
            conn.execute(t.params.update().where(t.params.c.run_id == second_oldest).values(
                value="xgboost"))
    return fill


@pytest.fixture
def panel(lab):
    panel = open_panel_tab(lab, "Runs", "mlops-lab-panel")
    panel.get_by_test_id("mlops-lab-experiment").select_option(label=f"alpha ({RUNS})")
    box = panel.get_by_test_id("mlops-lab-filter")
    box.fill("")
    box.press("Enter")
    expect(panel.get_by_test_id("mlops-lab-count")).to_have_text(f"{RUNS} runs",
                                                                  timeout=TIMEOUT_MS)
    return panel


def test_the_count_is_of_every_matching_run(panel):
    box = panel.get_by_test_id("mlops-lab-filter")
    box.fill("params.model = 'rf'")
    box.press("Enter")
    expect(panel.get_by_test_id("mlops-lab-count")).to_have_text("100 runs", timeout=TIMEOUT_MS)
    assert panel.locator(ROW).count() < 100  # one page loaded, the rows in view shown


def test_field_names_and_values_complete(panel, lab, screenshot):
    box = panel.get_by_test_id("mlops-lab-filter")
    offered = panel.get_by_test_id("mlops-lab-filter-completions").locator("li")
    box.focus()
    box.press_sequentially("ac")
    expect(offered).to_have_text(["metrics.acc"], timeout=TIMEOUT_MS)
    box.press("Tab")
    expect(box).to_have_value("metrics.acc ")
    expect(offered).to_have_count(0)

    box.fill("")
    box.press_sequentially("params.model = ")
    expect(offered).to_have_text(["'logreg'", "'rf'", "'svm'", "'xgboost'"],
                                 timeout=TIMEOUT_MS)
    screenshot(lab, "filter-01-values")
    box.press("ArrowDown")
    box.press("Tab")
    expect(box).to_have_value("params.model = 'rf'")
    box.press("Enter")
    expect(panel.get_by_test_id("mlops-lab-count")).to_have_text("100 runs", timeout=TIMEOUT_MS)


def test_a_bare_key_is_marked_and_its_field_offered(panel, lab, screenshot):
    box = panel.get_by_test_id("mlops-lab-filter")
    box.fill("params.model = 'rf' and acc > 0.5")
    box.press("Enter")
    error = panel.get_by_test_id("mlops-lab-filter-error")
    expect(error).to_contain_text("Unknown run attribute 'acc' at column 25", timeout=TIMEOUT_MS)
    expect(error.locator("mark")).to_have_text("acc")
    fix = panel.get_by_test_id("mlops-lab-filter-fix")
    expect(fix).to_have_text("Use metrics.acc")
    for theme, light, name in (("JupyterLab Light", True, "light"),
                               ("JupyterLab Dark", False, "dark")):
        set_theme(lab, theme, light)
        screenshot(lab, f"filter-02-bare-key-{name}")
    set_theme(lab, "JupyterLab Light", True)

    fix.click()
    expect(box).to_have_value("params.model = 'rf' and metrics.acc > 0.5")
    expect(error).to_have_count(0, timeout=TIMEOUT_MS)
    # rf runs are every third; acc is (i % 1000) / 1000, over 0.5 for i in 501…999 only.
    expect(panel.get_by_test_id("mlops-lab-empty")).to_be_visible(timeout=TIMEOUT_MS)


def test_a_syntax_error_marks_where_the_parser_stopped(panel):
    box = panel.get_by_test_id("mlops-lab-filter")
    box.fill("metrics.acc 0.5")
    box.press("Enter")
    error = panel.get_by_test_id("mlops-lab-filter-error")
    expect(error.locator("mark")).to_have_text("0.5", timeout=TIMEOUT_MS)
    expect(panel.get_by_test_id("mlops-lab-filter-fix")).to_have_count(0)
    # The part at fault is selected in the box, so typing replaces it.
    assert box.evaluate("box => box.value.slice(box.selectionStart, box.selectionEnd)") == "0.5"


def test_another_experiment_clears_the_selection(panel):
    checks = panel.get_by_test_id("mlops-lab-run-select")
    checks.nth(0).check()
    checks.nth(1).check()
    compare = panel.get_by_test_id("mlops-lab-compare")
    expect(compare).to_have_text("Compare (2)")
    panel.get_by_test_id("mlops-lab-experiment").select_option(label="beta (30)")
    expect(panel.get_by_test_id("mlops-lab-count")).to_have_text("30 runs", timeout=TIMEOUT_MS)
    expect(compare).to_have_text("Compare")
    expect(compare).to_be_disabled()
    expect(checks.first).not_to_be_checked()
