"""One-click registration in a real JupyterLab with a real kernel: a notebook fits a
LogisticRegression, the toolbar's "Register model" asks the kernel for its models, the dialog
registers one, the notification opens the new version in the Models view, and an alias is
promoted there with a reason that shows in the alias history. Light and dark screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lab_helpers import set_theme

pytestmark = pytest.mark.ui

NOTEBOOK = "register.ipynb"
EVIL = "<img src=x onerror=alert(1)> churn"
FIT_CELL = """%%track fit-churn
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X = (X - X.mean()) / X.std()
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
clf = LogisticRegression().fit(X_train, y_train)
import mlops_lab as ml; ml.log_metric("accuracy", clf.score(X_test, y_test))"""
TIMEOUT_MS = 30_000
KERNEL_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def notebook_path(isolated_lab_server) -> str:
    import nbformat

    _, _, root = isolated_lab_server
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%load_ext mlops_lab"),
        nbformat.v4.new_code_cell(FIT_CELL),
        nbformat.v4.new_code_cell("%register clf churn-magic --alias production"),
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


def model_tab(page, name):
    return page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=f"Model {name}")


@pytest.fixture(scope="module")
def fitted(lab, notebook_path):
    """The notebook open with all its cells run by its kernel."""
    lab.locator(".jp-DirListing-item", has_text=notebook_path).dblclick()
    lab.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel"
        "?.status === 'idle'", timeout=KERNEL_TIMEOUT_MS)
    lab.locator(".lm-MenuBar").get_by_role("menuitem", name="Run", exact=True).click()
    lab.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    outputs = lab.locator(".jp-NotebookPanel:visible .jp-OutputArea-output")
    expect(outputs.locator(".mlops-lab-run-summary")).to_contain_text(
        "FINISHED", timeout=KERNEL_TIMEOUT_MS)
    expect(outputs.locator(".mlops-lab-model-summary")).to_contain_text(
        "churn-magic", timeout=KERNEL_TIMEOUT_MS)
    return outputs


def test_register_button_dialog_and_models_view(lab, fitted, screenshot):
    set_theme(lab, "JupyterLab Light", True)
    lab.locator(".jp-NotebookPanel:visible .mlops-lab-register-button").click()
    form = lab.get_by_test_id("mlops-lab-register-form")
    expect(form).to_be_visible(timeout=KERNEL_TIMEOUT_MS)
    variable = form.get_by_test_id("mlops-lab-register-variable")
    expect(variable.locator("option")).to_have_count(1)  # only the fitted model
    expect(variable).to_have_value("clf")
    expect(form.get_by_test_id("mlops-lab-register-lineage")).to_contain_text("fit-churn")
    # The example whose column count matches the model's is proposed.
    expect(form.get_by_test_id("mlops-lab-register-example")).to_have_value(
        re.compile("^X(_train|_test)?$"))
    form.get_by_test_id("mlops-lab-register-example").select_option("X_test")
    form.get_by_test_id("mlops-lab-register-name").fill(EVIL)
    form.get_by_test_id("mlops-lab-register-alias").fill("challenger")
    form.get_by_test_id("mlops-lab-register-description").fill(
        "Logistic regression on breast-cancer data 🎯\"; import os #")
    screenshot(lab, "models-01-register-dialog")
    lab.locator(".jp-Dialog").get_by_role("button", name="Register").click()

    toast = lab.locator(".Toastify__toast", has_text="version 1")
    expect(toast).to_be_visible(timeout=KERNEL_TIMEOUT_MS)
    expect(toast).to_contain_text(EVIL)  # shown as text
    asked: list[str] = []
    lab.on("request", lambda request: asked.append(request.url))
    toast.get_by_role("button", name="Open in Models").click()

    view = lab.get_by_test_id("mlops-lab-model-view")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    expect(view.get_by_test_id("mlops-lab-model-title")).to_have_text(EVIL)
    expect(view.get_by_test_id("mlops-lab-version-row")).to_have_count(1)
    expect(view.get_by_test_id("mlops-lab-version-heading")).to_contain_text("Version 1")
    expect(view.get_by_test_id("mlops-lab-model-aliases")).to_contain_text("@challenger")
    expect(view.get_by_test_id("mlops-lab-lineage-run")).to_contain_text("fit-churn")
    expect(view.get_by_test_id("mlops-lab-lineage")).to_contain_text(NOTEBOOK)
    card = view.get_by_test_id("mlops-lab-card")
    expect(card).to_contain_text("mean radius")
    expect(card).to_contain_text("accuracy")
    # a character outside the Basic Multilingual Plane reaches the kernel intact
    expect(card).to_contain_text("breast-cancer data 🎯")
    expect(card.locator("img")).to_have_count(0)
    expect(view.get_by_test_id("mlops-lab-model-versions")).to_contain_text("accuracy")
    screenshot(lab, "models-02-model-view-light")
    # The view's data came in two requests: the model (versions, aliases, history) and the
    # selected version in full (try-it's example is its own).
    model_requests = [url for url in asked if "/api/models/" in url and "/predict" not in url]
    assert len(model_requests) == 2, model_requests

    # Promote version 1 to champion, with a reason.
    view.get_by_test_id("mlops-lab-promote").first.click()
    dialog = lab.locator(".jp-Dialog")
    dialog.locator("input").fill("champion")
    dialog.get_by_role("button", name="Next").click()
    expect(lab.locator(".jp-Dialog", has_text="Point @champion at version 1")).to_be_visible()
    lab.locator(".jp-Dialog input").fill("best AUC so far")
    lab.locator(".jp-Dialog").get_by_role("button", name="Confirm").click()
    history = view.get_by_test_id("mlops-lab-alias-history")
    expect(history).to_contain_text("best AUC so far", timeout=TIMEOUT_MS)
    expect(view.get_by_test_id("mlops-lab-model-aliases")).to_contain_text("@champion")
    expect(view.get_by_test_id("mlops-lab-model-notice")).to_contain_text(
        "@champion now points at version 1")

    set_theme(lab, "JupyterLab Dark", False)
    screenshot(lab, "models-03-model-view-dark")
    set_theme(lab, "JupyterLab Light", True)

    # The lineage's run opens the run's tab.
    view.get_by_test_id("mlops-lab-lineage-run").click()
    expect(lab.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Run fit-churn")).to_be_visible(
        timeout=TIMEOUT_MS)
    assert lab.dialogs == []


def test_promote_and_roll_back_with_reasons(lab, fitted, screenshot):
    lab.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=NOTEBOOK).click()
    lab.locator(".jp-NotebookPanel:visible .mlops-lab-register-button").click()
    form = lab.get_by_test_id("mlops-lab-register-form")
    expect(form).to_be_visible(timeout=KERNEL_TIMEOUT_MS)
    form.get_by_test_id("mlops-lab-register-name").fill(EVIL)
    lab.locator(".jp-Dialog").get_by_role("button", name="Register").click()
    toast = lab.locator(".Toastify__toast", has_text="version 2")
    expect(toast).to_be_visible(timeout=KERNEL_TIMEOUT_MS)
    toast.get_by_role("button", name="Open in Models").click()
    view = lab.locator(".lm-DockPanel-widget:visible [data-testid=mlops-lab-model-view]")
    expect(view.get_by_test_id("mlops-lab-version-heading")).to_contain_text(
        "Version 2", timeout=TIMEOUT_MS)
    expect(view.get_by_test_id("mlops-lab-version-row")).to_have_count(2)

    view.locator("[data-testid=mlops-lab-version-row][data-version='2']").get_by_test_id(
        "mlops-lab-promote").click()
    lab.locator(".jp-Dialog input").fill("champion")
    lab.locator(".jp-Dialog").get_by_role("button", name="Next").click()
    expect(lab.locator(".jp-Dialog", has_text="Point @champion at version 2")).to_be_visible()
    lab.locator(".jp-Dialog input").fill("v2 is better")
    lab.locator(".jp-Dialog").get_by_role("button", name="Confirm").click()
    champion = view.locator("[data-alias=champion]")
    expect(champion).to_contain_text("version 2", timeout=TIMEOUT_MS)

    champion.get_by_test_id("mlops-lab-alias-rollback").click()
    expect(lab.locator(".jp-Dialog", has_text="Point @champion at version 1")).to_be_visible()
    lab.locator(".jp-Dialog input").fill("regression in production")
    lab.locator(".jp-Dialog").get_by_role("button", name="Confirm").click()
    expect(champion).to_contain_text("version 1", timeout=TIMEOUT_MS)
    history = view.get_by_test_id("mlops-lab-alias-history")
    expect(history.locator("tbody tr").first).to_contain_text("regression in production")
    expect(history).to_contain_text("v2 is better")
    screenshot(lab, "models-05-rolled-back")
    assert lab.dialogs == []


def test_models_tab_searches_and_opens(lab, fitted, screenshot):
    lab.locator('.jp-SideBar .lm-TabBar-tab[data-id="mlops-lab-panel"]').click() \
        if not lab.locator("#mlops-lab-panel").is_visible() else None
    lab.locator("#mlops-lab-panel .lm-TabBar-tab", has_text="Models").click()
    panel = lab.get_by_test_id("mlops-lab-models-panel")
    expect(panel).to_be_visible(timeout=TIMEOUT_MS)
    rows = panel.get_by_test_id("mlops-lab-model-row")
    expect(rows).to_have_count(2, timeout=TIMEOUT_MS)
    panel.get_by_test_id("mlops-lab-models-query").fill("magic")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    expect(rows).to_contain_text("@production→1")
    screenshot(lab, "models-04-panel-search")
    rows.click()
    expect(model_tab(lab, "churn-magic")).to_have_class(re.compile("lm-mod-current"),
                                                        timeout=TIMEOUT_MS)
    assert lab.dialogs == []


def test_register_magic_link_opens_the_version(lab, fitted):
    lab.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=NOTEBOOK).click()
    if model_tab(lab, "churn-magic").count():
        model_tab(lab, "churn-magic").locator(".lm-TabBar-tabCloseIcon").click()
    fitted.locator("a.mlops-lab-model-link").click()
    expect(model_tab(lab, "churn-magic")).to_have_class(re.compile("lm-mod-current"),
                                                        timeout=TIMEOUT_MS)
    view = lab.locator(".lm-DockPanel-widget:visible [data-testid=mlops-lab-model-view]")
    expect(view.get_by_test_id("mlops-lab-version-heading")).to_contain_text("Version 1")
    assert "#mlops-lab" not in lab.url
