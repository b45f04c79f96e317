"""Real HTTP receivers for webhook tests, each a ThreadingHTTPServer on 127.0.0.1 in a thread:
it records what it was sent and answers as told (a status per attempt, or never)."""

from __future__ import annotations

import hashlib
import hmac
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """`statuses`: the status of each attempt in turn (the last one repeats); `hang`: never
    answer (until stopped)."""

    def __init__(self, statuses=(200,), hang: bool = False, port: int = 0, secret=None):
        self.statuses, self.hang, self.secret = list(statuses), hang, secret
        self.received: list[tuple[dict, bytes]] = []
        self.bad_signatures = 0
        self.released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = dict(self.headers.items())
                receiver.received.append((headers, body))
                if receiver.secret is not None:
                    expected = "sha256=" + hmac.new(receiver.secret.encode(), body,
                                                    hashlib.sha256).hexdigest()
                    given = headers.get("X-MlopsLab-Signature", "")
                    receiver.bad_signatures += not hmac.compare_digest(expected, given)
                if receiver.hang:
                    receiver.released.wait(30)
                    return
                n = len(receiver.received) - 1
                status = receiver.statuses[min(n, len(receiver.statuses) - 1)]
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def receiver_fixture(secret: str | None = None):
    """A pytest fixture `receiver`: a Receiver checking signatures made with `secret`, stopped
    after the test (`receiver = receiver_fixture(SECRET)` in a test module)."""
    import pytest

    @pytest.fixture
    def receiver():
        found = Receiver(secret=secret)
        yield found
        found.stop()

    return receiver


def free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
