"""The MLOps Lab side panel in a real JupyterLab: runs recorded through the Python API show
up, filter, open, compare, and names stay text."""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import expect

from lab_helpers import open_panel_tab

pytestmark = pytest.mark.ui

XSS = "<img src=x onerror=alert(1)>"
SOURCE_CELL = "from sklearn.ensemble import RandomForestClassifier\nclf = RandomForestClassifier(max_depth=5)\nclf.fit(X, y)"
ROW = "[data-testid=mlops-lab-run-row]"
TIMEOUT_MS = 30_000


ARTIFACT_TEXT = "feature importances: petal_length 0.44"


@pytest.fixture(scope="module")
def runs(ui_root, tmp_path_factory) -> dict[str, str]:
    """Runs recorded through the public Python API into the server's store: name -> id."""
    import mlops_lab as ml

    ml.set_experiment("ui-test")
    recorded = {}
    specs = [("rf-run", "rf", 0.9, 0.5), ("svm-run", "svm", 0.4, math.nan),
             ("logreg-run", "logreg", 0.75, math.inf)]
    for index, (name, model, acc, odd) in enumerate(specs):
        source = None
        if name == "rf-run":
            source = {"cell": SOURCE_CELL, "notebook": "train.ipynb", "execution_count": 7,
                      "kind": "cell"}
        with ml.start_run(name=name, source=source,
                          environment={"python": "3.11.7", "platform": "Linux",
                                       "packages": {"numpy": "1.26"}, "git": None,
                                       "seeds": {"numpy": 42}}) as run:
            ml.log_params({"model": model, "max_depth": 5 + index, "C": 1.0 / (index + 1)})
            for step in range(4):
                ml.log_metric("loss", 1.0 / (step + 1 + index), step=step)
            ml.log_metric("acc", acc)
            ml.log_metric("odd", odd)
            if name == "rf-run":
                notes = tmp_path_factory.mktemp("artifact") / "notes.txt"
                notes.write_text(ARTIFACT_TEXT)
                ml.log_artifact(str(notes))
            recorded[name] = run.id
    with ml.start_run(name=XSS) as run:
        ml.log_param("model", "<b>bold</b>")
        ml.log_metric("acc", 0.1)
        recorded[XSS] = run.id
    return recorded


@pytest.fixture(scope="module")
def lab(lab_server, lab_page, runs):
    base_url, token = lab_server
    with lab_page(base_url, token) as page:
        yield page


def open_panel(page):
    panel = page.locator("#mlops-lab-panel")
    if not panel.is_visible():
        page.locator('.jp-SideBar .lm-TabBar-tab[data-id="mlops-lab-panel"]').click()
    expect(panel).to_be_visible()
    return panel


def apply_filter(page, text: str) -> None:
    box = page.get_by_test_id("mlops-lab-filter")
    box.fill(text)
    box.press("Enter")


def row(page, name: str):
    return page.locator(ROW).filter(
        has=page.locator(".mlops-lab-run-name", has_text=name))


def test_panel_lists_recorded_runs(lab, runs, screenshot):
    panel = open_panel(lab)
    expect(lab.locator(ROW)).to_have_count(len(runs), timeout=TIMEOUT_MS)
    expect(panel.get_by_test_id("mlops-lab-store")).to_contain_text("mlops.db")
    expect(panel.get_by_test_id("mlops-lab-experiment")).to_contain_text("ui-test (4)")
    # Non-finite metrics are shown as NaN and ∞, not as strings from JSON.
    expect(row(lab, "svm-run")).to_contain_text("NaN")
    expect(row(lab, "logreg-run")).to_contain_text("∞")
    screenshot(lab, "01-panel")


def test_every_panel_tab_shows_its_whole_name(lab, runs):
    """At the panel's default width the tabs wrap onto rows instead of being cut to "D…"
    (Data and DAGs), and the rows push the tab's content down rather than covering it."""
    open_panel(lab)
    tabs = lab.locator("#mlops-lab-panel .mlops-lab-tabbar .lm-TabBar-tab")
    expect(tabs).to_have_count(7, timeout=TIMEOUT_MS)
    names = tabs.locator(".lm-TabBar-tabLabel")
    assert names.all_inner_texts() == ["Runs", "Data", "Features", "Models", "Pipelines",
                                       "DAGs", "Monitoring"]
    for label in names.all():
        assert label.evaluate("node => node.scrollWidth <= node.clientWidth + 1")
    lab.wait_for_function(
        "() => { const bar = document.querySelector('#mlops-lab-panel .mlops-lab-tabbar');"
        " const last = [...bar.querySelectorAll('.lm-TabBar-tab')].pop();"
        " return last.getBoundingClientRect().bottom <= bar.getBoundingClientRect().bottom + 1; }",
        timeout=TIMEOUT_MS)
    bar = lab.locator("#mlops-lab-panel .mlops-lab-tabbar").bounding_box()
    body = lab.get_by_test_id("mlops-lab-filter").bounding_box()
    assert body["y"] >= bar["y"] + bar["height"]


def test_the_monitoring_tab_says_how_to_create_a_monitor(lab, runs):
    panel = open_panel_tab(lab, "Monitoring", "mlops-lab-monitoring-panel")
    expect(panel.get_by_test_id("mlops-lab-monitors-empty")).to_contain_text(
        "No monitors yet: create one with New…, ml.create_monitor('churn@champion') or "
        "`mlops-lab monitors create churn@champion`", timeout=TIMEOUT_MS)
    lab.locator("#mlops-lab-panel .lm-TabBar-tab", has_text="Runs").click()
    expect(lab.locator(ROW).first).to_be_visible(timeout=TIMEOUT_MS)


def test_names_are_text_not_html(lab, runs):
    open_panel(lab)
    name_cell = row(lab, "onerror").locator(".mlops-lab-run-name")
    expect(name_cell).to_have_text(XSS)
    expect(lab.locator(".mlops-lab-runs-table img")).to_have_count(0)
    expect(row(lab, "onerror")).to_contain_text("<b>bold</b>")
    assert lab.dialogs == []


def test_filter_uses_server_grammar(lab, runs, screenshot):
    open_panel(lab)
    apply_filter(lab, "metrics.acc > 0.5")
    expect(lab.locator(ROW)).to_have_count(2, timeout=TIMEOUT_MS)
    names = sorted(lab.locator(f"{ROW} .mlops-lab-run-name").all_inner_texts())
    assert names == ["logreg-run", "rf-run"]
    screenshot(lab, "02-filtered")

    apply_filter(lab, "metrics.acc >")
    error = lab.get_by_test_id("mlops-lab-filter-error")
    expect(error).to_be_visible(timeout=TIMEOUT_MS)
    assert error.inner_text().strip()
    screenshot(lab, "03-filter-error")

    apply_filter(lab, "")
    expect(error).to_have_count(0, timeout=TIMEOUT_MS)
    expect(lab.locator(ROW)).to_have_count(len(runs), timeout=TIMEOUT_MS)


def test_sort_by_metric_header(lab, runs):
    open_panel(lab)
    lab.locator(".mlops-lab-runs-table th", has_text="acc").click()
    expect(lab.locator(f"{ROW} .mlops-lab-run-name").first).to_have_text(
        "rf-run", timeout=TIMEOUT_MS)
    lab.locator(".mlops-lab-runs-table th", has_text="acc").click()
    expect(lab.locator(f"{ROW} .mlops-lab-run-name").first).to_have_text(
        XSS, timeout=TIMEOUT_MS)


def test_open_run_shows_params_metrics_and_source(lab, runs, screenshot):
    open_panel(lab)
    asked: list[str] = []
    lab.on("request", lambda request: asked.append(request.url))
    row(lab, "rf-run").click()
    view = lab.get_by_test_id("mlops-lab-run-view")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    expect(lab.locator(".lm-TabBar-tab.lm-mod-current", has_text="Run rf-run")).to_be_visible()
    expect(view.get_by_test_id("mlops-lab-params")).to_contain_text("max_depth")
    expect(view.get_by_test_id("mlops-lab-params")).to_contain_text("rf")
    expect(view.get_by_test_id("mlops-lab-metrics")).to_contain_text("acc")
    expect(view.get_by_test_id("mlops-lab-metrics")).to_contain_text("0.9")
    source = view.get_by_test_id("mlops-lab-source")
    expect(source.locator("pre")).to_have_text(SOURCE_CELL)
    expect(source).to_contain_text("train.ipynb")
    # "loss" was logged at four steps: its history is drawn.
    expect(view.locator(".js-plotly-plot").first).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(lab, "04-run")
    # All the run's metric histories came in one request.
    histories = [url for url in asked if f"/runs/{runs['rf-run']}/metric" in url]
    assert len(histories) == 1 and "/metric-histories?" in histories[0], histories

    # The artifact link downloads with the session cookie alone (same-origin GET).
    link = view.get_by_test_id("mlops-lab-artifacts").locator(
        "tr[data-artifact='notes.txt'] a", has_text="Download")
    expect(link).to_be_visible(timeout=TIMEOUT_MS)
    href = link.get_attribute("href")
    assert "token" not in href and href.endswith("notes.txt")
    body = lab.evaluate("async href => { const r = await fetch(href);"
                        " return [r.status, await r.text()]; }", href)
    assert body == [200, ARTIFACT_TEXT]


def test_xss_named_run_view(lab, runs):
    open_panel(lab)
    row(lab, "onerror").click()
    view = lab.locator(f"#mlops-lab-run-{runs[XSS]} [data-testid=mlops-lab-run-view]")
    expect(view.locator("h2")).to_have_text(XSS, timeout=TIMEOUT_MS)
    expect(view.locator("img")).to_have_count(0)
    assert lab.dialogs == []


def test_compare_two_runs(lab, runs, screenshot):
    open_panel(lab)
    row(lab, "rf-run").get_by_test_id("mlops-lab-run-select").check()
    row(lab, "svm-run").get_by_test_id("mlops-lab-run-select").check()
    lab.get_by_test_id("mlops-lab-compare").click()
    view = lab.get_by_test_id("mlops-lab-compare-view")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    # metric history, parallel coordinates, scatter, metric by param
    expect(view.locator(".js-plotly-plot")).to_have_count(4, timeout=TIMEOUT_MS)
    differs = view.locator("[data-testid=mlops-lab-params-diff] tr.mlops-lab-differs th")
    expect(differs).to_have_count(3)  # model, max_depth and C all differ
    expect(view.get_by_test_id("mlops-lab-metrics-compare")).to_contain_text("loss")
    screenshot(lab, "05-compare")


def test_new_runs_appear_without_reload(lab, runs):
    import mlops_lab as ml

    open_panel(lab)
    with ml.start_run(name="late-run"):
        ml.log_metric("acc", 0.6)
    # The panel polls every refreshInterval seconds (5 by default) while visible.
    expect(row(lab, "late-run")).to_have_count(1, timeout=TIMEOUT_MS)


def test_dark_theme(lab, runs, screenshot):
    lab.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme',"
        " {theme: 'JupyterLab Dark'})")
    expect(lab.locator("body[data-jp-theme-light='false']")).to_have_count(1,
                                                                            timeout=TIMEOUT_MS)
    open_panel(lab)
    screenshot(lab, "06-dark-compare")
    lab.locator(".lm-TabBar-tab", has_text="Run rf-run").click()
    expect(lab.get_by_test_id("mlops-lab-run-view").first).to_be_visible()
    screenshot(lab, "07-dark-run")
    lab.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme',"
        " {theme: 'JupyterLab Light'})")


def test_track_this_cell(lab, ui_root):
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, str(ui_root / "track.ipynb"))
    lab.evaluate("() => window.jupyterapp.commands.execute('docmanager:open',"
                 " {path: 'track.ipynb', factory: 'Notebook', kernel: {name: 'python3'}})"
                 ".then(() => true)")
    editor = lab.locator(".jp-NotebookPanel:visible .jp-CodeCell .cm-content").first
    expect(editor).to_have_text("x = 1", timeout=TIMEOUT_MS)

    editor.click(button="right")
    lab.locator(".lm-Menu-item", has_text="MLOps Lab: Track this cell").click()
    expect(editor.locator(".cm-line")).to_have_text(["%%track", "x = 1"])

    # A second time leaves the cell as it is.
    lab.evaluate("() => window.jupyterapp.commands.execute('mlops-lab:track-cell')")
    expect(editor.locator(".cm-line")).to_have_text(["%%track", "x = 1"])


def test_experiment_picker_and_scrolling_loads_more(lab):
    import mlops_lab as ml

    # More runs than one page (50) in an experiment of their own.
    for index in range(55):
        with ml.start_run(name=f"page-{index:02d}", experiment="paging"):
            ml.log_metric("acc", index / 100)
    panel = open_panel(lab)
    picker = panel.get_by_test_id("mlops-lab-experiment")
    expect(picker.locator("option", has_text="paging (55)")).to_have_count(1, timeout=TIMEOUT_MS)
    picker.select_option(label="paging (55)")
    # The count is of every run of the experiment, though one page (50) is loaded.
    expect(panel.get_by_test_id("mlops-lab-count")).to_have_text("55 runs", timeout=TIMEOUT_MS)
    # Runs started in the same millisecond keep one order, so the 55th row is some run.
    last = lab.locator(f"{ROW}[data-index='54']")
    expect(last).to_have_count(0)
    # Scrolling to the end of the first page asks for the next one.
    for _ in range(10):
        panel.get_by_test_id("mlops-lab-panel").locator(".mlops-lab-table-scroll").evaluate(
            "box => box.scrollTo(0, box.scrollHeight)")
        try:
            expect(last).to_have_count(1, timeout=1_000)
            break
        except AssertionError:
            continue
    expect(last).to_be_visible()
    assert lab.locator(ROW).count() < 55  # the rows in view only


def test_a_running_run_is_followed(lab):
    import mlops_lab as ml

    run = ml.start_run(name="live-run", experiment="live")
    try:
        panel = open_panel(lab)
        panel.get_by_test_id("mlops-lab-experiment").select_option(value="")
        # Whatever order an earlier test left the table in, the filter finds the run.
        apply_filter(lab, "name = 'live-run'")
        row(lab, "live-run").click()
        view = lab.locator("[data-testid=mlops-lab-run-view]", has_text=run.id)
        expect(view.locator(".mlops-lab-status-running")).to_be_visible(timeout=TIMEOUT_MS)
        ml.log_metric("late", 0.25)
        expect(view.get_by_test_id("mlops-lab-metrics")).to_contain_text("late",
                                                                          timeout=TIMEOUT_MS)
    finally:
        ml.end_run()
    expect(view.locator(".mlops-lab-status-finished")).to_be_visible(timeout=TIMEOUT_MS)


def test_a_child_runs_parent_is_a_link(lab, screenshot):
    import mlops_lab as ml

    with ml.start_run(name="sweep-parent", experiment="nested") as parent:
        for trial in ("trial-1", "trial-2"):
            with ml.start_run(name=trial):
                pass
    panel = open_panel(lab)
    panel.get_by_test_id("mlops-lab-experiment").select_option(value="")
    apply_filter(lab, "experiment_id = %d and name = 'sweep-parent' or name = 'trial-1'"
                 % parent.info.experiment_id)
    expect(lab.locator(ROW)).to_have_count(2, timeout=TIMEOUT_MS)
    expect(row(lab, "sweep-parent").get_by_test_id("mlops-lab-run-parent")).to_have_count(0)
    # The parent opens its runs below it, indented, whatever the filter shows.
    opener = row(lab, "sweep-parent").get_by_test_id("mlops-lab-run-children")
    expect(opener).to_have_text("▸2")
    opener.click()
    expect(lab.locator(ROW)).to_have_count(4, timeout=TIMEOUT_MS)
    # Right below the parent, its runs (both trials; runs of one millisecond in id order).
    names = lab.locator(f"{ROW} .mlops-lab-run-name").all_inner_texts()
    at = next(i for i, name in enumerate(names) if name.endswith("sweep-parent"))
    assert sorted(names[at + 1:at + 3]) == ["trial-1", "trial-2"]  # no ↳: shown under it
    expect(opener).to_have_attribute("aria-expanded", "true")
    screenshot(lab, "nested-02-opened")
    opener.click()
    expect(lab.locator(ROW)).to_have_count(2, timeout=TIMEOUT_MS)
    link = row(lab, "trial-1").get_by_test_id("mlops-lab-run-parent")
    screenshot(lab, "nested-01-child-row")
    link.click()
    view = lab.locator("[data-testid=mlops-lab-run-view]", has_text=parent.id)
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    expect(lab.locator(".lm-TabBar-tab.lm-mod-current", has_text="Run sweep-parent")
           ).to_be_visible()
    apply_filter(lab, "")


API_PATHS = ["store", "experiments", "runs", "runs/{id}", "runs/{id}/metrics/loss",
             "runs/{id}/artifacts", "runs/{id}/artifacts/notes.txt"]


def test_cookie_sessions_read_the_api_and_foreign_origins_do_not(lab, runs, lab_server):
    """BAD-INPUTS row 21 with a real login cookie: the browser context's request client
    carries the cookie the lab page got, and no token."""
    base_url, token = lab_server
    request = lab.context.request
    for path in API_PATHS:
        url = f"{base_url}/mlops-lab/api/{path.format(id=runs['rf-run'])}"
        own = request.get(url)  # a GET needs no XSRF token
        assert own.status == 200, (path, own.status)
        same_origin = request.get(url, headers={"Origin": base_url})
        assert same_origin.status == 200, (path, same_origin.status)
        foreign = request.get(url, headers={"Origin": "http://evil.example"})
        assert foreign.status in (403, 404), (path, foreign.status)
        assert token not in foreign.text() and ARTIFACT_TEXT not in foreign.text()
