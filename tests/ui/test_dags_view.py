"""The DAGs tab and a DAG run's view in a real JupyterLab: the graph drawn with each step's
status, a step opening its run, Resume re-running the failed branch as real pipeline runs in
the server, names shown as text. Light and dark screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lab_helpers import open_panel_tab, set_theme
from test_pipelines import step_notebook as notebook

pytestmark = pytest.mark.ui

EVIL = "<img src=x onerror=alert(1)>"
TIMEOUT_MS = 30_000
RESUME_TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def dag_run(isolated_lab_server):
    """A DAG run in the server's store whose step `train` failed: `report` was skipped, the
    independent `audit` branch succeeded. The first attempt ran with a runner of this test;
    the notebooks are real, so Resume in the UI runs them for real."""
    from mlops_lab.pipelines.dags.executor import StepOutcome
    from mlops_lab.pipelines.dags.service import DagService
    from mlops_lab.store import open_store
    from mlops_lab.tracking.service import TrackingService

    _, _, root = isolated_lab_server
    folder = root / "dags"
    folder.mkdir()
    notebook(folder / "prepare.ipynb", "rows = 1", "import mlops_lab as ml\nml.output('n', rows)")
    notebook(folder / "features.ipynb", "n = 0", "import mlops_lab as ml\nml.output('k', n * 2)")
    notebook(folder / "train.ipynb", "n = 0", "import mlops_lab as ml\nml.output('auc', 0.9)")
    notebook(folder / "report.ipynb", "auc = 0.0\nk = 0",
             "import mlops_lab as ml\nml.output('done', True)")
    notebook(folder / "audit.ipynb", "x = 0", "pass")
    (folder / "pipeline.yaml").write_text(f"""
name: "churn {EVIL}"
steps:
  prepare: {{notebook: prepare.ipynb, parameters: {{rows: 100}}}}
  features: {{notebook: features.ipynb, depends_on: [prepare], parameters: {{n: "${{prepare.n}}"}}}}
  train: {{notebook: train.ipynb, depends_on: [prepare], parameters: {{n: "${{prepare.n}}"}}}}
  report:
    notebook: report.ipynb
    depends_on: [train, features]
    parameters: {{auc: "${{train.auc}}", k: "${{features.k}}"}}
  audit: {{notebook: audit.ipynb}}
""")
    home = root / ".mlops-lab"
    store = open_store(f"sqlite:///{home / 'mlops.db'}", str(home / "artifacts"))
    tracking = TrackingService(store)
    experiment = tracking.get_or_create_experiment("dags")

    def runner(call, link):
        run = tracking.create_run(experiment.id, name=call.step.name)
        if call.step.name == "train":
            tracking.end_run(run.id, "FAILED", error=f"ValueError: {EVIL}")
            return StepOutcome("FAILED", run_id=run.id, error=f"ValueError: {EVIL}")
        tracking.end_run(run.id)
        outputs = {"prepare": {"n": 100}, "features": {"k": 200}}.get(call.step.name, {})
        return StepOutcome("SUCCEEDED", outputs=outputs, run_id=run.id)

    return DagService(store, runner).run(folder / "pipeline.yaml")


@pytest.fixture(scope="module")
def lab(isolated_lab_server, lab_page, dag_run):
    base_url, token, _ = isolated_lab_server
    with lab_page(base_url, token) as page:
        yield page


def open_dags_tab(page):
    return open_panel_tab(page, "DAGs", "mlops-lab-dags-panel")


def statuses(view) -> dict[str, str]:
    nodes = view.get_by_test_id("mlops-lab-dag-node")
    return {nodes.nth(i).get_attribute("data-step"): nodes.nth(i).get_attribute("data-status")
            for i in range(nodes.count())}


def test_dag_view_draws_the_graph_with_statuses(lab, dag_run, screenshot):
    set_theme(lab, "JupyterLab Light", True)
    panel = open_dags_tab(lab)
    rows = panel.get_by_test_id("mlops-lab-dag-row")
    expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
    expect(rows.first).to_contain_text(f"churn {EVIL}")  # shown as text
    expect(rows.first).to_contain_text("failed")
    rows.first.click()

    view = lab.get_by_test_id("mlops-lab-dag-view")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    nodes = view.get_by_test_id("mlops-lab-dag-node")
    expect(nodes).to_have_count(5, timeout=TIMEOUT_MS)
    assert statuses(view) == {"prepare": "SUCCEEDED", "features": "SUCCEEDED",
                              "train": "FAILED", "report": "SKIPPED", "audit": "SUCCEEDED"}
    expect(view.locator("path.mlops-lab-dag-edge")).to_have_count(4)
    # Layers by depth: prepare left of train, train left of report.
    x = {name: view.locator(f'[data-step="{name}"]').bounding_box()["x"]
         for name in ("prepare", "train", "report", "audit")}
    assert x["prepare"] < x["train"] < x["report"] and x["audit"] == x["prepare"]
    expect(view.get_by_test_id("mlops-lab-dag-steps")).to_contain_text(f"ValueError: {EVIL}")
    expect(view.locator("img")).to_have_count(0)
    expect(view.get_by_test_id("mlops-lab-dag-resume")).to_be_visible()
    screenshot(lab, "dags-01-failed-light")

    # A step with a tracking run opens it.
    view.locator('[data-step="prepare"]').click()
    expect(lab.locator(".lm-TabBar-tab.lm-mod-current", has_text="Run prepare")).to_be_visible(
        timeout=TIMEOUT_MS)
    lab.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="DAG churn").click()
    assert lab.dialogs == []


def test_resume_runs_the_failed_branch_and_the_view_follows(lab, dag_run, screenshot):
    view = lab.get_by_test_id("mlops-lab-dag-view")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    view.get_by_test_id("mlops-lab-dag-resume").click()
    # The view polls while the DAG run is running, until every step has succeeded.
    expect(view.locator('[data-step="report"]')).to_have_attribute(
        "data-status", "SUCCEEDED", timeout=RESUME_TIMEOUT_MS)
    assert set(statuses(view).values()) == {"SUCCEEDED"}
    expect(view.get_by_test_id("mlops-lab-dag-resume")).to_have_count(0)
    expect(view.locator('[data-step="train"]')).to_contain_text("attempt 2")
    expect(view.get_by_test_id("mlops-lab-dag-steps")).to_contain_text('{"done":true}')
    screenshot(lab, "dags-02-resumed-light")
    set_theme(lab, "JupyterLab Dark", False)
    screenshot(lab, "dags-03-resumed-dark")
    set_theme(lab, "JupyterLab Light", True)
    assert lab.dialogs == []
