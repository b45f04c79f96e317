"""The demo's model server: a real `mlops-lab serve` process on a free port, serving the store
of this process, waited for by polling /health, and always stopped (errors, Ctrl-C, exit)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

from . import DemoFailed
from .polling import until

BATCH = 100  # rows per request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ModelServer:
    def __init__(self, proc: subprocess.Popen, url: str, log: Path):
        self.proc, self.url, self.log = proc, url, log

    def health(self) -> dict:
        import httpx

        return httpx.get(f"{self.url}/health", timeout=5).json()

    def predict(self, frame) -> tuple[str, str]:
        """Sends the rows of `frame`; (request id, the version that answered)."""
        import httpx

        r = httpx.post(f"{self.url}/predict", json={"records": frame.to_dict("records")},
                       timeout=30)
        if r.status_code != 200:
            raise DemoFailed(f"The model server answered {r.status_code}: {r.text[:300]}")
        return r.json()["request_id"], r.headers["X-Model-Version"]

    def send(self, frame) -> list[tuple[str, str, int]]:
        """The rows of `frame` in requests of BATCH: (request id, version, rows) of each."""
        return [(*self.predict(frame.iloc[start:start + BATCH]),
                 len(frame.iloc[start:start + BATCH])) for start in range(0, len(frame), BATCH)]

    def wait_for(self, check, what: str, timeout: float):
        """Polls `check()` until it returns something truthy; the server's log on failure."""
        def alive():
            if self.proc.poll() is not None:
                raise DemoFailed(f"The model server exited ({self.proc.returncode}) while "
                                   f"waiting for {what}:\n{self.tail()}")

        try:
            return until(check, what, timeout, alive)
        except DemoFailed as exc:
            if "exited" in str(exc):
                raise
            raise DemoFailed(f"{exc} The server's log ends:\n{self.tail()}") from None

    def stop(self) -> None:
        stop(self.proc)

    def tail(self, lines: int = 20) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def start_server(ref: str, log_folder: Path, timeout: float = 60) -> ModelServer:
    """`mlops-lab serve REF` on a free port, on the store this process uses (named to it
    explicitly, wherever it runs), its output in log_folder/model-server.log; returned once
    /health answers. Stopped when this process exits, if not before (`server.stop()`)."""
    import atexit

    import httpx

    from ..services import services

    store = services().store
    env = {**os.environ, "MLOPS_LAB_URI": store.db.uri,
           "MLOPS_LAB_ARTIFACTS": store.artifacts.url}
    port = free_port()
    log = Path(log_folder) / "model-server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mlops_lab.cli", "serve", ref,
                                 "--port", str(port)], env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    atexit.register(stop, proc)
    server = ModelServer(proc, f"http://127.0.0.1:{port}", log)

    def answers():
        try:
            return httpx.get(f"{server.url}/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        server.wait_for(answers, "an answer from the model server's /health", timeout)
    except BaseException:
        server.stop()
        raise
    return server


@contextlib.contextmanager
def serving(ref: str, log_folder: Path, timeout: float = 60):
    """The server of `start_server`, stopped on leaving (errors and Ctrl-C too)."""
    server = start_server(ref, log_folder, timeout)
    try:
        yield server
    finally:
        server.stop()


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
