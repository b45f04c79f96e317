"""README.md's tour runs top to bottom, as a newcomer would run it, in a fresh project folder.

Its ```python blocks run in order in ONE IPython shell (so `%load_ext`, `%%track` and the other
magics work and names carry over, as in one notebook); its ```bash blocks run with bash
(`-e -o pipefail`, `mlops-lab` and `python` on the PATH), in the same folder and store. A
```yaml block whose first line is `# NAME.yaml` is written to NAME.yaml, as the reader is
told to save it. An HTML comment right above a block changes how it is run:

    <!-- readme: not run — REASON -->      not run (a server, credentials, a cluster …)
    <!-- readme: background — REASON -->   started in the background, the test waits until
                                           its --port answers, and stops it at the end

Only errors fail the test (an exception, a failed magic, a non-zero exit), never the wording of
what a block prints; the failure names the block's line in README.md and shows its output.
The port in the README (8080) is replaced by a free one, so a busy port cannot fail the test.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
MARK = re.compile(r"<!--\s*readme:\s*(not run|background)\s*[—-]+\s*(.+?)\s*-->\s*$")
RUNNABLE = {"python", "bash", "yaml"}
README_PORT = "8080"
BLOCK_TIMEOUT = 300  # seconds a shell block may take before it counts as hung


@dataclass
class Block:
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    mode: str  # "run", "not run" or "background"
    reason: str = ""


def readme_blocks(text: str) -> list[Block]:
    blocks = []
    for match in FENCE.finditer(text):
        language = match.group(1)
        if language not in RUNNABLE:
            continue
        line = text.count("\n", 0, match.start()) + 1
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = MARK.search(before)
        mode, reason = (mark.group(1), mark.group(2)) if mark else ("run", "")
        blocks.append(Block(line, language, match.group(2), mode, reason))
    return blocks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"it exited with status {process.returncode} before serving")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)  # polling a port with a deadline, not standing in for a sync
    raise RuntimeError(f"nothing answered on port {port} within the deadline")


def test_the_readme_marks_every_block_it_does_not_run_with_a_reason():
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    skipped = [b for b in blocks if b.mode != "run"]
    assert all(b.reason for b in skipped)
    assert len([b for b in blocks if b.mode == "run"]) >= 3 * len(skipped), (
        "most of the README should run: " + ", ".join(f"line {b.line}" for b in skipped))
    # A stray marker (a typo, or a block moved away from its comment) is not silently ignored.
    marks = len(re.findall(r"<!--\s*readme:", README.read_text(encoding="utf-8")))
    assert marks == len(skipped)


@pytest.mark.timeout(900)  # a guard against a hung block; a loaded machine runs notebooks slowly
def test_the_readme_tour_runs_top_to_bottom(store_home, tmp_path, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    from traitlets.config import Config

    project = store_home.parent  # a fresh folder; its .mlops-lab/ is the store
    monkeypatch.chdir(project)
    port = str(free_port())
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    shell.reset(new_session=False)
    background: list[subprocess.Popen] = []
    ran = {"python": 0, "bash": 0, "yaml": 0}
    took: list[str] = []  # printed at the end (pytest -s): where the tour spends its time
    try:
        for block in readme_blocks(README.read_text(encoding="utf-8")):
            started = time.monotonic()
            where = f"README.md line {block.line} ({block.language})"
            code = block.code.replace(README_PORT, port)
            if block.mode == "not run":
                continue
            if block.language == "yaml":
                name = re.match(r"#\s*([\w.-]+\.ya?ml)\b", code)
                if name:
                    (project / name.group(1)).write_text(code, encoding="utf-8")
                    ran["yaml"] += 1
                continue
            if block.mode == "background":
                log = tempfile.TemporaryFile("w+")  # a file: a full pipe would block it
                process = subprocess.Popen(
                    ["bash", "-c", code], cwd=project, env=env, stdout=log,
                    stderr=subprocess.STDOUT, text=True, start_new_session=True)
                background.append(process)
                try:
                    wait_for_port(int(port), process, time.monotonic() + 90)
                except RuntimeError as err:
                    _stop(process)
                    log.seek(0)
                    pytest.fail(f"{where}: {err}\n{block.code}\n--- output ---\n{log.read()}",
                                pytrace=False)
                ran["bash"] += 1
                continue
            if block.language == "python":
                with capture_output() as out:
                    result = shell.run_cell(code, store_history=True)
                if not result.success:
                    error = result.error_in_exec or result.error_before_exec
                    pytest.fail(f"{where} failed: {error!r}\n{block.code}\n--- output ---\n"
                                f"{out.stdout}{out.stderr}", pytrace=False)
                ran["python"] += 1
                took.append(f"{time.monotonic() - started:7.1f}s  line {block.line} python")
            else:
                done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", code], cwd=project,
                                      env=env, capture_output=True, text=True,
                                      timeout=BLOCK_TIMEOUT)
                if done.returncode:
                    pytest.fail(f"{where} exited with status {done.returncode}\n{block.code}\n"
                                f"--- output ---\n{done.stdout}{done.stderr}", pytrace=False)
                ran["bash"] += 1
                took.append(f"{time.monotonic() - started:7.1f}s  line {block.line} bash")
    finally:
        for process in background:
            _stop(process)
        shell.reset(new_session=False)
    print("\n".join(took))
    assert ran["python"] and ran["bash"], ran


def _stop(process: subprocess.Popen) -> None:
    """Ends a background block's process group (the bash it ran in and what it started)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
