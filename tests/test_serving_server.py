"""`mlops-lab serve` as a real process (uvicorn on a free port) with models registered in the
store: predictions, bad inputs, metrics, the prediction log, and hot swap while the alias moves."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import httpx
import pandas as pd
import pytest

EXAMPLE = pd.DataFrame({"x": [1.0, 2.0, 3.0], "n": [1, 2, 3]})


def constant_model(value: float):
    from sklearn.dummy import DummyRegressor

    return DummyRegressor(strategy="constant", constant=value).fit(EXAMPLE, [value] * 3)


@pytest.fixture
def registry(store):
    from mlops_lab.models.service import ModelService

    return ModelService(store)


def register(registry, name, value, alias=None):
    return registry.register(constant_model(value), name, input_example=EXAMPLE, alias=alias)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def answering(proc: subprocess.Popen, port: int, output):
    """The server `proc` started on `port`, yielded as its URL once /health answers, stopped
    afterwards; `output()` is what it printed, shown when it dies or never answers."""
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, output()
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer /health in time"
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def serving(ref: str, *args: str):
    """`mlops-lab serve REF` in a subprocess, yielded once /health answers."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlops_lab.cli", "serve", ref, "--port", str(port), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ))
    with answering(proc, port, lambda: proc.stdout.read()) as url:
        yield url


def test_serve_predicts_refuses_bad_inputs_keeps_answering_and_logs(registry):
    from mlops_lab.serving.service import ServingService

    name = f"const-{uuid.uuid4().hex[:8]}"
    register(registry, name, 7.0, alias="champion")
    good = {"records": [{"x": 1.5, "n": 2}]}
    with serving(f"{name}@champion", "--max-body", "200000") as url:
        r = httpx.post(f"{url}/predict", json=good)
        assert r.status_code == 200, r.text
        assert r.json()["predictions"] == [7.0] and r.headers["X-Model-Version"] == "1"
        ids = [r.json()["request_id"]]
        # BAD-INPUTS 10: wrong dtypes, NaN, deep nesting, huge bodies: 4xx, nothing else breaks
        bad = [
            ({"records": [{"x": "abc", "n": 2}]}, 422, "Column 'x', row 0: expected a number"),
            ({"records": [{"x": 1.0, "n": 2.5}]}, 422, "Column 'n', row 0: expected a whole"),
            ({"columns": {"x": [1.0], "n": [1], "z": [0]}}, 422, "Unknown column(s) 'z'"),
            ({"records": [{"x": 1.0}]}, 422, "Row 0 has no column(s) 'n'"),
        ]
        for body, status, message in bad:
            r = httpx.post(f"{url}/predict", json=body)
            assert r.status_code == status and message in r.json()["message"], r.text
        r = httpx.post(f"{url}/predict", content=b'{"records": [{"x": NaN, "n": 1}]}')
        assert r.status_code == 422 and "missing value" in r.json()["message"]
        r = httpx.post(f"{url}/predict", content=b"[" * 100_000 + b"]" * 100_000)
        assert r.status_code == 400 and r.json()["error"] == "InvalidJSON"
        r = httpx.post(f"{url}/predict", content=b"{" + b" " * 300_000 + b"}")
        assert r.status_code == 413 and r.json()["error"] == "BodyTooLarge"
        assert_refused_before_the_body_is_sent(url)
        assert_a_chunked_body_is_cut_off_at_the_limit(url, 200_000)
        for _ in range(3):
            r = httpx.post(f"{url}/predict", json=good)
            assert r.status_code == 200
            ids.append(r.json()["request_id"])
        metrics = httpx.get(f"{url}/metrics").text
        assert 'mlops_lab_requests_total{path="/predict",status="200"} 4.0' in metrics
        assert 'mlops_lab_requests_total{path="/predict",status="422"} 5.0' in metrics
        assert 'mlops_lab_request_errors_total{error="BodyTooLarge",path="/predict"} 3.0' in metrics
        assert "mlops_lab_request_duration_seconds_bucket" in metrics
        meta = httpx.get(f"{url}/metadata").json()
        assert meta["inputs"] == [{"name": "x", "dtype": "float64"}, {"name": "n", "dtype": "int64"}]
        service = ServingService(registry.store)
        deadline = time.monotonic() + 30
        while len(service.prediction_logs(name)) < len(ids) and time.monotonic() < deadline:
            time.sleep(0.05)
        logged = service.prediction_logs(name)
        assert [row["request_id"] for row in logged] == ids
        assert logged[0]["inputs"] == {"x": [1.5], "n": [2]} and logged[0]["outputs"] == [7.0]
        health = httpx.get(f"{url}/health").json()
        assert health["prediction_log"]["written"] == len(ids)
        assert health["prediction_log"]["dropped"] == 0


def assert_refused_before_the_body_is_sent(url: str) -> None:
    """A request declaring 100 MB gets its 413 although not one byte of the body was sent."""
    host, port = url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 104857600\r\n\r\n")
        answer = b""
        while b"BodyTooLarge" not in answer and (chunk := sock.recv(65536)):
            answer += chunk
        answer = answer.decode()
    assert answer.startswith("HTTP/1.1 413"), answer
    assert "BodyTooLarge" in answer


def assert_a_chunked_body_is_cut_off_at_the_limit(url: str, limit: int) -> None:
    """A chunked body (no Content-Length) that passes the limit gets its 413 while the client
    is still sending: it never sends the last chunk, so a server reading it all would hang."""
    host, port = url.rsplit("/", 1)[-1].split(":")
    chunk = b" " * 16384
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        for _ in range(limit // len(chunk) + 2):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        answer = b""
        while b"BodyTooLarge" not in answer and (data := sock.recv(65536)):
            answer += data
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def metric(text: str, line_start: str) -> float:
    [value] = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith(line_start)]
    return float(value)


def test_metrics_add_up_every_worker(registry):
    """With --workers 2, any worker answering a scrape reports the whole server: requests
    spread over both workers (a connection each) are all counted in every scrape."""
    name = f"workers-{uuid.uuid4().hex[:8]}"
    register(registry, name, 3.0, alias="champion")
    with serving(f"{name}@champion", "--workers", "2") as url:
        for _ in range(20):
            assert httpx.post(f"{url}/predict", json={"records": [{"x": 1.0, "n": 1}]},
                              headers={"Connection": "close"}).status_code == 200
        deadline = time.monotonic() + 30
        while True:  # the log writers of both workers catch up
            text = httpx.get(f"{url}/metrics", headers={"Connection": "close"}).text
            if metric(text, "mlops_lab_prediction_log_written_total") == 20:
                break
            assert time.monotonic() < deadline, text
            time.sleep(0.05)
        for _ in range(10):
            text = httpx.get(f"{url}/metrics", headers={"Connection": "close"}).text
            assert metric(text, 'mlops_lab_requests_total{path="/predict",status="200"}') == 20
            assert metric(text, "mlops_lab_predictions_total") == 20
            assert metric(text, "mlops_lab_prediction_log_queued") == 0
            assert metric(text, f'mlops_lab_model_version{{model="{name}"}}') == 1


def _helper_dies(*args):
    os._exit(3)


def test_the_start_reads_the_version_in_a_helper_and_says_when_it_died(registry, monkeypatch):
    from mlops_lab.errors import MlopsLabError, NotFound
    from mlops_lab.serving import startup

    name = f"start-{uuid.uuid4().hex[:8]}"
    register(registry, name, 1.0)
    register(registry, name, 2.0, alias="champion")
    predictor = startup.load_at_start(f"{name}@champion")
    assert (predictor.name, predictor.version) == (name, 2)
    assert predictor.predict_arrays({"x": [1.0], "n": [1]}) == {"predictions": [2.0]}
    with pytest.raises(NotFound, match="has no alias 'prod'"):
        startup.load_at_start(f"{name}@prod")
    monkeypatch.setattr(startup, "_read_version", _helper_dies)  # killed, out of memory...
    with pytest.raises(MlopsLabError, match="ended with exit code 3"):
        startup.load_at_start(f"{name}/1")


def test_serve_refuses_an_unknown_model_clearly(store):
    proc = subprocess.run([sys.executable, "-m", "mlops_lab.cli", "serve", "no-such@champion",
                           "--port", str(free_port())], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1
    assert "No model named 'no-such'" in proc.stderr


def test_serve_probabilities_by_default_for_a_classifier_and_refused_for_a_regressor(registry):
    from sklearn.linear_model import LogisticRegression

    name = f"proba-{uuid.uuid4().hex[:8]}"
    register(registry, name, 1.0)  # a regressor: no probabilities to promise
    proc = subprocess.run([sys.executable, "-m", "mlops_lab.cli", "serve", name,
                           "--probabilities", "--port", str(free_port())],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "(DummyRegressor) gives no class probabilities" in proc.stderr
    assert "Traceback" not in proc.stderr
    registry.register(LogisticRegression().fit(EXAMPLE, [0, 1, 1]), name, input_example=EXAMPLE)
    with serving(f"{name}/2", "--probabilities", "--no-log") as url:
        doc = httpx.post(f"{url}/predict", json={"records": [{"x": 1.0, "n": 1}]}).json()
        missing = httpx.post(f"{url}/predict", json={"records": [{"x": 1.0}]})
    assert doc["classes"] == [0, 1] and len(doc["probabilities"][0]) == 2
    assert missing.status_code == 422 and "Row 0 has no column(s) 'n'" in missing.json()["message"]


def test_serve_never_unpickles_without_the_opt_in(registry, tmp_path, hostile_model):
    target = tmp_path / "pwned-by-serve.txt"
    registry.register(hostile_model(target), "evil", serialization="pickle")
    proc = subprocess.run([sys.executable, "-m", "mlops_lab.cli", "serve", "evil", "--port",
                           str(free_port())], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "saved with pickle" in proc.stderr and "--allow-pickle" in proc.stderr
    assert not target.exists()


def test_hot_swap_while_the_alias_moves_drops_no_request(registry):
    name = f"swap-{uuid.uuid4().hex[:8]}"
    register(registry, name, 1.0, alias="champion")
    register(registry, name, 2.0)
    seen: list[list[tuple[int, float]]] = [[] for _ in range(4)]
    failures: list[str] = []
    stop = threading.Event()

    def client(index: int, url: str) -> None:
        with httpx.Client(timeout=30) as http:
            while not stop.is_set():
                try:
                    r = http.post(f"{url}/predict", json={"records": [{"x": 1.0, "n": 1}]})
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                    continue
                if r.status_code != 200:
                    failures.append(r.text)
                    continue
                doc = r.json()
                assert int(r.headers["X-Model-Version"]) == doc["version"]
                seen[index].append((doc["version"], doc["predictions"][0]))

    def wait_for(condition, what: str) -> None:
        deadline = time.monotonic() + 60
        while not condition():
            assert time.monotonic() < deadline, what
            assert not failures, failures[:3]
            time.sleep(0.01)

    with serving(f"{name}@champion", "--poll", "0.2") as url:
        threads = [threading.Thread(target=client, args=(i, url)) for i in range(4)]
        for t in threads:
            t.start()
        try:
            wait_for(lambda: sum(map(len, seen)) >= 40, "answers from version 1")
            registry.set_alias(name, "champion", 2, reason="hot swap test")
            wait_for(lambda: all(any(v == 2 for v, _ in s[-1:]) for s in seen),
                     "every client answered by version 2")
            count = sum(map(len, seen))
            wait_for(lambda: sum(map(len, seen)) >= count + 40, "more answers after the swap")
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        health = httpx.get(f"{url}/health").json()
        # A rollback is a move like any other: the server follows it back to version 1.
        registry.rollback(name, reason="hot swap test")
        wait_for(lambda: httpx.get(f"{url}/health").json()["version"] == 1,
                 "the server back on version 1 after the rollback")
    assert failures == []
    for answers in seen:
        versions = [v for v, _ in answers]
        assert versions == sorted(versions)  # never back to the old version
        assert versions[0] == 1 and versions[-1] == 2
        assert all(p == float(v) for v, p in answers)  # each answer from the version it names
    assert health["version"] == 2 and health["swaps"] == 1
