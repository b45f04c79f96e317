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
