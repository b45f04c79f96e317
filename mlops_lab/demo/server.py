"""The demo's model server: a real `mlops-lab serve` process on a free port, waited for by
polling /health, and always stopped (on errors and Ctrl-C too)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from pathlib import Path

from .polling import until


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
            raise RuntimeError(f"The model server answered {r.status_code}: {r.text[:300]}")
        return r.json()["request_id"], r.headers["X-Model-Version"]

    def wait_for(self, check, what: str, timeout: float):
        """Polls `check()` until it returns something truthy; the server's log on failure."""
        def alive():
            if self.proc.poll() is not None:
                raise RuntimeError(f"The model server exited ({self.proc.returncode}) while "
                                   f"waiting for {what}:\n{self.tail()}")

        try:
            return until(check, what, timeout, alive)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{self.tail()}") from None

    def tail(self, lines: int = 20) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def serving(ref: str, folder: Path, timeout: float = 60):
    """`mlops-lab serve REF` in `folder` (its store), yielded once /health answers."""
    import httpx

    port = free_port()
    log = folder / "model-server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mlops_lab.cli", "serve", ref,
                                 "--port", str(port)], cwd=folder, stdout=out,
                                stderr=subprocess.STDOUT)
    server = ModelServer(proc, f"http://127.0.0.1:{port}", log)
    try:
        def answers():
            try:
                return httpx.get(f"{server.url}/health", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        server.wait_for(answers, "answer from the model server's /health", timeout)
        yield server
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
