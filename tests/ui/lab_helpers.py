"""Steps the browser tests share: switching the theme, opening a tab of the side panel."""

from __future__ import annotations

from playwright.sync_api import expect

TIMEOUT_MS = 30_000


def set_theme(page, theme: str, light: bool) -> None:
    page.evaluate("theme => window.jupyterapp.commands.execute('apputils:change-theme', "
                  "{theme})", theme)
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{str(light).lower()}'",
                           timeout=TIMEOUT_MS)
    expect(page.locator("#jupyterlab-splash")).to_have_count(0, timeout=TIMEOUT_MS)


def open_panel_tab(page, label: str, test_id: str):
    """Shows the MLOps Lab side panel with its tab `label` selected; returns the tab's body."""
    if not page.locator("#mlops-lab-panel").is_visible():
        page.locator('.jp-SideBar .lm-TabBar-tab[data-id="mlops-lab-panel"]').click()
    page.locator("#mlops-lab-panel .lm-TabBar-tab", has_text=label).click()
    panel = page.get_by_test_id(test_id)
    expect(panel).to_be_visible(timeout=TIMEOUT_MS)
    return panel


def insert_runs(home, count: int, experiment: str) -> list[str]:
    """Puts `count` finished runs (a param and two metrics each) into the store at `home`
    with a few bulk SQL inserts: a store of 100,000 runs in seconds, where logging them one by
    one would take minutes. Returns their ids, newest first (the panel's order)."""
    import uuid

    from mlops_lab import config
    from mlops_lab.clock import now_ms
    from mlops_lab.store import open_store
    from mlops_lab.store.tables import tracking as t

    store = open_store(config.database_uri(home), config.artifacts_root(home))
    start = now_ms() - count * 1000
    ids = [uuid.uuid4().hex for _ in range(count)]
    with store.db.write() as conn:
        experiment_id = conn.execute(t.experiments.insert().values(
            name=experiment, description=None, created_at=start)).inserted_primary_key[0]
        for first in range(0, count, 10_000):
            chunk = range(first, min(first + 10_000, count))
            conn.execute(t.runs.insert(), [
                {"id": ids[i], "experiment_id": experiment_id, "name": f"run-{i:06d}",
                 "status": "FINISHED", "start_time": start + i * 1000,
                 "end_time": start + i * 1000 + 500} for i in chunk])
            conn.execute(t.params.insert(), [
                {"run_id": ids[i], "key": "model", "value": ("rf", "svm", "logreg")[i % 3]}
                for i in chunk])
            conn.execute(t.latest_metrics.insert(), [
                {"run_id": ids[i], "key": key, "step": 0, "timestamp": start + i * 1000,
                 "value": value, "is_nan": False}
                for i in chunk for key, value in (("acc", (i % 1000) / 1000), ("loss", 1 / (i + 1)))])
    return ids[::-1]
