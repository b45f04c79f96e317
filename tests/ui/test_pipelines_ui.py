"""Pipelines in a real JupyterLab: "Run as pipeline" from the notebook toolbar with the
parameters form, the run SUCCEEDED in the Pipelines tab, its view with outputs and the output
notebook opening in JupyterLab; "Run as Pipeline…" in the file browser's context menu; a
schedule created from the panel. Light and dark screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lab_helpers import open_panel_tab, set_theme

pytestmark = pytest.mark.ui

NOTEBOOK = "train.ipynb"
TIMEOUT_MS = 30_000
RUN_TIMEOUT_MS = 120_000  # a worker, a kernel and papermill


@pytest.fixture(scope="module")
def notebook_path(isolated_lab_server) -> str:
    import nbformat

    _, _, root = isolated_lab_server
    params = nbformat.v4.new_code_cell("alpha = 0.5  # learning rate\nname = 'first'")
    params.metadata["tags"] = ["parameters"]
    notebook = nbformat.v4.new_notebook(cells=[
        params,
        nbformat.v4.new_code_cell("import mlops_lab as ml\nml.output('score', alpha * 10)\n"
                                  "ml.output('label', '<img src=x onerror=alert(1)>' + name)"),
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


def open_pipelines_tab(page):
    return open_panel_tab(page, "Pipelines", "mlops-lab-pipelines-panel")


def test_run_as_pipeline_from_the_toolbar_with_the_form(lab, notebook_path, screenshot):
    set_theme(lab, "JupyterLab Light", True)
    lab.locator(".jp-DirListing-item", has_text=notebook_path).dblclick()
    button = lab.locator(".mlops-lab-run-pipeline-button").first
    expect(button).to_be_visible(timeout=TIMEOUT_MS)
    button.click()
    form = lab.get_by_test_id("mlops-lab-pipeline-form")
    expect(form).to_be_visible(timeout=TIMEOUT_MS)
    alpha = lab.get_by_test_id("mlops-lab-param-alpha")
    expect(alpha).to_have_value("0.5")
    expect(lab.get_by_test_id("mlops-lab-param-name")).to_have_value("first")
    expect(form).to_contain_text("learning rate")
    alpha.fill("2")
    screenshot(lab, "pipelines-01-form-light")
    lab.locator(".jp-Dialog").get_by_role("button", name="Run").click()
    expect(lab.locator(".jp-Dialog")).to_have_count(0, timeout=TIMEOUT_MS)

    panel = open_pipelines_tab(lab)
    row = panel.get_by_test_id("mlops-lab-pipeline-row").first
    expect(row).to_contain_text(NOTEBOOK, timeout=TIMEOUT_MS)
    expect(row).to_contain_text("alpha=2")
    expect(row.get_by_test_id("mlops-lab-pipeline-status")).to_have_text(
        "succeeded", timeout=RUN_TIMEOUT_MS)
    screenshot(lab, "pipelines-02-panel-light")

    row.click()
    view = lab.get_by_test_id("mlops-lab-pipeline-view")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    expect(view).to_contain_text("score")
    expect(view).to_contain_text("20")
    # Stored text is shown as text, never run as HTML.
    expect(view).to_contain_text("<img src=x onerror=alert(1)>first")
    expect(view.get_by_test_id("mlops-lab-pipeline-log")).to_contain_text("Executing")
    screenshot(lab, "pipelines-03-run-view-light")
    set_theme(lab, "JupyterLab Dark", False)
    screenshot(lab, "pipelines-04-run-view-dark")
    open_pipelines_tab(lab)
    screenshot(lab, "pipelines-05-panel-dark")
    set_theme(lab, "JupyterLab Light", True)

    view.get_by_test_id("mlops-lab-open-output").click()
    expect(lab.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")).to_contain_text(
        re.compile(r"[0-9a-f]{32}\.ipynb"), timeout=TIMEOUT_MS)
    assert lab.dialogs == []


def test_reproduce_from_the_pipeline_run_view(lab, notebook_path, screenshot):
    panel = open_pipelines_tab(lab)
    panel.get_by_test_id("mlops-lab-pipeline-row").first.click()
    view = lab.locator("#jp-main-dock-panel .jp-MainAreaWidget:not(.lm-mod-hidden) "
                       "[data-testid=mlops-lab-pipeline-view]")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    view.get_by_test_id("mlops-lab-reproduce").click()
    check = lab.get_by_test_id("mlops-lab-reproduce-check")
    expect(check).to_contain_text("Environment changes", timeout=TIMEOUT_MS)
    screenshot(lab, "pipelines-07-reproduce-check-light")
    lab.locator(".jp-Dialog").get_by_role("button", name="Reproduce").click()
    comparison = lab.locator(
        "#jp-main-dock-panel .jp-MainAreaWidget:not(.lm-mod-hidden) "
        "[data-testid=mlops-lab-pipeline-comparison]")
    expect(comparison).to_contain_text("Compared with the original: reproduced",
                                       timeout=RUN_TIMEOUT_MS)
    expect(comparison.get_by_test_id("mlops-lab-reproduce-verdict")).to_contain_text(
        "things compared, all equal")
    screenshot(lab, "pipelines-08-reproduction-light")


def test_run_as_pipeline_from_the_file_browser_menu(lab, notebook_path):
    lab.locator('.jp-SideBar .lm-TabBar-tab[data-id="filebrowser"]').click()
    item = lab.locator(".jp-DirListing-item", has_text=notebook_path).first
    item.click()
    item.click(button="right")
    lab.locator(".lm-Menu-item", has_text="Run as Pipeline…").click()
    expect(lab.get_by_test_id("mlops-lab-pipeline-form")).to_be_visible(timeout=TIMEOUT_MS)
    lab.locator(".jp-Dialog").get_by_role("button", name="Cancel").click()
    expect(lab.locator(".jp-Dialog")).to_have_count(0, timeout=TIMEOUT_MS)


def test_create_and_disable_a_schedule_from_the_panel(lab, notebook_path, screenshot):
    panel = open_pipelines_tab(lab)
    panel.get_by_test_id("mlops-lab-schedule-new").click()
    form = panel.get_by_test_id("mlops-lab-schedule-form")
    form.get_by_test_id("mlops-lab-schedule-notebook").fill(notebook_path)
    form.get_by_test_id("mlops-lab-schedule-name").fill("nightly train")
    form.get_by_test_id("mlops-lab-schedule-cron").fill("0 3 * * *")
    form.get_by_test_id("mlops-lab-schedule-time-zone").fill("Europe/Paris")
    form.get_by_role("button", name="Create").click()
    row = panel.get_by_test_id("mlops-lab-schedule-row")
    expect(row).to_have_count(1, timeout=TIMEOUT_MS)
    expect(row).to_contain_text("nightly train")
    expect(row).to_contain_text("0 3 * * * Europe/Paris")
    # next fire times in the schedule's own time zone, saying which: 03:00 in Paris
    expect(row).to_contain_text("next (Europe/Paris): ")
    expect(row).to_contain_text(" 03:00:00+0")
    screenshot(lab, "pipelines-06-schedule-light")
    row.get_by_role("button", name="Disable").click()
    expect(row).to_contain_text("disabled", timeout=TIMEOUT_MS)


def test_the_log_of_a_running_pipeline_shows_as_it_grows(lab, isolated_lab_server, screenshot):
    """A run started through the REST API whose second cell waits for a file: its view shows
    the first cell's output while it runs, then the rest once the file is there."""
    import httpx
    import nbformat

    base_url, token, root = isolated_lab_server
    go = root / "go-live-log"
    cells = [nbformat.v4.new_code_cell("print('first cell done')"),
             nbformat.v4.new_code_cell(f"import pathlib, time\nwhile not pathlib.Path("
                                       f"{str(go)!r}).exists():\n    time.sleep(0.05)\n"
                                       "print('second cell done')")]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, str(root / "slow.ipynb"))
    started = httpx.post(f"{base_url.rstrip('/')}/mlops-lab/api/pipeline-runs",
                         json={"notebook": "slow.ipynb", "timeout": 300},  # never left running
                         headers={"Authorization": f"token {token}"}, timeout=30)
    assert started.status_code == 201, started.text

    panel = open_pipelines_tab(lab)
    row = panel.get_by_test_id("mlops-lab-pipeline-row").filter(has_text="slow.ipynb")
    expect(row.get_by_test_id("mlops-lab-pipeline-status")).to_have_text(
        "running", timeout=RUN_TIMEOUT_MS)
    row.click()
    view = lab.locator("#jp-main-dock-panel .jp-MainAreaWidget:not(.lm-mod-hidden) "
                       "[data-testid=mlops-lab-pipeline-view]")
    log = view.get_by_test_id("mlops-lab-pipeline-log")
    expect(log).to_contain_text("first cell done", timeout=RUN_TIMEOUT_MS)
    expect(view.get_by_test_id("mlops-lab-pipeline-status")).to_have_text("running")
    expect(log).not_to_contain_text("second cell done")
    expect(view).to_contain_text(" so far")
    screenshot(lab, "pipelines-09-live-log-light")
    go.write_text("")
    expect(log).to_contain_text("second cell done", timeout=RUN_TIMEOUT_MS)
    expect(view.get_by_test_id("mlops-lab-pipeline-status")).to_have_text(
        "succeeded", timeout=RUN_TIMEOUT_MS)
