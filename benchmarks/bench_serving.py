"""Model serving: `mlops-lab serve` (skops, and --runtime onnx) beside `mlflow models serve`,
same model, same load tools.

    .venv/bin/python benchmarks/bench_serving.py [--runs 5] [--duration 5] [--requests 1000]

Measured for each server, in each run (medians over the runs are reported):
- start: process start to the first answered single-row prediction (polled every 5 ms), and
  the CPU time the server's processes used until then (start-up is single-threaded, so on a
  busy machine this is the closer guess at an idle start);
- p50/p99: single-row POST latency on loopback, one keep-alive connection, sequential
  (httpx client; the client's own time is included, the same for both);
- throughput: requests/s at concurrency 16 for `--duration` seconds, with `wrk` when
  installed (else an asyncio/httpx client), non-2xx answers counted.
Also, to show where the start time goes: the time a fresh process takes to import the
registry and load the model file (skops); the floor any Python server of this model has here
(a fresh process that only imports scikit-learn's linear models, which imports scipy.stats
and pandas; and one that also imports skops.io, which a server loading skops files needs);
and mlops-lab's start on a machine where skops was never imported before (an
empty user cache: skops then walks every scikit-learn module once, see
mlops_lab/skops_import.py). `mlops-lab serve --runtime onnx` serves the version's verified
ONNX file with onnxruntime and never imports scikit-learn; its floor is a fresh process that
imports onnxruntime. Once per benchmark, the ONNX export's verification figures of a
LogisticRegression (breast cancer), a RandomForest(100) and a Pipeline with OneHotEncoder +
StandardScaler on mixed columns are measured too (rows compared, label agreement, largest
probability difference, seconds to export and verify).

The model is a LogisticRegression on iris (fitted identically on both sides). mlops-lab serves
it from its registry (skops file) with the prediction log on (its default, to SQLite); MLflow
from an MLflow model folder (`--env-manager local`, 1 worker), from /work/main/.venv-bench
(`python3 -m venv .venv-bench && .venv-bench/bin/pip install mlflow`). Without MLflow the
mlops-lab side still runs. Results go to benchmarks/results/serving.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".venv-bench"
ROW = {"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4,
       "petal width (cm)": 0.2}
CONCURRENCY = 16
FIT = ("from sklearn.datasets import load_iris\n"
       "from sklearn.linear_model import LogisticRegression\n"
       "X, y = load_iris(return_X_y=True, as_frame=True)\n"
       "model = LogisticRegression(max_iter=1000).fit(X, y)\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, command: list[str], env: dict, path: str, body: dict, port: int):
        self.name, self.command, self.env, self.port = name, command, env, port
        self.url = f"http://127.0.0.1:{port}{path}"
        self.body = body
        self.proc = None
        self.start_cpu = None

    def start(self, env: dict | None = None) -> float:
        """Seconds from process start to the first answered prediction."""
        started = time.perf_counter()
        self.proc = subprocess.Popen(self.command, env=env or self.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = started + 180
        with httpx.Client(timeout=5) as client:
            while time.perf_counter() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}")
                try:
                    if client.post(self.url, json=self.body).status_code == 200:
                        elapsed = time.perf_counter() - started
                        self.start_cpu = self._cpu_seconds()
                        return elapsed
                except httpx.TransportError:
                    pass
                time.sleep(0.005)
        raise RuntimeError(f"{self.name} did not answer within 180 s")

    def _cpu_seconds(self) -> float:
        """CPU time the server's processes used so far: on a busy machine, a closer guess at
        the idle start time than the wall clock (start-up is single-threaded)."""
        import psutil

        root = psutil.Process(self.proc.pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
            self.proc = None


def latency(server: Server, requests: int) -> tuple[float, float]:
    """(p50, p99) in milliseconds of sequential single-row predictions."""
    times = []
    with httpx.Client(timeout=10) as client:
        for i in range(requests + 100):
            started = time.perf_counter()
            response = client.post(server.url, json=server.body)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text
            if i >= 100:  # warm-up excluded
                times.append(elapsed * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def throughput(server: Server, duration: float) -> tuple[float, int, str]:
    """(requests/s, non-2xx answers, tool) at concurrency 16."""
    if shutil.which("wrk"):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            body = json.dumps(server.body).replace("\\", "\\\\").replace("'", "\\'")
            script.write(f"wrk.method = 'POST'\nwrk.body = '{body}'\n"
                         "wrk.headers['Content-Type'] = 'application/json'\n")
        try:
            out = subprocess.run(["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{duration:g}s", "-s",
                                  script.name, server.url], capture_output=True, text=True,
                                 check=True).stdout
        finally:
            os.unlink(script.name)
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors = re.search(r"Socket errors: .*", out)
        return rate, int(bad.group(1)) if bad else 0 + (1 if errors else 0), "wrk"
    return asyncio.run(_httpx_load(server, duration)) + ("httpx",)


async def _httpx_load(server: Server, duration: float) -> tuple[float, int]:
    done, bad = 0, 0
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        stop = time.perf_counter() + duration

        async def worker():
            nonlocal done, bad
            while time.perf_counter() < stop:
                response = await client.post(server.url, json=server.body)
                done += 1
                bad += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return done / (time.perf_counter() - started), bad


def setup_mlops_lab(work: Path) -> Server:
    env = dict(os.environ, MLOPS_LAB_HOME=str(work / ".mlops-lab"))
    env.pop("MLOPS_LAB_URI", None)
    env.pop("MLOPS_LAB_ARTIFACTS", None)
    # onnx=True: the version also gets its ONNX file, verified on the 150 rows (the skops
    # server serves the skops file exactly as before).
    script = FIT + ("import mlops_lab.models.api as r\n"
                    "r.register_model(model, 'iris', input_example=X, alias='champion', "
                    "onnx=True)\n")
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=work)
    port = free_port()
    command = [sys.executable, "-m", "mlops_lab.cli", "serve", "iris@champion", "--port",
               str(port), "--log-level", "warning"]
    return Server("mlops-lab serve", command, env, "/predict", {"records": [ROW]}, port)


def setup_mlops_lab_onnx(skops_server: Server) -> Server:
    # The same version served from its ONNX file (registered by setup_mlops_lab).
    port = free_port()
    command = [sys.executable, "-m", "mlops_lab.cli", "serve", "iris@champion", "--port",
               str(port), "--log-level", "warning", "--runtime", "onnx"]
    return Server("mlops-lab serve onnx", command, skops_server.env, "/predict",
                  {"records": [ROW]}, port)


def setup_mlflow(work: Path) -> Server | None:
    python = BENCH_VENV / "bin" / "python"
    if not (BENCH_VENV / "bin" / "mlflow").exists():
        return None
    path = work / "mlflow-model"
    env = dict(os.environ, PATH=f"{BENCH_VENV / 'bin'}:{os.environ['PATH']}",
               MLFLOW_TRACKING_URI=f"file://{work / 'mlruns'}")
    env.pop("VIRTUAL_ENV", None)
    script = FIT + f"import mlflow.sklearn\nmlflow.sklearn.save_model(model, {str(path)!r})\n"
    subprocess.run([str(python), "-c", script], env=env, check=True, cwd=work,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    command = [str(BENCH_VENV / "bin" / "mlflow"), "models", "serve", "-m", str(path),
               "--env-manager", "local", "-p", str(port), "-w", "1"]
    return Server("mlflow models serve", command, env, "/invocations",
                  {"dataframe_records": [ROW]}, port)


def mlflow_version() -> str | None:
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        return None
    out = subprocess.run([str(python), "-c", "import mlflow; print(mlflow.__version__)"],
                         capture_output=True, text=True)
    return out.stdout.strip() or None


def load_time(work: Path) -> float:
    """A fresh process importing the registry and loading the model version (skops)."""
    env = dict(os.environ, MLOPS_LAB_HOME=str(work / ".mlops-lab"))
    code = ("import time; t = time.perf_counter()\n"
            "from mlops_lab.models.service import ModelService\n"
            "from mlops_lab.store import open_store\n"
            "ModelService(open_store()).load('iris@champion')\n"
            "print(time.perf_counter() - t)\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=work)
    return float(out.stdout.strip())


FLOOR_IMPORTS = {
    "sklearn": "import sklearn.linear_model",
    "sklearn_skops": "import sklearn.linear_model\n"
                     "from mlops_lab.skops_import import skops_io\nskops_io()",
    "onnxruntime": "import onnxruntime",
}
VERIFY_MODELS = (ROOT / "benchmarks" / "onnx_verification.py").read_text()


def onnx_verification(work: Path) -> dict:
    # The ONNX export's verification figures of three models, in a store of their own.
    env = dict(os.environ, MLOPS_LAB_HOME=str(work / ".mlops-lab-verify"))
    env.pop("MLOPS_LAB_URI", None)
    env.pop("MLOPS_LAB_ARTIFACTS", None)
    out = subprocess.run([sys.executable, "-c", VERIFY_MODELS], env=env, capture_output=True,
                         text=True, check=True, cwd=work)
    return json.loads(out.stdout.strip().splitlines()[-1])


def floor_time(imports: str) -> float:
    """Seconds a fresh Python process takes to run `imports` and say so (its exit is not
    waited for): what any server of this model pays before its own work."""
    code = f"{imports}\nimport os\nprint(1, flush=True)\nos._exit(0)"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.PIPE)
    return time.perf_counter() - started


def cold_cache_start(server: Server, work: Path) -> float:
    """mlops-lab's start with an empty user cache (the first start on a new machine)."""
    cache = Path(tempfile.mkdtemp(dir=work, prefix="cold-cache-"))
    try:
        return server.start(dict(server.env, XDG_CACHE_HOME=str(cache)))
    finally:
        server.stop()
        shutil.rmtree(cache, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per run")
    parser.add_argument("--requests", type=int, default=1000, help="sequential requests per run")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "serving.json"))
    args = parser.parse_args()

    # Bytecode for mlops_lab, as a regular install has it (pip compiles what it installs; the
    # editable checkout has none when PYTHONDONTWRITEBYTECODE is set, as it is here).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "mlops_lab")],
                   check=True)
    work = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    servers = [setup_mlops_lab(work)]
    servers.append(setup_mlops_lab_onnx(servers[0]))
    verification = onnx_verification(work)
    peer = setup_mlflow(work)
    if peer is not None:
        servers.append(peer)
    else:
        print("MLflow is not installed in .venv-bench: measuring mlops-lab only.")
    samples: dict[str, dict[str, list]] = {s.name: {"start_s": [], "start_cpu_s": [],
                                                    "p50_ms": [], "p99_ms": [], "rps": [],
                                                    "non_2xx": []} for s in servers}
    loads, colds, tool = [], [], None
    floors: dict[str, list] = {key: [] for key in FLOOR_IMPORTS}
    try:
        for run in range(args.runs):
            loads.append(load_time(work))
            for key, imports in FLOOR_IMPORTS.items():
                floors[key].append(floor_time(imports))
            colds.append(cold_cache_start(servers[0], work))
            for server in servers:
                try:
                    started = server.start()
                    p50, p99 = latency(server, args.requests)
                    rps, bad, tool = throughput(server, args.duration)
                finally:
                    server.stop()
                got = samples[server.name]
                for key, value in (("start_s", started), ("start_cpu_s", server.start_cpu),
                                   ("p50_ms", p50), ("p99_ms", p99),
                                   ("rps", rps), ("non_2xx", bad)):
                    got[key].append(value)
                print(f"run {run + 1}/{args.runs} {server.name:20s} start {started:6.3f} s "
                      f"(cpu {server.start_cpu:5.2f} s)  "
                      f"p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  {rps:8.1f} req/s ({tool})  "
                      f"non-2xx {bad}", flush=True)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    medians = {name: {key: statistics.median(values) for key, values in got.items()}
               for name, got in samples.items()}
    result = {"runs": args.runs, "duration_s": args.duration, "requests": args.requests,
              "concurrency": CONCURRENCY, "load_tool": tool, "cpus": os.cpu_count(),
              "mlflow": mlflow_version(), "median": medians, "samples": samples,
              "registry_load_in_fresh_process_s": statistics.median(loads),
              "import_sklearn_linear_model_s": statistics.median(floors["sklearn"]),
              "import_sklearn_and_skops_s": statistics.median(floors["sklearn_skops"]),
              "import_onnxruntime_s": statistics.median(floors["onnxruntime"]),
              "onnx_verification": verification,
              "mlops_lab_start_empty_cache_s": statistics.median(colds)}
    ours = medians["mlops-lab serve"]
    print(f"\nmedians of {args.runs} runs ({os.cpu_count()} CPUs, load by {tool}):")
    print(f"{'':22s}{'start (s)':>10s}{'cpu (s)':>9s}{'p50 (ms)':>10s}{'p99 (ms)':>10s}"
          f"{'req/s @16':>11s}")
    for name, m in medians.items():
        print(f"{name:22s}{m['start_s']:10.3f}{m['start_cpu_s']:9.2f}{m['p50_ms']:10.2f}"
              f"{m['p99_ms']:10.2f}{m['rps']:11.1f}")
    print(f"registry import + skops load in a fresh process: "
          f"{result['registry_load_in_fresh_process_s']:.3f} s")
    print(f"floor, a fresh process importing sklearn.linear_model: "
          f"{result['import_sklearn_linear_model_s']:.3f} s; and skops.io: "
          f"{result['import_sklearn_and_skops_s']:.3f} s")
    print(f"floor of --runtime onnx, a fresh process importing onnxruntime: "
          f"{result['import_onnxruntime_s']:.3f} s")
    for name, check in verification.items():
        print(f"ONNX {name}: {check['rows_compared']} rows, labels agree "
              f"{check['label_agreement']:.2%}, max abs difference "
              f"{check['max_abs_difference']:.2g} (tolerance {check['tolerance']}), export + "
              f"verify {check['export_and_verify_s']:.2f} s, {check['onnx_bytes']} bytes")
    print(f"mlops-lab serve start with an empty user cache (first start on a machine): "
          f"{result['mlops_lab_start_empty_cache_s']:.3f} s")
    goals = {"start <= 1.5 s": ours["start_s"] <= 1.5, "p50 <= 3 ms": ours["p50_ms"] <= 3.0,
             "--runtime onnx start <= 0.5 s":
                 medians["mlops-lab serve onnx"]["start_s"] <= 0.5}
    if peer is not None:
        ratio = ours["rps"] / medians[peer.name]["rps"]
        result["throughput_ratio"] = ratio
        goals["throughput >= 2x MLflow"] = ratio >= 2.0
        print(f"throughput: {ratio:.2f}x MLflow")
    result["goals"] = goals
    for goal, met in goals.items():
        print(f"  {'met' if met else 'NOT met'}: {goal}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
