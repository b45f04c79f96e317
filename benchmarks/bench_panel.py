"""The side panel with 100,000 runs, in the browser tests' headless Chromium: how long the Runs
tab takes to show, how smooth scrolling through it is, and how fast a filter answers.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_panel.py            # 100,000 runs
    PYTHONPATH=. .venv/bin/python benchmarks/bench_panel.py --runs 10000

It starts a real `jupyter lab` (as tests/ui does) on a fresh store that holds `--runs` runs
put there with bulk SQL inserts, opens the MLOps Lab panel, and measures in the page:

- open_ms: from clicking the panel's icon to the first run row on screen.
- scroll: every frame's time (requestAnimationFrame deltas) while the runs table scrolls
  down 60 px per frame for 600 frames; the table loads the next pages on the way. p50 / p95 /
  max in ms (16.7 ms is one frame at 60 Hz), with the rows loaded and the rows in the DOM.
- scroll_back: the same scrolling back up over rows already loaded (no page loads).
- typing: frame times while a filter is typed into the filter box, key by key.
- filter_ms: from Enter in the filter box to the filtered list on screen with its count (a
  filter on a metric over all runs), and clear_ms back to all runs (Escape); medians of --reps.
- complete_ms: from focusing the empty filter box and typing `ac` to `metrics.acc` offered
  (the keys of all runs are asked for on focus); medians of --reps.
- error_ms: from Enter on `acc > 0.5` to the error with the part at fault marked and
  `metrics.acc` offered; medians of --reps.

The whole measurement is repeated in --sessions fresh pages of the same lab, and each figure
is the median over them.

Needs the extension built (`jlpm build`) and /usr/bin/chromium, like the browser tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ui"))

from conftest import CHROMIUM, CHROMIUM_ARGS, _running_lab  # noqa: E402 - the tests' setup
from lab_helpers import insert_runs  # noqa: E402

SCROLL_FRAMES = 600
SCROLL_STEP_PX = 60
# 1 run in 1,000 (run-…998), the newest of which is not the newest run (run-…999).
FILTER = "metrics.acc >= 0.998 and metrics.acc < 0.999"
FIRST_ROW = "[data-testid=mlops-lab-run-row] .mlops-lab-run-name"
TABLE_BOX = "[data-testid=mlops-lab-panel] .mlops-lab-table-scroll"

# Records every frame's duration until window.__frames.stop() is called.
RECORD_FRAMES = """() => {
  const frames = []; let last = performance.now(); let on = true;
  const tick = t => { frames.push(t - last); last = t; if (on) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  window.__frames = { stop: () => { on = false; return frames.slice(1); } };
}"""

SCROLL = """async ([box, frames, step]) => {
  const el = document.querySelector(box);
  for (let i = 0; i < frames; i++) {
    await new Promise(resolve => requestAnimationFrame(resolve));
    el.scrollTop += step;
  }
  const rows = [...document.querySelectorAll('[data-testid=mlops-lab-run-row]')];
  return { rowsLoaded: Math.max(...rows.map(row => Number(row.dataset.index))) + 1,
           rowsInDom: document.querySelectorAll('[data-testid=mlops-lab-run-row]').length,
           scrolledPx: el.scrollTop };
}"""

# Presses `key` in the filter box and waits (frame by frame) until the first row's name
# satisfies `done`; returns the milliseconds in between.
PRESS_AND_WAIT = """async ([key, suffix, firstRow]) => {
  const box = document.querySelector('[data-testid=mlops-lab-filter]');
  const t0 = performance.now();
  box.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  await new Promise(resolve => {
    const check = () => {
      const first = document.querySelector(firstRow);
      if (first && first.textContent.endsWith(suffix)) { resolve(); }
      else { requestAnimationFrame(check); }
    };
    check();
  });
  return performance.now() - t0;
}"""


def summary(frames: list[float]) -> dict:
    ordered = sorted(frames)
    return {"frames": len(ordered), "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
            "max_ms": round(ordered[-1], 1)}


def measure(page, runs: int, reps: int) -> dict:
    assert runs % 1000 == 0, "the filter expects a whole number of thousands of runs"
    newest = f"run-{runs - 1:06d}"
    t0 = time.perf_counter()
    page.locator('.jp-SideBar .lm-TabBar-tab[data-id="mlops-lab-panel"]').click()
    page.locator(FIRST_ROW, has_text=newest).wait_for(timeout=60_000)
    open_ms = (time.perf_counter() - t0) * 1000

    page.evaluate(RECORD_FRAMES)
    scrolled = page.evaluate(SCROLL, [TABLE_BOX, SCROLL_FRAMES, SCROLL_STEP_PX])
    scroll = {**summary(page.evaluate("() => window.__frames.stop()")), **scrolled}
    page.evaluate(RECORD_FRAMES)
    page.evaluate(SCROLL, [TABLE_BOX, SCROLL_FRAMES, -SCROLL_STEP_PX])
    scroll_back = summary(page.evaluate("() => window.__frames.stop()"))
    page.locator(TABLE_BOX).evaluate("box => box.scrollTo(0, 0)")

    box = page.get_by_test_id("mlops-lab-filter")
    box.click()
    page.evaluate(RECORD_FRAMES)
    page.keyboard.type(FILTER, delay=30)
    typing = summary(page.evaluate("() => window.__frames.stop()"))

    filter_ms, clear_ms = [], []
    for _ in range(reps):
        filter_ms.append(page.evaluate(PRESS_AND_WAIT, ["Enter", "998", FIRST_ROW]))
        clear_ms.append(page.evaluate(PRESS_AND_WAIT, ["Escape", newest[-6:], FIRST_ROW]))
        box.fill(FILTER)
    count = page.get_by_test_id("mlops-lab-count")
    page.evaluate(PRESS_AND_WAIT, ["Enter", "998", FIRST_ROW])
    count.filter(has_text=f"{runs // 1000} runs").wait_for(timeout=60_000)
    box.fill("")
    return {"runs": runs, "open_ms": round(open_ms), "scroll": scroll,
            "scroll_back": scroll_back, "typing": typing,
            "filter_ms": round(statistics.median(filter_ms)),
            "clear_ms": round(statistics.median(clear_ms)),
            **measure_filter_help(page, box, reps)}


def measure_filter_help(page, box, reps: int) -> dict:
    """Milliseconds to the completion of a bare key, and to a bare key's error and its fix."""
    offered = page.get_by_test_id("mlops-lab-filter-completions").locator(
        "li", has_text="metrics.acc")
    fix = page.get_by_test_id("mlops-lab-filter-fix")
    complete_ms, error_ms = [], []
    for _ in range(reps):
        page.locator(TABLE_BOX).click()  # the box loses focus: the next focus asks again
        t0 = time.perf_counter()
        box.focus()
        box.press_sequentially("ac")
        offered.wait_for(timeout=60_000)
        complete_ms.append((time.perf_counter() - t0) * 1000)
        box.fill("acc > 0.5")
        t0 = time.perf_counter()
        box.press("Enter")
        fix.wait_for(timeout=60_000)
        error_ms.append((time.perf_counter() - t0) * 1000)
        box.press("Escape")
        box.press("Escape")
    return {"complete_ms": round(statistics.median(complete_ms)),
            "error_ms": round(statistics.median(error_ms))}


def medians(results: list):
    """Each figure's median over the sessions' results (dicts of figures, maybe nested)."""
    first = results[0]
    if isinstance(first, dict):
        return {key: medians([r[key] for r in results]) for key in first}
    return statistics.median(results) if isinstance(first, (int, float)) else first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        root, work = Path(folder) / "root", Path(folder) / "lab"
        root.mkdir()
        work.mkdir()
        t0 = time.perf_counter()
        insert_runs(root / ".mlops-lab", args.runs, "panel-bench")
        insert_s = time.perf_counter() - t0
        with _running_lab(root, work, str(root / ".mlops-lab")) as (base_url, token), \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch_persistent_context(
                user_data_dir=str(work / "profile"), executable_path=str(CHROMIUM),
                headless=True, args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 900})
            results = []
            try:
                for _ in range(args.sessions):
                    page = browser.new_page()
                    page.goto(f"{base_url}/lab?reset&token={token}")
                    page.wait_for_function("() => window.jupyterapp !== undefined",
                                           timeout=60_000)
                    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
                    results.append(measure(page, args.runs, args.reps))
                    page.close()
            finally:
                browser.close()
    print(json.dumps({"insert_s": round(insert_s, 1), "sessions": args.sessions,
                      **medians(results)}, indent=2))


if __name__ == "__main__":
    main()
