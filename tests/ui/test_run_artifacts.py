"""Artifact previews in a run's view in a real JupyterLab: a run with a text file, a CSV table,
a plotly figure, a PNG plot, a notebook and a registered model file, stored before the lab
starts. Each artifact opens its preview in place; the notebook is static HTML in a sandboxed
frame whose scripts never run; the model file shows its version's card with a link to it.
Light and dark screenshots."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from lab_helpers import open_panel_tab, set_theme
from test_artifact_previews import notebook_bytes

pytestmark = pytest.mark.ui

TIMEOUT_MS = 30_000


def fill_store(home) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import plotly.graph_objects as go
    import skops.io
    from sklearn.linear_model import LogisticRegression

    from mlops_lab import config
    from mlops_lab.services import services_for
    from mlops_lab.store import open_store

    s = services_for(open_store(config.database_uri(home), config.artifacts_root(home)))
    t = s.tracking
    run = t.create_run(t.get_or_create_experiment("previews").id, name="gallery-fit")
    frame = pd.DataFrame({"age": range(40), "plan": ["free", "pro", "team", "free"] * 10})
    figure, axes = plt.subplots(figsize=(4, 3))
    axes.plot([0, 0.2, 1], [0, 0.8, 1], label="ROC")
    axes.legend()
    png = io.BytesIO()
    figure.savefig(png, format="png")
    files = {
        "notes.txt": b"Trained on customers@3 with a grid search over C.\n",
        "data/sample.csv": frame.to_csv(index=False).encode(),
        "plots/auc.plotly.json": go.Figure(go.Scatter(x=[1, 2, 3], y=[0.71, 0.78, 0.83],
                                                      name="auc")).to_json().encode(),
        "plots/roc.png": png.getvalue(),
        "report.ipynb": notebook_bytes(),
        "model.skops": skops.io.dumps(LogisticRegression().fit(frame[["age"]], [0, 1] * 20)),
    }
    for path, data in files.items():
        t.log_artifact_bytes(run.id, data, path)
    t.end_run(run.id)
    s.models.register(name="churn", run_id=run.id, artifact="model.skops")


@pytest.fixture(scope="module")
def prepare_store():
    return fill_store


def open_preview(view, path: str):
    view.locator(f"tr[data-artifact='{path}']").get_by_test_id(
        "mlops-lab-artifact-toggle").click()
    preview = view.locator(f"tr[data-artifact='{path}'] + tr").get_by_test_id(
        "mlops-lab-artifact-preview")
    expect(preview).to_be_visible(timeout=TIMEOUT_MS)
    return preview


def test_each_artifact_opens_its_preview_in_place(lab, screenshot):
    set_theme(lab, "JupyterLab Light", True)
    panel = open_panel_tab(lab, "Runs", "mlops-lab-runs-table")
    panel.locator("[data-testid=mlops-lab-run-row]", has_text="gallery-fit").click()
    view = lab.locator("[data-testid=mlops-lab-run-view]:visible")
    expect(view.get_by_test_id("mlops-lab-artifacts")).to_be_visible(timeout=TIMEOUT_MS)

    expect(open_preview(view, "notes.txt")).to_contain_text("grid search over C")
    table = open_preview(view, "data/sample.csv")
    expect(table.locator("th")).to_have_text(["age", "plan"])
    expect(table.locator("tbody tr")).to_have_count(20)
    expect(table).to_contain_text("The first 20 rows.")
    chart = open_preview(view, "plots/auc.plotly.json")
    expect(chart.locator(".scatterlayer .trace")).to_have_count(1, timeout=TIMEOUT_MS)
    image = open_preview(view, "plots/roc.png").locator("img")
    expect(image).to_be_visible(timeout=TIMEOUT_MS)
    lab.wait_for_function("img => img.complete && img.naturalWidth > 100",
                          arg=image.element_handle(), timeout=TIMEOUT_MS)
    screenshot(lab, "artifacts-01-previews")

    notebook = open_preview(view, "report.ipynb").get_by_test_id("mlops-lab-artifact-notebook")
    assert notebook.get_attribute("sandbox") == ""  # no scripts, not the page's origin
    expect(notebook.content_frame.locator("body")).to_contain_text("Churn model",
                                                                   timeout=TIMEOUT_MS)
    model = open_preview(view, "model.skops")
    expect(model).to_contain_text("Registered as churn/1")
    expect(model).to_contain_text("LogisticRegression")
    model.locator("a.mlops-lab-model-link").scroll_into_view_if_needed()
    screenshot(lab, "artifacts-02-notebook-and-model")
    set_theme(lab, "JupyterLab Dark", False)
    screenshot(lab, "artifacts-03-dark")
    set_theme(lab, "JupyterLab Light", True)

    model.locator("a.mlops-lab-model-link").click()
    expect(lab.locator("[data-testid=mlops-lab-model-view]:visible")).to_contain_text(
        "churn", timeout=TIMEOUT_MS)
    assert lab.dialogs == []
