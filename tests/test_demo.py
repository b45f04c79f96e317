"""`mlops-lab demo` as a real process: a folder that is not empty is refused, Ctrl-C stops it
cleanly, a temporary folder goes unless kept. The whole loop, its figures and its lineage in
the store and in the panel are tests/ui/test_demo_lineage.py's (it runs the demo once)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def demo(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlops_lab.cli", "demo", *args],
                          capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture
def elsewhere(tmp_path):
    """The environment of a user whose own store is somewhere else: the demo leaves it be."""
    env = {**os.environ, "MLOPS_LAB_HOME": str(tmp_path / "mine" / ".mlops-lab")}
    env.pop("MLOPS_LAB_URI", None)
    env.pop("MLOPS_LAB_ARTIFACTS", None)
    return env


def test_a_folder_that_is_not_empty_is_refused(tmp_path, elsewhere):
    (tmp_path / "notes.txt").write_text("mine")
    proc = demo("--folder", str(tmp_path), env=elsewhere, timeout=60)
    assert proc.returncode == 2
    assert "is not an empty folder" in proc.stderr and "--folder" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_temporary_folder_is_removed_and_the_environment_restored(monkeypatch):
    from mlops_lab.demo.folder import demo_folder

    monkeypatch.setenv("MLOPS_LAB_URI", "sqlite:///somewhere-else.db")
    here = os.getcwd()
    with demo_folder() as folder:
        assert os.getcwd() == str(folder)
        assert os.environ["MLOPS_LAB_HOME"] == str(folder / ".mlops-lab")
        assert "MLOPS_LAB_URI" not in os.environ
    assert not folder.exists() and os.getcwd() == here
    assert os.environ["MLOPS_LAB_URI"] == "sqlite:///somewhere-else.db"


def test_ctrl_c_stops_the_model_server_and_removes_the_temporary_folder(elsewhere):
    import re
    import signal

    proc = subprocess.Popen([sys.executable, "-m", "mlops_lab.cli", "demo"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=elsewhere,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = []
    try:
        for line in proc.stdout:  # the demo's own report, line by line, as it happens
            seen.append(line)
            if "answers on" in line:
                proc.send_signal(signal.SIGINT)
                break
        seen.append(proc.stdout.read())
        assert proc.wait(60) == 130, "".join(seen)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = "".join(seen)
    assert "interrupted: the model server is stopped" in text
    server = int(re.search(r"\(pid (\d+);", text).group(1))
    with pytest.raises(ProcessLookupError):
        os.kill(server, 0)
    folder = re.search(r"demo in (\S+)", text).group(1)
    assert not os.path.exists(folder)
