"""One-click registration in a real JupyterLab with a real kernel: a notebook fits a
LogisticRegression, the toolbar's "Register model" asks the kernel for its models, the dialog
registers one, the notification opens the new version in the Models view, and an alias is
promoted there with a reason that shows in the alias history. Light and dark screenshots."""

from __future__ import annotations

import getpass
import json
import re
import urllib.request

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
    # No timed refresh: what the panel shows after an action comes from the action's answer.
    request = urllib.request.Request(
        f"{base_url}/lab/api/settings/mlops-lab:plugin", method="PUT",
        data=json.dumps({"raw": json.dumps({"refreshInterval": 0})}).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    urllib.request.urlopen(request).close()
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
    # The view's data came in three requests: the model (versions, aliases, history), its
    # gates and benchmarks, and the selected version in full (try-it's example is its own).
    model_requests = [url for url in asked if "/api/models/" in url and "/predict" not in url]
    assert len(model_requests) == 3, model_requests

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

    rollback = champion.get_by_test_id("mlops-lab-alias-rollback")
    expect(rollback).to_have_text("Roll back to v1")
    rollback.click()
    dialog = lab.locator(".jp-Dialog", has_text="Roll back champion: v2 → v1")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("@champion goes back to version 1")
    screenshot(lab, "models-05a-roll-back-dialog")
    lab.locator(".jp-Dialog input").fill("regression in production")
    lab.locator(".jp-Dialog").get_by_role("button", name="Confirm").click()
    expect(champion).to_contain_text("version 1", timeout=TIMEOUT_MS)
    expect(view.get_by_test_id("mlops-lab-model-notice")).to_have_text(
        "@champion now points at version 1.")
    history = view.get_by_test_id("mlops-lab-alias-history")
    expect(history.locator("tbody tr").first).to_contain_text(
        "Rolled back from version 2 to version 1: regression in production")
    expect(history).to_contain_text("v2 is better")
    # The latest move is now the rollback: rolling it back would go to version 2 again.
    expect(rollback).to_have_text("Roll back to v2")
    screenshot(lab, "models-05-rolled-back")
    assert lab.dialogs == []


RUN_IN_KERNEL = """async code => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const reply = await kernel.requestExecute({code, store_history: false}).done;
  return reply.content.status;
}"""
UNTRACKED_CELL = """from sklearn.tree import DecisionTreeClassifier
plain = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X_train.to_numpy(), y_train)
X_plain = X_test.to_numpy()"""


def open_register_dialog(lab):
    lab.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=NOTEBOOK).click()
    lab.locator(".jp-NotebookPanel:visible .mlops-lab-register-button").click()
    form = lab.get_by_test_id("mlops-lab-register-form")
    expect(form).to_be_visible(timeout=KERNEL_TIMEOUT_MS)
    return form


def test_dialog_shows_the_saving_run_and_the_name_follows_the_variable(lab, fitted, screenshot):
    lab.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=NOTEBOOK).click()
    assert lab.evaluate(RUN_IN_KERNEL, UNTRACKED_CELL) == "ok"
    form = open_register_dialog(lab)
    variable = form.get_by_test_id("mlops-lab-register-variable")
    name = form.get_by_test_id("mlops-lab-register-name")
    lineage = form.get_by_test_id("mlops-lab-register-lineage")
    expect(variable.locator("option")).to_have_count(2)
    expect(variable).to_have_value("clf")
    expect(name).to_have_value("clf")
    expect(lineage).to_contain_text("Saved by run fit-churn")
    expect(form.get_by_test_id("mlops-lab-register-metrics")).to_contain_text("accuracy")
    screenshot(lab, "models-06-register-dialog-run-metrics")

    # Another variable: the name follows it, and the missing lineage is said before registering.
    variable.select_option("plain")
    expect(name).to_have_value("plain")
    expect(lineage).to_contain_text("No run is recorded for this model")
    expect(lineage).to_contain_text("no tracked cell of this kernel saved 'plain'")
    expect(form.get_by_test_id("mlops-lab-register-metrics")).to_have_count(0)
    screenshot(lab, "models-07-register-dialog-no-run")
    set_theme(lab, "JupyterLab Dark", False)
    screenshot(lab, "models-07-register-dialog-no-run-dark")
    set_theme(lab, "JupyterLab Light", True)
    # A name the user typed stays when the variable changes.
    name.fill("my own name")
    variable.select_option("clf")
    expect(name).to_have_value("my own name")

    # The run's link opens its tab (behind the dialog).
    form.get_by_test_id("mlops-lab-register-run").click()
    expect(lab.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Run fit-churn")).to_have_class(
        re.compile("lm-mod-current"), timeout=TIMEOUT_MS)
    lab.locator(".jp-Dialog").get_by_role("button", name="Cancel").click()
    expect(form).to_have_count(0)
    assert lab.dialogs == []


def test_other_input_columns_are_shown_and_asked_before_registering(lab, fitted, screenshot):
    form = open_register_dialog(lab)
    form.get_by_test_id("mlops-lab-register-variable").select_option("plain")
    form.get_by_test_id("mlops-lab-register-name").fill(EVIL)
    form.get_by_test_id("mlops-lab-register-example").select_option("X_plain")
    lab.locator(".jp-Dialog").get_by_role("button", name="Register").click()
    change = lab.get_by_test_id("mlops-lab-signature-change")
    expect(change).to_be_visible(timeout=KERNEL_TIMEOUT_MS)
    expect(lab.locator(".jp-Dialog-header")).to_have_text("Input columns differ from version 2")
    expect(change.get_by_test_id("mlops-lab-signature-added")).to_contain_text("Added (30)")
    expect(change.get_by_test_id("mlops-lab-signature-added")).to_contain_text("f0, f1")
    expect(change.get_by_test_id("mlops-lab-signature-removed")).to_contain_text("mean radius")
    expect(change).to_contain_text(EVIL)  # as text
    screenshot(lab, "models-08-signature-change-light")
    set_theme(lab, "JupyterLab Dark", False)
    screenshot(lab, "models-09-signature-change-dark")
    set_theme(lab, "JupyterLab Light", True)

    # Back: the form again, as it was; nothing registered.
    lab.locator(".jp-Dialog").get_by_role("button", name="Back").click()
    form = lab.get_by_test_id("mlops-lab-register-form")
    expect(form.get_by_test_id("mlops-lab-register-name")).to_have_value(EVIL)
    expect(form.get_by_test_id("mlops-lab-register-variable")).to_have_value("plain")
    lab.locator(".jp-Dialog").get_by_role("button", name="Register").click()
    expect(change).to_be_visible(timeout=KERNEL_TIMEOUT_MS)
    lab.locator(".jp-Dialog").get_by_role("button", name="Register anyway").click()
    toast = lab.locator(".Toastify__toast", has_text="version 3")
    expect(toast).to_be_visible(timeout=KERNEL_TIMEOUT_MS)
    expect(toast).to_contain_text("without a run")
    toast.get_by_role("button", name="Open in Models").click()
    view = lab.locator(".lm-DockPanel-widget:visible [data-testid=mlops-lab-model-view]")
    expect(view.get_by_test_id("mlops-lab-version-heading")).to_contain_text(
        "Version 3", timeout=TIMEOUT_MS)
    # The side panel lists the new version at once (its timed refresh is off here).
    row = lab.get_by_test_id("mlops-lab-model-row").filter(has_text=EVIL)
    expect(row).to_contain_text("v3", timeout=TIMEOUT_MS)
    assert lab.dialogs == []


def test_promote_and_roll_back_show_at_once_with_the_users_name(lab, fitted, screenshot):
    view = lab.locator(".lm-DockPanel-widget:visible [data-testid=mlops-lab-model-view]")
    expect(view.get_by_test_id("mlops-lab-model-title")).to_have_text(EVIL)
    row = lab.get_by_test_id("mlops-lab-model-row").filter(has_text=EVIL)
    expect(row).to_contain_text("@champion→1", timeout=TIMEOUT_MS)

    view.locator("[data-testid=mlops-lab-version-row][data-version='3']").get_by_test_id(
        "mlops-lab-promote").click()
    lab.locator(".jp-Dialog input").fill("champion")
    lab.locator(".jp-Dialog").get_by_role("button", name="Next").click()
    lab.locator(".jp-Dialog input").fill("tree on raw columns")
    lab.locator(".jp-Dialog").get_by_role("button", name="Confirm").click()
    # The panel has no timed refresh here: only the action's answer can move its chip.
    expect(row).to_contain_text("@champion→3", timeout=TIMEOUT_MS)
    expect(view.locator("[data-alias=champion]")).to_contain_text("version 3")
    newest = view.get_by_test_id("mlops-lab-alias-history").locator("tbody tr").first
    expect(newest).to_contain_text("tree on raw columns")
    # Who: the Jupyter user's name (token login: the account running the server), no hex id.
    expect(newest.locator(".mlops-lab-who")).to_have_text(getpass.getuser())

    view.locator("[data-alias=champion]").get_by_test_id("mlops-lab-alias-rollback").click()
    expect(lab.locator(".jp-Dialog", has_text="Roll back champion: v3 → v1")).to_be_visible()
    lab.locator(".jp-Dialog input").fill("back to the tracked one")
    lab.locator(".jp-Dialog").get_by_role("button", name="Confirm").click()
    expect(row).to_contain_text("@champion→1", timeout=TIMEOUT_MS)
    expect(view.locator("[data-alias=champion]")).to_contain_text("version 1")
    expect(newest).to_contain_text("Rolled back from version 3 to version 1")
    screenshot(lab, "models-10-rolled-back-panel")
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
