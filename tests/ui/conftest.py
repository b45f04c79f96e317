"""Fixtures for the browser tests: a real `jupyter lab` on a free port with an isolated
store, and headless Debian Chromium driven by Python playwright."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("MLOPS_LAB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "ui"
START_DEADLINE_S = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


REPO_BUILD = REPO / "mlops_lab" / "_labextension"


def _is_built(manifest: Path) -> bool:
    return manifest.is_file() and bool(json.loads(manifest.read_text())["jupyterlab"].get("_build"))


def _installed_labextension() -> Path | None:
    """The built mlops-lab extension the lab loads: this checkout's own build when there is
    one (a second checkout of the repository tests its frontend, not the one installed in the
    environment; see _running_lab), else the one JupyterLab finds where it looks."""
    from jupyter_core.paths import jupyter_path

    if _is_built(REPO_BUILD / "package.json"):
        return REPO_BUILD / "package.json"
    for folder in jupyter_path("labextensions"):
        manifest = Path(folder) / "mlops-lab" / "package.json"
        if manifest.is_file():
            return manifest
    return None


def _require_browser_and_extension() -> None:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium was not found at {CHROMIUM}. Install Debian's package "
            "(`apt-get install -y chromium`) or set MLOPS_LAB_CHROMIUM to the browser binary.",
            pytrace=False,
        )
    manifest = _installed_labextension()
    if manifest is None or not _is_built(manifest):
        pytest.fail(
            "The mlops-lab JupyterLab extension is not built or not installed. From the "
            "repository root run `jlpm install && jlpm build` and then "
            "`jupyter labextension develop . --overwrite` (or `pip install .`).",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def ui_root(tmp_path_factory) -> Path:
    """Server root; the store lives in its `.mlops-lab`, for the server and this process."""
    root = tmp_path_factory.mktemp("ui-root")
    patch = pytest.MonkeyPatch()
    patch.setenv("MLOPS_LAB_HOME", str(root / ".mlops-lab"))
    patch.delenv("MLOPS_LAB_URI", raising=False)
    patch.delenv("MLOPS_LAB_ARTIFACTS", raising=False)
    yield root
    patch.undo()


@pytest.fixture(scope="session")
def lab_server(ui_root, tmp_path_factory):
    """A real `jupyter lab` subprocess; yields (base_url, token)."""
    _require_browser_and_extension()
    with _running_lab(ui_root, tmp_path_factory.mktemp("ui-lab"),
                      os.environ["MLOPS_LAB_HOME"]) as server:
        yield server


@pytest.fixture(scope="module")
def prepare_store():
    """What a module puts in its isolated lab's store before the lab starts: a module that
    needs it overrides this fixture with one returning `fill(home)` (home: the store's
    folder); nothing by default."""
    return None


@pytest.fixture(scope="module")
def isolated_lab_server(tmp_path_factory, prepare_store):
    """A `jupyter lab` of the module's own over a fresh server root; yields
    (base_url, token, root). Its store is `root/.mlops-lab`, given to the server and so to
    the kernels it starts; this process leaves that store alone, but for `prepare_store`."""
    _require_browser_and_extension()
    root = tmp_path_factory.mktemp("ui-isolated-root")
    if prepare_store is not None:
        prepare_store(root / ".mlops-lab")
    with _running_lab(root, tmp_path_factory.mktemp("ui-isolated-lab"),
                      str(root / ".mlops-lab")) as (base_url, token):
        yield base_url, token, root


@pytest.fixture(scope="module")
def lab(isolated_lab_server, lab_page):
    """A page on the module's own lab (isolated_lab_server), kept for the whole module. A
    module whose tests share the session's lab defines its own `lab`."""
    base_url, token, _ = isolated_lab_server
    with lab_page(base_url, token) as page:
        yield page


@contextmanager
def _running_lab(root: Path, work: Path, store_home: str):
    """`jupyter lab` serving `root` with the store at `store_home`; yields (base_url, token)."""
    port, token = _free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).with_name("jupyter")
    log_path = work / "jupyter-lab.log"
    command = [
        str(jupyter), "lab", "--no-browser", "--allow-root", f"--port={port}",
        "--ip=127.0.0.1", f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={work / 'workspaces'}",
        f"--LabApp.user_settings_dir={work / 'settings'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",
    ]
    if _is_built(REPO_BUILD / "package.json"):
        # The lab takes the first extension of a name it finds, and looks in extra paths first.
        extensions = work / "labextensions"
        extensions.mkdir()
        (extensions / "mlops-lab").symlink_to(REPO_BUILD, target_is_directory=True)
        command.append(f"--LabApp.extra_labextensions_path={extensions}")
    # No "get notified about Jupyter news?" toast over the screenshots.
    notification = work / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Kernels inherit the server's environment, so they write to the store it reads.
    env = {key: value for key, value in os.environ.items()
           if key not in ("MLOPS_LAB_URI", "MLOPS_LAB_ARTIFACTS")}
    env["MLOPS_LAB_HOME"] = store_home
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   cwd=root)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, f"{base_url}/api/status", token, log_path)
        yield base_url, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(process, url: str, token: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE_S
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"jupyter lab exited with {process.returncode}:\n"
                        f"{log_path.read_text(errors='replace')[-4000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)  # poll interval, not a synchronisation stand-in
    pytest.fail(f"jupyter lab did not answer {url} within {START_DEADLINE_S} s:\n"
                f"{log_path.read_text(errors='replace')[-4000:]}", pytrace=False)


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    _require_browser_and_extension()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def screenshot():
    """screenshot(page, "name") saves test-artifacts/ui/name.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return save


@pytest.fixture(scope="session")
def lab_page(browser_context):
    """Opens a page with JupyterLab loaded and restored: `with lab_page(url, token) as page`.
    `page.dialogs` collects any alert(), which would mean stored text ran as HTML. A second page
    open at once names a `workspace` of its own (on the same one JupyterLab would send it to
    another as it loads). Pages share the browser's storage."""
    return lambda base_url, token, workspace=None: _lab_page(browser_context, base_url, token,
                                                             workspace)


def _wait_for_the_shell_to_settle(page) -> None:
    """After restoring, JupyterLab activates the main area's current widget (the Launcher of a
    reset layout) and focuses it, a moment later: a test typing into the side panel before that
    would lose its focus (and the panel its open completion list) halfway. Waits for that focus;
    a layout whose main area takes none goes on after the wait."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "() => document.activeElement?.closest('#jp-main-dock-panel') != null",
            timeout=10_000)
    except PlaywrightTimeout:
        pass


@contextmanager
def _lab_page(browser_context, base_url: str, token: str, workspace: str | None = None):
    page = browser_context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    where = f"/workspaces/{workspace}" if workspace else ""
    page.goto(f"{base_url}/lab{where}?reset&token={token}")
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    _wait_for_the_shell_to_settle(page)
    try:
        yield page
    finally:
        page.close()
