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


def test_a_bad_value_is_shown_at_its_field_and_a_float_stays_a_float(lab, isolated_lab_server,
                                                                     screenshot):
    import nbformat

    _, _, root = isolated_lab_server
    params = nbformat.v4.new_code_cell("C = 1.0\nkernel = 'rbf'\ngamma = 'scale'")
    params.metadata["tags"] = ["parameters"]
    notebook = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(
        "import mlops_lab as ml\nml.output('C type', type(C).__name__)\n"
        "ml.output('accuracy', 0.93)")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, str(root / "svm.ipynb"))

    lab.evaluate("() => { window.jupyterapp.commands.execute('docmanager:open', "
                 "{path: 'svm.ipynb'}); }")
    lab.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .mlops-lab-run-pipeline-button").click()
    c_field = lab.get_by_test_id("mlops-lab-param-C")
    expect(c_field).to_have_value("1.0", timeout=TIMEOUT_MS)  # the default as written
    c_field.fill("two")
    problem = lab.get_by_test_id("mlops-lab-param-C-problem")
    expect(problem).to_contain_text('"two" is not a number')
    expect(c_field).to_have_attribute("aria-invalid", "true")
    lab.get_by_test_id("mlops-lab-param-kernel").fill("linear")
    screenshot(lab, "pipelines-10-form-bad-value-light")
    set_theme(lab, "JupyterLab Dark", False)
    expect(problem).to_be_visible()
    screenshot(lab, "pipelines-10-form-bad-value-dark")
    set_theme(lab, "JupyterLab Light", True)
    # Run with a bad value: nothing starts, the form comes back as it was typed.
    lab.locator(".jp-Dialog").get_by_role("button", name="Run").click()
    expect(lab.get_by_test_id("mlops-lab-pipeline-problem")).to_contain_text(
        'Not run: C: "two" is not a number', timeout=TIMEOUT_MS)
    expect(lab.get_by_test_id("mlops-lab-param-C")).to_have_value("two")
    expect(lab.get_by_test_id("mlops-lab-param-kernel")).to_have_value("linear")
    expect(lab.get_by_test_id("mlops-lab-param-C-problem")).to_be_visible()
    lab.get_by_test_id("mlops-lab-param-C").fill("2.0")
    expect(lab.get_by_test_id("mlops-lab-param-C-problem")).to_have_count(0)
    lab.locator(".jp-Dialog").get_by_role("button", name="Run").click()
    expect(lab.locator(".jp-Dialog")).to_have_count(0, timeout=TIMEOUT_MS)

    # The toast holds a link: it stays (no countdown) until followed. Its run shows in the
    # panel with the values as the notebook reads them.
    panel_row = open_pipelines_tab(lab).get_by_test_id("mlops-lab-pipeline-row").filter(
        has_text="svm.ipynb")
    expect(panel_row).to_contain_text("C=2.0 kernel='linear'", timeout=TIMEOUT_MS)
    toast = lab.locator(".Toastify__toast", has_text="Pipeline run of svm.ipynb started.")
    expect(toast).to_be_visible(timeout=TIMEOUT_MS)
    expect(toast.locator(".Toastify__progress-bar")).to_have_attribute("aria-hidden", "true")
    toast.get_by_role("button", name="Open pipeline run").click()
    view = lab.locator("#jp-main-dock-panel .jp-MainAreaWidget:not(.lm-mod-hidden) "
                       "[data-testid=mlops-lab-pipeline-view]")
    expect(view.get_by_test_id("mlops-lab-pipeline-status")).to_have_text(
        "succeeded", timeout=RUN_TIMEOUT_MS)
    outputs = view.get_by_test_id("mlops-lab-pipeline-outputs")
    expect(outputs).to_contain_text("C type")
    expect(outputs).to_contain_text("float")  # 2.0, not 2
    parameters = view.get_by_test_id("mlops-lab-pipeline-parameters")
    # Every parameter the run used, as the notebook reads it, marked given or default.
    expect(parameters).to_contain_text("C2.0 (given)")
    expect(parameters).to_contain_text("kernel'linear' (given)")
    expect(parameters).to_contain_text("gamma'scale' (default)")
    screenshot(lab, "pipelines-11-effective-parameters-light")

    # Its tracked run lists the numeric output as a metric, and can be reproduced.
    view.get_by_test_id("mlops-lab-tracked-run").click()
    run_view = lab.locator("#jp-main-dock-panel .jp-MainAreaWidget:not(.lm-mod-hidden) "
                           "[data-testid=mlops-lab-run-view]")
    metrics = run_view.get_by_test_id("mlops-lab-metrics")
    expect(metrics).to_contain_text("accuracy", timeout=TIMEOUT_MS)
    expect(metrics).to_contain_text("0.93")
    expect(run_view.get_by_test_id("mlops-lab-reproduce")).to_be_enabled()
    screenshot(lab, "pipelines-12-tracked-run-metrics-light")

    # In the Runs tab its row says it is a pipeline run, with the parameters it was given.
    runs = open_panel_tab(lab, "Runs", "mlops-lab-runs-table")
    note = runs.locator("[data-testid=mlops-lab-run-row]", has_text="svm.ipynb").get_by_test_id(
        "mlops-lab-run-pipeline")
    expect(note).to_contain_text("pipeline", timeout=TIMEOUT_MS)
    expect(note).to_contain_text("C=2.0 · kernel=linear +1 by default")
    screenshot(lab, "pipelines-13-runs-tab-pipeline-row")
