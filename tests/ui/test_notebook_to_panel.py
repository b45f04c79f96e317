"""From a notebook to the panel in a real JupyterLab: a `%%track` cell run through the UI
is recorded by the notebook's kernel, shows up in the panel and in its run tab, and the
summary's "open in MLOps Lab" link opens that tab."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.ui

NOTEBOOK = "nb.ipynb"
TRACKED_CELL = ('%%track nb-run -e notebook-exp\n'
                'lr = 0.1\n'
                'import mlops_lab as ml; ml.log_metric("acc", 0.87)')
ROW = "[data-testid=mlops-lab-run-row]"
TIMEOUT_MS = 30_000
# Starting the kernel and a first `import mlops_lab` in it take longer than a UI step.
KERNEL_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def notebook_path(isolated_lab_server) -> str:
    import nbformat

    _, _, root = isolated_lab_server
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%load_ext mlops_lab"),
        nbformat.v4.new_code_cell(TRACKED_CELL),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, str(root / NOTEBOOK))
    return NOTEBOOK


@pytest.fixture(scope="module")
def lab(isolated_lab_server, lab_page, notebook_path):
    base_url, token, _ = isolated_lab_server
    with lab_page(base_url, token) as page:
        yield page


def notebook_tab(page):
    return page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=NOTEBOOK)


def run_tab(page):
    return page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Run nb-run")


def panel(page):
    return page.locator("#mlops-lab-panel")


def toggle_panel(page) -> None:
    page.locator('.jp-SideBar .lm-TabBar-tab[data-id="mlops-lab-panel"]').click()


def kv_value(table, key: str):
    """The value cell of `key` in a params or metrics table."""
    return table.locator("tr").filter(
        has=table.page.get_by_role("rowheader", name=key, exact=True)).locator("td")


@pytest.fixture(scope="module")
def summary(lab, notebook_path, screenshot):
    """Open the notebook from the file browser, run all its cells from the Run menu and
    return the %%track summary its kernel displayed."""
    lab.locator(".jp-DirListing-item", has_text=notebook_path).dblclick()
    expect(notebook_tab(lab)).to_have_class(re.compile("lm-mod-current"), timeout=TIMEOUT_MS)
    # Run All is queued only once the notebook has a kernel to send it to.
    lab.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel"
        "?.status === 'idle'", timeout=KERNEL_TIMEOUT_MS)
    lab.locator(".lm-MenuBar").get_by_role("menuitem", name="Run", exact=True).click()
    lab.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    found = lab.locator(".jp-NotebookPanel:visible .jp-OutputArea-output .mlops-lab-run-summary")
    expect(found).to_have_count(1, timeout=KERNEL_TIMEOUT_MS)
    expect(found).to_contain_text("FINISHED")
    expect(found).to_contain_text("nb-run")
    expect(found).to_contain_text("acc")
    found.scroll_into_view_if_needed()
    screenshot(lab, "nb-01-notebook-summary")
    return found


@pytest.fixture(scope="module")
def run_id(summary) -> str:
    value = summary.locator("a.mlops-lab-run-link").get_attribute("data-run-id")
    assert value is not None and re.fullmatch(r"[0-9a-f]{32}", value)
    return value


def test_kernel_run_shows_in_panel_and_run_tab(lab, summary, run_id, screenshot):
    if not panel(lab).is_visible():
        toggle_panel(lab)
    expect(panel(lab)).to_be_visible()
    picker = panel(lab).get_by_test_id("mlops-lab-experiment")
    # The experiment was created by the kernel; the panel's polling brings it in.
    expect(picker.locator("option", has_text="notebook-exp (1)")).to_have_count(
        1, timeout=TIMEOUT_MS)
    picker.select_option(label="notebook-exp (1)")
    nb_row = lab.locator(ROW).filter(has=lab.locator(".mlops-lab-run-name", has_text="nb-run"))
    expect(lab.locator(ROW)).to_have_count(1, timeout=TIMEOUT_MS)
    expect(nb_row).to_have_count(1)
    screenshot(lab, "nb-02-panel")

    nb_row.click()
    view = lab.locator(f"#mlops-lab-run-{run_id} [data-testid=mlops-lab-run-view]")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    expect(run_tab(lab)).to_have_class(re.compile("lm-mod-current"))
    expect(kv_value(view.get_by_test_id("mlops-lab-params"), "lr")).to_have_text("0.1")
    expect(kv_value(view.get_by_test_id("mlops-lab-metrics"), "acc")).to_have_text("0.87")
    source = view.get_by_test_id("mlops-lab-source")
    expect(source.locator("pre")).to_contain_text("lr = 0.1")
    expect(source).to_contain_text(NOTEBOOK)
    screenshot(lab, "nb-03-run")


def test_summary_link_opens_the_run_tab(lab, summary, run_id, screenshot):
    link = summary.locator("a.mlops-lab-run-link")

    # With the run tab already open: back in the notebook, panel folded away.
    notebook_tab(lab).click()
    expect(notebook_tab(lab)).to_have_class(re.compile("lm-mod-current"))
    if panel(lab).is_visible():
        toggle_panel(lab)
    expect(panel(lab)).to_be_hidden()
    link.click()
    expect(run_tab(lab)).to_have_class(re.compile("lm-mod-current"), timeout=TIMEOUT_MS)
    expect(run_tab(lab)).to_have_count(1)
    expect(panel(lab)).to_be_visible()
    screenshot(lab, "nb-04-link-to-open-tab")

    # With the run tab closed, the link opens it again.
    run_tab(lab).locator(".lm-TabBar-tabCloseIcon").click()
    expect(run_tab(lab)).to_have_count(0)
    notebook_tab(lab).click()
    link.click()
    view = lab.locator(f"#mlops-lab-run-{run_id} [data-testid=mlops-lab-run-view]")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    expect(run_tab(lab)).to_have_class(re.compile("lm-mod-current"), timeout=TIMEOUT_MS)
    expect(kv_value(view.get_by_test_id("mlops-lab-metrics"), "acc")).to_have_text("0.87")
    screenshot(lab, "nb-05-link-reopened-tab")

    # The link's href was not followed.
    assert "#mlops-lab" not in lab.url
    assert lab.dialogs == []


def test_open_notebook_goes_to_the_runs_cell_and_reproduce_says_why_not(lab, summary, run_id,
                                                                      screenshot):
    notebook_tab(lab).click()
    lab.locator(".jp-NotebookPanel:visible .jp-Cell").first.click()  # another cell active
    expect(lab.locator(".jp-NotebookPanel:visible .jp-Cell.jp-mod-active")).not_to_contain_text(
        "%%track")
    link = summary.locator("a.mlops-lab-run-link")
    link.click()
    view = lab.locator(f"#mlops-lab-run-{run_id} [data-testid=mlops-lab-run-view]")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    # A run of a notebook cell has no notebook snapshot to re-execute: the view says so.
    expect(view.get_by_test_id("mlops-lab-reproduce")).to_be_disabled()
    expect(view.get_by_test_id("mlops-lab-reproduce-why")).to_contain_text(
        "only a run made by a pipeline run")
    screenshot(lab, "nb-06-run-not-reproducible")
    open_at = view.get_by_test_id("mlops-lab-open-notebook")
    expect(open_at).to_have_text("Open notebook at this cell")
    open_at.click()
    expect(notebook_tab(lab)).to_have_class(re.compile("lm-mod-current"), timeout=TIMEOUT_MS)
    active = lab.locator(".jp-NotebookPanel:visible .jp-Cell.jp-mod-active")
    expect(active).to_have_count(1)
    expect(active).to_contain_text("%%track nb-run", timeout=TIMEOUT_MS)
    screenshot(lab, "nb-07-notebook-at-the-cell")
