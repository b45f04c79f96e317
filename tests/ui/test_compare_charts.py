"""Metric charts, the compare view and main-area tabs in a real JupyterLab, over runs stored
before the lab starts: four runs whose own params and model (`clf.*`) params partly differ,
close accuracies logged once, and loss histories logged over time. Compare shows only what
differs (grouped by model) until asked, draws bars of close values from near them, lets the
user pick the x-axis, smoothing, log scale and metrics of the history chart and the axes of
parallel coordinates, scatter and box charts; a second compare of the same runs, or a second
open of a run, shows the tab already open. Light and dark screenshots."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from lab_helpers import set_theme

pytestmark = pytest.mark.ui

TIMEOUT_MS = 30_000
MAIN_TABS = "#jp-main-dock-panel .lm-TabBar-tab"
OUR_TABS = re.compile(r"^(Compare|Run|Model) ")

# name -> (user params, the model's params, accuracy); `seed` and `clf.n_estimators` are the
# same in every run, so "only what differs" hides them.
SPECS = {
    "rf-shallow": ({"model": "rf", "max_depth": 3, "seed": 42}, {"max_depth": 3}, 0.912),
    "rf-mid": ({"model": "rf", "max_depth": 5, "seed": 42}, {"max_depth": 5}, 0.915),
    "rf-deep": ({"model": "rf", "max_depth": 12, "seed": 42}, {"max_depth": 12}, 0.918),
    "gb": ({"model": "gb", "max_depth": 3, "seed": 42}, {"max_depth": 3}, 0.921),
}
STEPS = 10
XSS = "<img src=x onerror=alert(1)>"
RUNS: dict[str, str] = {}  # name -> id, filled when the store is prepared


def loss(index: int, step: int) -> float:
    """A falling, zig-zagging loss: smoothing visibly changes it."""
    return 1.0 / (step + 1 + index) + (0.05 if step % 2 else 0.0)


def fill_store(home) -> None:
    from mlops_lab import config
    from mlops_lab.services import services_for
    from mlops_lab.store import open_store
    from test_monitors_service import train_champion

    s = services_for(open_store(config.database_uri(home), config.artifacts_root(home)))
    tracking = s.tracking
    experiment = tracking.get_or_create_experiment("compare").id
    for index, (name, (own, model, acc)) in enumerate(SPECS.items()):
        run = tracking.create_run(experiment, name=name)
        tracking.log_params(run.id, {**own, **{f"clf.{k}": v for k, v in model.items()},
                                     "clf.n_estimators": 100})
        tracking.log_metrics(run.id, {"acc": acc, "epochs": 10})
        start = 1_700_000_000_000 + index * 3_600_000
        for step in range(STEPS):
            # Steps 2 s apart, so relative time is 2 s per step.
            tracking.log_metrics(run.id, {"loss": loss(index, step),
                                          "val_loss": loss(index, step) + 0.1},
                                 step=step, timestamp=start + step * 2000)
        tracking.end_run(run.id)
        RUNS[name] = run.id
    run = tracking.create_run(experiment, name=XSS)  # names and values that look like markup
    tracking.log_params(run.id, {"model": "<b>bold</b>", "<i>key</i>": "x", "max_depth": 4})
    tracking.log_metrics(run.id, {"acc": 0.5, "<u>metric</u>": 1.0})
    tracking.end_run(run.id)
    RUNS[XSS] = run.id
    train_champion(s)  # the model "churn", version 1


@pytest.fixture(scope="module")
def prepare_store():
    return fill_store


def run_command(page, command: str, args: dict) -> None:
    page.evaluate("([command, args]) => window.jupyterapp.commands.execute(command, args)",
                  [command, args])


def compare(page, names: list[str]):
    run_command(page, "mlops-lab:compare-runs", {"ids": [RUNS[name] for name in names]})
    view = page.locator(".jp-MainAreaWidget:visible [data-testid=mlops-lab-compare-view]")
    expect(view).to_be_visible(timeout=TIMEOUT_MS)
    return view


def plot(chart):
    """What plotly drew in a chart: its traces and its full (computed) layout."""
    chart = chart.locator(".js-plotly-plot")
    expect(chart).to_have_count(1, timeout=TIMEOUT_MS)
    return chart.evaluate("""el => ({
        data: el.data.map(t => ({type: t.type, name: t.name, x: t.x, y: t.y,
                                 labels: (t.dimensions || []).map(d => d.label)})),
        xaxis: el._fullLayout.xaxis && {type: el._fullLayout.xaxis.type,
                                        range: el._fullLayout.xaxis.range},
        yaxis: el._fullLayout.yaxis && {type: el._fullLayout.yaxis.type,
                                        range: el._fullLayout.yaxis.range}})""")


def wait_for_plot(chart, check, what: str):
    """Polls the chart until `check(plot)` holds (plotly redraws after a React render)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        drawn = plot(chart)
        if check(drawn):
            return drawn
        chart.page.wait_for_timeout(100)  # poll interval, not a synchronisation stand-in
    raise AssertionError(f"{what}: the chart never showed it; last drawn: {plot(chart)}")


def choose_in_checklist(view, test_id: str, labels: list[str]) -> None:
    """Ticks exactly `labels` in a checklist of fields."""
    checklist = view.get_by_test_id(test_id)
    checklist.locator("summary").click()
    for box in checklist.locator("label").all():
        wanted = box.inner_text().strip() in labels
        if box.locator("input").is_checked() != wanted:
            box.locator("input").click()
    checklist.locator("summary").click()


def close_main_tabs(page) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('application:close-all')")
    # (the lab may open a Launcher in the emptied main area)
    expect(page.locator(MAIN_TABS, has_text=OUR_TABS)).to_have_count(0, timeout=TIMEOUT_MS)


def test_the_same_runs_in_any_order_share_one_compare_tab_named_after_them(lab):
    close_main_tabs(lab)
    compare(lab, ["rf-shallow", "gb"])
    compare(lab, ["gb", "rf-shallow"])
    tabs = lab.locator(MAIN_TABS, has_text="Compare")
    expect(tabs).to_have_count(1, timeout=TIMEOUT_MS)
    expect(tabs).to_have_text("Compare rf-shallow, gb", timeout=TIMEOUT_MS)
    compare(lab, ["gb", "rf-deep"])
    expect(tabs).to_have_count(2, timeout=TIMEOUT_MS)
    # Back to the first pair: its tab comes to the front, no third one.
    compare(lab, ["rf-shallow", "gb"])
    expect(tabs).to_have_count(2)
    expect(lab.locator(f"{MAIN_TABS}.lm-mod-current")).to_have_text("Compare rf-shallow, gb")


def test_only_what_differs_by_default_with_params_grouped_by_model(lab, screenshot):
    close_main_tabs(lab)
    set_theme(lab, "JupyterLab Light", True)
    view = compare(lab, list(SPECS))
    table = view.get_by_test_id("mlops-lab-params-diff")
    groups = table.get_by_test_id("mlops-lab-param-group")
    expect(groups).to_have_count(2, timeout=TIMEOUT_MS)
    own, model = groups.nth(0), groups.nth(1)
    expect(own.locator("tr").first).to_have_text("Your params")
    expect(own.locator("th[scope=row]")).to_have_text(["max_depth", "model"])
    expect(model.locator("tr").first).to_have_text("Model clf")
    expect(model.locator("th[scope=row]")).to_have_text(["max_depth"])
    metrics = view.get_by_test_id("mlops-lab-metrics-compare").locator("th[scope=row]")
    expect(metrics).to_have_text(["acc", "loss", "val_loss"])
    screenshot(lab, "compare-01-differs-light")

    view.get_by_test_id("mlops-lab-only-differs").uncheck()
    expect(own.locator("th[scope=row]")).to_have_text(["max_depth", "model", "seed"])
    expect(model.locator("th[scope=row]")).to_have_text(["max_depth", "n_estimators"])
    expect(metrics).to_have_text(["acc", "epochs", "loss", "val_loss"])
    view.get_by_test_id("mlops-lab-only-differs").check()
    expect(metrics).to_have_text(["acc", "loss", "val_loss"])


def test_bars_of_close_values_show_the_difference(lab, screenshot):
    view = compare(lab, list(SPECS))
    history = view.get_by_test_id("mlops-lab-compare-history")
    drawn = wait_for_plot(history, lambda p: p["data"] and p["data"][0]["type"] == "bar",
                          "bars of acc")
    assert drawn["data"][0]["y"] == [0.912, 0.915, 0.918, 0.921]
    low, high = drawn["yaxis"]["range"]
    # From zero, 0.912 and 0.921 would look equal: the axis spans the values instead.
    assert 0.85 < low < 0.912 and 0.921 < high < 0.95
    screenshot(lab, "compare-02-close-bars-light")
    set_theme(lab, "JupyterLab Dark", False)
    screenshot(lab, "compare-02-close-bars-dark")
    set_theme(lab, "JupyterLab Light", True)


def test_history_chart_x_axis_smoothing_log_scale_and_several_metrics(lab, screenshot):
    view = compare(lab, list(SPECS))
    choose_in_checklist(view, "mlops-lab-history-metrics", ["metric loss", "metric val_loss"])
    history = view.get_by_test_id("mlops-lab-compare-history")
    drawn = wait_for_plot(history, lambda p: len(p["data"]) == 8, "a line per run and metric")
    assert {t["name"] for t in drawn["data"]} >= {"rf-shallow · loss", "gb · val_loss"}
    first = drawn["data"][0]
    assert first["x"] == list(range(STEPS))
    assert first["y"] == pytest.approx([loss(0, step) for step in range(STEPS)])

    history.get_by_test_id("mlops-lab-chart-x-axis").select_option(label="relative time (s)")
    drawn = wait_for_plot(history, lambda p: p["xaxis"]["type"] == "linear"
                          and p["data"][0]["x"][1] == 2, "seconds since the first value")
    assert drawn["data"][0]["x"] == [2.0 * step for step in range(STEPS)]

    history.get_by_test_id("mlops-lab-chart-x-axis").select_option(label="wall time")
    wait_for_plot(history, lambda p: p["xaxis"]["type"] == "date", "a date axis")

    history.get_by_test_id("mlops-lab-chart-smoothing").fill("0.8")
    drawn = wait_for_plot(history, lambda p: p["data"][0]["y"][3] != pytest.approx(loss(0, 3)),
                          "smoothed values")
    smoothed = drawn["data"][0]["y"]
    raw = [loss(0, step) for step in range(STEPS)]
    # Smoothing flattens the zig-zag: neighbouring values move less than the raw ones.
    assert max(abs(a - b) for a, b in zip(smoothed[4:], smoothed[5:])) < \
        max(abs(a - b) for a, b in zip(raw[4:], raw[5:]))
    assert smoothed[0] == pytest.approx(raw[0])  # debiased: the start is not pulled to zero

    history.get_by_test_id("mlops-lab-chart-log").check()
    wait_for_plot(history, lambda p: p["yaxis"]["type"] == "log", "a log y-axis")
    screenshot(lab, "compare-03-history-options")


def test_the_plotly_toolbar_does_not_cover_the_title(lab):
    # A run's small charts are narrow: a centred title sat under the toolbar there.
    close_main_tabs(lab)
    run_command(lab, "mlops-lab:open-run", {"runId": RUNS["rf-shallow"]})
    chart = lab.get_by_test_id("mlops-lab-metric-charts").locator(".js-plotly-plot").first
    expect(chart.locator(".gtitle")).to_have_text("loss", timeout=TIMEOUT_MS)
    chart.hover()
    toolbar = chart.locator(".modebar")
    expect(toolbar).to_be_visible(timeout=TIMEOUT_MS)
    title = chart.locator(".gtitle").bounding_box()
    bar = toolbar.bounding_box()
    apart = (title["x"] + title["width"] <= bar["x"] or bar["x"] + bar["width"] <= title["x"]
             or title["y"] + title["height"] <= bar["y"] or bar["y"] + bar["height"] <= title["y"])
    assert apart, f"the toolbar {bar} covers the title {title}"


def test_axes_charts_start_from_the_differing_params_and_main_metric(lab, screenshot):
    view = compare(lab, list(SPECS))
    parcoords = view.get_by_test_id("mlops-lab-compare-parcoords")
    drawn = wait_for_plot(parcoords, lambda p: p["data"][0]["type"] == "parcoords", "parcoords")
    assert drawn["data"][0]["labels"] == ["max_depth", "model", "acc"]
    choose_in_checklist(view, "mlops-lab-parcoords-axes",
                        ["param clf.max_depth", "param model", "metric acc", "metric loss"])
    wait_for_plot(parcoords, lambda p: p["data"][0]["labels"] == [
        "clf.max_depth", "model", "acc", "loss"], "the chosen axes")

    scatter = view.get_by_test_id("mlops-lab-compare-scatter")
    expect(scatter.get_by_test_id("mlops-lab-scatter-x")).to_have_value("param:max_depth")
    expect(scatter.get_by_test_id("mlops-lab-scatter-y")).to_have_value("metric:acc")
    drawn = wait_for_plot(scatter, lambda p: p["data"][0]["x"] == [3, 5, 12, 3], "max_depth")
    assert drawn["data"][0]["y"] == [0.912, 0.915, 0.918, 0.921]
    scatter.get_by_test_id("mlops-lab-scatter-x").select_option("param:model")
    wait_for_plot(scatter, lambda p: p["xaxis"]["type"] == "category", "model as categories")

    by_param = view.get_by_test_id("mlops-lab-compare-by-param")
    by_param.get_by_test_id("mlops-lab-by-param-param").select_option("param:model")
    drawn = wait_for_plot(by_param, lambda p: [t["name"] for t in p["data"]] == ["gb", "rf"],
                          "a box per model")
    assert drawn["data"][1]["y"] == [0.912, 0.915, 0.918]
    assert all(t["type"] == "box" for t in drawn["data"])
    # A numeric param's boxes go by size, not as text (where "12" < "3").
    by_param.get_by_test_id("mlops-lab-by-param-param").select_option("param:clf.max_depth")
    wait_for_plot(by_param, lambda p: [t["name"] for t in p["data"]] == ["3", "5", "12"],
                  "a box per depth, in order")
    view.locator(".mlops-lab-compare-charts").scroll_into_view_if_needed()
    screenshot(lab, "compare-04-axes-charts-light")

    set_theme(lab, "JupyterLab Dark", False)
    screenshot(lab, "compare-05-axes-charts-dark")
    view.get_by_test_id("mlops-lab-compare-history").scroll_into_view_if_needed()
    screenshot(lab, "compare-06-history-dark")
    set_theme(lab, "JupyterLab Light", True)


def test_names_and_values_that_look_like_markup_stay_text(lab):
    close_main_tabs(lab)
    view = compare(lab, ["rf-shallow", XSS])
    expect(lab.locator(MAIN_TABS, has_text="Compare")).to_have_text(f"Compare rf-shallow, {XSS}")
    params = view.get_by_test_id("mlops-lab-params-diff")
    expect(params.locator("th[scope=row]", has_text="<i>key</i>")).to_have_count(1)
    expect(params.locator("td", has_text="<b>bold</b>")).to_have_count(1)

    scatter = view.get_by_test_id("mlops-lab-compare-scatter")
    scatter.get_by_test_id("mlops-lab-scatter-x").select_option("param:model")
    wait_for_plot(scatter, lambda p: p["xaxis"]["type"] == "category", "model as categories")
    expect(scatter.locator(".xtick text", has_text="<b>bold</b>")).to_have_count(1)
    expect(scatter.locator(".textpoint", has_text=XSS)).to_have_count(1)
    by_param = view.get_by_test_id("mlops-lab-compare-by-param")
    by_param.get_by_test_id("mlops-lab-by-param-param").select_option("param:model")
    expect(by_param.locator(".xtick text", has_text="<b>bold</b>")).to_have_count(1,
                                                                           timeout=TIMEOUT_MS)
    choose_in_checklist(view, "mlops-lab-history-metrics", ["metric <u>metric</u>"])
    history = view.get_by_test_id("mlops-lab-compare-history")
    expect(history.locator(".xtick text", has_text=XSS)).to_have_count(1, timeout=TIMEOUT_MS)
    expect(history.locator(".gtitle")).to_have_text("<u>metric</u>")
    expect(view.locator("img, b, i, u")).to_have_count(0)
    assert lab.dialogs == []


def test_a_run_draws_its_metrics_on_one_chart_with_the_chosen_options(lab, screenshot, lab_page,
                                                                    isolated_lab_server):
    close_main_tabs(lab)
    run_command(lab, "mlops-lab:open-run", {"runId": RUNS["rf-mid"]})
    charts = lab.get_by_test_id("mlops-lab-metric-charts")
    expect(charts.locator(".js-plotly-plot")).to_have_count(2, timeout=TIMEOUT_MS)
    charts.get_by_test_id("mlops-lab-chart-together").check()
    expect(charts.locator(".js-plotly-plot")).to_have_count(1, timeout=TIMEOUT_MS)
    drawn = wait_for_plot(charts, lambda p: len(p["data"]) == 2, "loss and val_loss together")
    assert [t["name"] for t in drawn["data"]] == ["loss", "val_loss"]
    charts.get_by_test_id("mlops-lab-chart-x-axis").select_option(label="relative time (s)")
    wait_for_plot(charts, lambda p: p["data"][0]["x"][-1] == 2 * (STEPS - 1), "relative time")
    charts.scroll_into_view_if_needed()
    screenshot(lab, "compare-07-run-one-chart-light")
    set_theme(lab, "JupyterLab Dark", False)
    screenshot(lab, "compare-08-run-one-chart-dark")
    set_theme(lab, "JupyterLab Light", True)

    # The next run opened starts from the choices just made.
    run_command(lab, "mlops-lab:open-run", {"runId": RUNS["gb"]})
    other = lab.locator(".jp-MainAreaWidget:visible [data-testid=mlops-lab-metric-charts]")
    expect(other.get_by_test_id("mlops-lab-chart-x-axis")).to_have_value(
        "relative", timeout=TIMEOUT_MS)

    # And in a page opened afresh: the choices are kept in the browser, checked on reading.
    other.get_by_test_id("mlops-lab-chart-smoothing").fill("0.5")
    other.get_by_test_id("mlops-lab-chart-log").check()
    base_url, token, _ = isolated_lab_server
    with lab_page(base_url, token, workspace="charts-1") as fresh:
        assert chart_options(open_run_charts(fresh, "rf-deep")) == ("relative", "0.5", True)
    # Something else under the same key (an older version, another tool) gives the defaults.
    lab.evaluate("() => localStorage.setItem('mlops-lab:chart-options', "
                 "'{\"xAxis\": \"<b>\", \"smoothing\": 7, \"logScale\": \"yes\"}')")
    with lab_page(base_url, token, workspace="charts-2") as fresh:
        assert chart_options(open_run_charts(fresh, "rf-shallow")) == ("step", "0", False)


def open_run_charts(page, name: str):
    """The run's metric charts, once its view shows them."""
    run_command(page, "mlops-lab:open-run", {"runId": RUNS[name]})
    charts = page.locator(".jp-MainAreaWidget:visible [data-testid=mlops-lab-metric-charts]")
    expect(charts.get_by_test_id("mlops-lab-chart-options")).to_be_visible(timeout=TIMEOUT_MS)
    return charts


def chart_options(charts) -> tuple[str, str, bool]:
    """The x-axis, smoothing and log scale the charts start from."""
    return (charts.get_by_test_id("mlops-lab-chart-x-axis").input_value(),
            charts.get_by_test_id("mlops-lab-chart-smoothing").input_value(),
            charts.get_by_test_id("mlops-lab-chart-log").is_checked())


def test_opening_an_open_run_shows_its_tab(lab):
    close_main_tabs(lab)
    run_command(lab, "mlops-lab:open-run", {"runId": RUNS["rf-deep"]})
    run_tab = lab.locator(MAIN_TABS, has_text="Run rf-deep")
    expect(run_tab).to_have_count(1, timeout=TIMEOUT_MS)
    run_command(lab, "mlops-lab:open-run", {"runId": RUNS["gb"]})
    expect(lab.locator(f"{MAIN_TABS}.lm-mod-current")).to_have_text("Run gb", timeout=TIMEOUT_MS)
    run_command(lab, "mlops-lab:open-run", {"runId": RUNS["rf-deep"]})
    expect(run_tab).to_have_count(1)
    expect(run_tab).to_have_class(re.compile("lm-mod-current"), timeout=TIMEOUT_MS)
    expect(lab.locator(MAIN_TABS, has_text=OUR_TABS)).to_have_count(2)


def test_a_model_tab_says_which_version_it_shows(lab):
    close_main_tabs(lab)
    run_command(lab, "mlops-lab:open-model", {"name": "churn"})
    tab = lab.locator(MAIN_TABS, has_text="Model churn")
    expect(tab).to_have_text("Model churn", timeout=TIMEOUT_MS)
    run_command(lab, "mlops-lab:open-model", {"name": "churn", "version": 1})
    expect(tab).to_have_text("Model churn v1", timeout=TIMEOUT_MS)
    expect(tab).to_have_count(1)
