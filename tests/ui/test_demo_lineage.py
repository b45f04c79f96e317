"""`mlops-lab demo` run into a fresh folder, then a real JupyterLab over that folder: the loop's
lineage, as the store holds it and as the panel shows it. The model view's retraining firing
reads alert → pipeline run → version 2 → gate → promoted, and each link opens its view (the
alert outlined in the Monitoring tab, the gate card, the pipeline run); the alias history says
which gate moved the champion."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from lab_helpers import set_theme

pytestmark = pytest.mark.ui

TIMEOUT_MS = 30_000
STEPS = ["snapshot", "train", "register", "champion", "watch", "serve", "traffic",
         "shifted_traffic", "labels", "monitor", "alert", "fired", "pipeline", "registered",
         "gate", "promoted", "swapped", "lineage"]


@pytest.fixture(scope="module")
def demo() -> dict:
    """What the demo printed (--json), filled in before the lab starts."""
    return {}


@pytest.fixture(scope="module")
def prepare_store(demo, tmp_path_factory):
    def fill(home):
        # The user's own store is elsewhere: the demo must leave it be.
        mine = tmp_path_factory.mktemp("mine") / ".mlops-lab"
        env = {**os.environ, "MLOPS_LAB_HOME": str(mine)}
        env.pop("MLOPS_LAB_URI", None)
        env.pop("MLOPS_LAB_ARTIFACTS", None)
        proc = subprocess.run([sys.executable, "-m", "mlops_lab.cli", "demo", "--folder",
                               str(home.parent), "--json"], capture_output=True, text=True,
                              env=env, timeout=300)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert not mine.exists(), "the demo wrote to the user's own store"
        demo.update(json.loads(proc.stdout))
    return fill


@pytest.fixture(scope="module")
def store(isolated_lab_server):
    from mlops_lab.services import services_for
    from mlops_lab.store import open_store

    home = isolated_lab_server[2] / ".mlops-lab"
    return services_for(open_store(f"sqlite:///{home / 'mlops.db'}", str(home / "artifacts")))


def test_the_demo_ran_the_loop_and_its_lineage_is_in_the_store(lab, demo, store,
                                                               isolated_lab_server):
    steps = demo["steps"]
    assert list(steps) == STEPS
    assert steps["train"]["roc_auc"] > 0.9 and steps["serve"]["version"] == 1
    assert steps["monitor"]["status"] == "drift"
    assert list(steps["monitor"]["drifted"]) == ["support_calls"]  # the shifted feature only
    assert steps["alert"]["features"] == ["support_calls"]
    gate = steps["gate"]
    assert gate["passed"] and gate["data"]["snapshot"] == "holdout@2"
    assert gate["improvement"]["low"] > 0.01  # better by more than the margin, all of it
    assert steps["promoted"]["to_version"] == 2 and steps["swapped"]["version"] == 2
    timing = steps["swapped"]["timing"]
    assert 0 < timing["swap_s"] <= timing["total_s"]

    lineage = demo["lineage"]
    alert = store.alerts.get_alert(lineage["alert"])
    firing = store.retraining.get_firing(lineage["firing"])
    assert firing.trigger["alert"] == alert.id and firing.status == "promoted"
    run = store.pipelines.get(lineage["pipeline_run"])
    assert firing.pipeline_run_id == run.id and run.status == "SUCCEEDED"
    under = [run.run_id, *store.tracking.descendant_ids(run.run_id)]  # the runs it made
    assert store.models.versions_from_runs("churn", under) == [lineage["version"]] == [2]
    evaluation = store.evaluation.get_evaluation(lineage["gate"])
    assert evaluation.passed and evaluation.version == 2 and firing.evaluation_id == evaluation.id
    move = store.models.alias_history("churn", "champion")[0]
    assert (move.from_version, move.to_version, move.evaluation_id) == (1, 2, evaluation.id)
    assert (isolated_lab_server[2] / "retrain.ipynb").is_file()


def test_the_panel_follows_the_lineage_from_the_alert_to_the_alias_move(lab, demo, screenshot):
    lineage = demo["lineage"]
    set_theme(lab, "JupyterLab Light", True)
    lab.evaluate("() => window.jupyterapp.commands.execute('mlops-lab:open-model', "
                 "{name: 'churn', version: 2})")
    view = lab.locator(".lm-DockPanel-widget:visible [data-testid=mlops-lab-model-view]")
    firing = view.locator(f"[data-testid=mlops-lab-firing][data-firing='{lineage['firing']}']")
    expect(firing).to_have_attribute("data-status", "promoted", timeout=TIMEOUT_MS)
    expect(firing.get_by_test_id("mlops-lab-firing-trigger")).to_contain_text(
        f"alert #{lineage['alert']}")
    expect(firing.get_by_test_id("mlops-lab-firing-run")).to_have_text(
        f"pipeline run {lineage['pipeline_run'][:8]}")
    expect(firing.get_by_test_id("mlops-lab-firing-version")).to_have_text("v2")
    expect(firing.get_by_test_id("mlops-lab-firing-gate")).to_contain_text(
        f"gate #{lineage['gate']} (passed: roc_auc +")
    history = view.get_by_test_id("mlops-lab-alias-history")
    expect(history).to_contain_text(f"Passed gate #{lineage['gate']} on roc_auc")
    firing.scroll_into_view_if_needed()
    screenshot(lab, "demo-01-lineage")

    # The gate: its card, outlined, with the verdict.
    firing.get_by_test_id("mlops-lab-firing-gate").click()
    card = view.locator(f"[data-evaluation-id='{lineage['gate']}']")
    expect(card).to_have_class(re.compile("mlops-lab-focused"))
    expect(card).to_contain_text("v2 (challenger) vs v1 (champion)")
    screenshot(lab, "demo-02-gate")

    # The alert that started it: the Monitoring tab, the alert outlined.
    firing.get_by_test_id("mlops-lab-firing-trigger").locator("a").click()
    alert_row = lab.locator(f"[data-testid=mlops-lab-monitoring-panel] "
                            f"[data-alert='{lineage['alert']}']")
    expect(alert_row).to_have_class(re.compile("mlops-lab-focused"), timeout=TIMEOUT_MS)
    expect(alert_row).to_contain_text("support_calls")
    screenshot(lab, "demo-03-alert")

    # The retraining run: its pipeline run view.
    firing.get_by_test_id("mlops-lab-firing-run").click()
    expect(lab.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")).to_have_attribute(
        "data-id", f"mlops-lab-pipeline-run-{lineage['pipeline_run']}", timeout=TIMEOUT_MS)
    expect(lab.locator(".lm-DockPanel-widget:visible [data-testid=mlops-lab-pipeline-view]")
           ).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(lab, "demo-04-pipeline-run")
    assert lab.dialogs == []
