"""The Runs tab's columns: the user's own params and the metrics show, the params recorded
from a fitted model wait folded under the model in the column chooser, and what is chosen is
remembered for each experiment."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lab_helpers import open_panel_tab, set_theme

pytestmark = pytest.mark.ui

TIMEOUT_MS = 30_000
HEADERS = ".mlops-lab-runs-table thead th"
MODEL_PARAMS = {f"clf.{name}": index for index, name in enumerate(
    ["n_estimators", "max_depth", "min_samples_leaf", "criterion", "bootstrap", "max_features"])}


@pytest.fixture(scope="module")
def prepare_store():
    def fill(home):
        from mlops_lab import config
        from mlops_lab.store import open_store
        from mlops_lab.tracking.service import TrackingService

        svc = TrackingService(open_store(config.database_uri(home), config.artifacts_root(home)))
        for experiment in ("forest", "other"):
            exp = svc.get_or_create_experiment(experiment)
            for index in range(3):
                run = svc.create_run(exp.id, name=f"{experiment}-{index}", tags={"team": "a"})
                svc.log_params(run.id, {"lr": 0.1 * (index + 1), **MODEL_PARAMS})
                svc.log_metrics(run.id, {"acc": 0.5 + index / 10})
                svc.end_run(run.id)
    return fill


def choose_experiment(lab, name: str):
    panel = open_panel_tab(lab, "Runs", "mlops-lab-panel")
    panel.get_by_test_id("mlops-lab-experiment").select_option(label=f"{name} (3)")
    expect(panel.get_by_test_id("mlops-lab-count")).to_have_text("3 runs", timeout=TIMEOUT_MS)
    return panel


def test_model_params_are_folded_and_choices_are_kept_per_experiment(lab, screenshot):
    panel = choose_experiment(lab, "forest")
    headers = panel.locator(HEADERS)
    expect(headers).to_have_text(["", "Name", "Status", "Started", "Duration", "acc", "lr"],
                                 timeout=TIMEOUT_MS)

    panel.get_by_test_id("mlops-lab-columns").click()
    chooser = panel.get_by_test_id("mlops-lab-column-chooser-list")
    def group(label: str):
        return chooser.get_by_test_id("mlops-lab-column-chooser-group").filter(has_text=label)

    model = group("clf (model params)")
    expect(model.locator("legend button")).to_have_text("▸ 6")  # folded: six params under it
    model.locator("legend button").click()
    expect(model.locator(".mlops-lab-column-chooser-item")).to_have_count(6)
    model.locator(".mlops-lab-column-chooser-item", has_text="max_depth").locator("input").check()
    group("Tags").locator("legend input").check()
    group("Run").locator(".mlops-lab-column-chooser-item", has_text="Duration").locator(
        "input").uncheck()
    expect(headers).to_have_text(["", "Name", "Status", "Started", "acc", "lr",
                                  "clf.max_depth", "team"])
    for theme, light, name in (("JupyterLab Light", True, "light"),
                               ("JupyterLab Dark", False, "dark")):
        set_theme(lab, theme, light)
        screenshot(lab, f"columns-01-chooser-{name}")
    set_theme(lab, "JupyterLab Light", True)
    panel.get_by_test_id("mlops-lab-columns").click()
    expect(chooser).to_have_count(0)

    # Another experiment has its own choice (the default here); coming back restores forest's,
    # and so does a reload of the page.
    choose_experiment(lab, "other")
    expect(headers).to_have_text(["", "Name", "Status", "Started", "Duration", "acc", "lr"])
    choose_experiment(lab, "forest")
    expect(headers).to_have_text(["", "Name", "Status", "Started", "acc", "lr",
                                  "clf.max_depth", "team"])
    lab.reload()
    lab.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    lab.evaluate("() => window.jupyterapp.restored.then(() => true)")
    choose_experiment(lab, "forest")
    expect(panel.locator(HEADERS)).to_have_text(["", "Name", "Status", "Started", "acc", "lr",
                                                 "clf.max_depth", "team"], timeout=TIMEOUT_MS)


def test_a_param_column_sorts_on_the_server(lab):
    panel = choose_experiment(lab, "other")
    panel.locator(HEADERS, has_text="lr").click()
    names = panel.locator("[data-testid=mlops-lab-run-row] .mlops-lab-run-name")
    expect(names).to_have_text(["other-0", "other-1", "other-2"], timeout=TIMEOUT_MS)
    panel.locator(HEADERS, has_text="lr").click()
    expect(names).to_have_text(["other-2", "other-1", "other-0"], timeout=TIMEOUT_MS)
