"""Pipelines: the overhead of a pipeline run over a bare papermill subprocess on the same
notebook; `mlops-lab run` against the `papermill` CLI on the gallery-style test notebooks
(tests/notebooks/gallery/, scikit-learn examples), side by side; and the scheduler sustaining
20 scheduled runs per minute (no missed or doubled fire, fire jitter) with two scheduler
daemons running at once. Prints one JSON document.

    .venv/bin/python benchmarks/bench_pipelines.py                  # about 8 minutes
    .venv/bin/python benchmarks/bench_pipelines.py --repeat 5 --minutes 1
    .venv/bin/python benchmarks/bench_pipelines.py --only gallery --gallery-repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
PAPERMILL = str(Path(PYTHON).with_name("papermill"))
MLOPS_LAB = str(Path(PYTHON).with_name("mlops-lab"))  # the command as a user types it
GALLERY = Path(__file__).resolve().parent.parent / "tests" / "notebooks" / "gallery"


def two_cell_notebook(path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    params = nbformat.v4.new_code_cell("x = 1")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print(x + 1)")]
    nbformat.write(nb, str(path))
    return path


def overhead(work: Path, repeat: int) -> dict:
    """Both measured from the caller's side: the command's wall time, alternating."""
    from mlops_lab.pipelines.runs.service import PipelineService
    from mlops_lab.store import open_store

    nb = two_cell_notebook(work / "two_cells.ipynb")
    svc = PipelineService(open_store())
    bare, pipeline = [], []
    svc.run_notebook(nb, {"x": 0})  # warm the file caches and the store once
    for i in range(repeat):
        start = time.perf_counter()
        subprocess.run([PAPERMILL, "-k", "python3", str(nb), str(work / "bare-out.ipynb"),
                        "-p", "x", str(i), "--no-progress-bar"], check=True,
                       capture_output=True)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        run = svc.run_notebook(nb, {"x": i})
        pipeline.append(time.perf_counter() - start)
        assert run.status == "SUCCEEDED", run.error
    b, p = statistics.median(bare), statistics.median(pipeline)
    return {"papermill_cli_s": round(b, 3), "pipeline_run_s": round(p, 3),
            "overhead_pct": round(100 * (p - b) / b, 1), "repeat": repeat,
            "papermill_cli_all_s": [round(x, 3) for x in bare],
            "pipeline_run_all_s": [round(x, 3) for x in pipeline]}


def gallery(work: Path, repeat: int) -> dict:
    """Per gallery notebook: the `mlops-lab run` command (waits for the end) and the `papermill`
    command, each a fresh process as a user types them; which goes first alternates. The first
    pair (cold file caches: what a user's first run after an install meets) is reported on its
    own as `cold`; medians of the `repeat` pairs after it. Both run the kernel in the notebook's
    folder (`--cwd` for papermill, as `mlops-lab run`)."""
    import shutil

    folder = work / "gallery"
    shutil.copytree(GALLERY, folder)
    commands = {
        "papermill": lambda nb: [PAPERMILL, "-k", "python3", nb.name, str(work / "bare-out.ipynb"),
                                 "--cwd", str(folder), "--no-progress-bar"],
        "mlops_lab_run": lambda nb: [MLOPS_LAB, "run", nb.name],
    }
    found = {}
    for nb in sorted(folder.glob("*.ipynb")):
        took = {name: [] for name in commands}
        for i in range(repeat + 1):
            for name in (list(commands) if i % 2 == 0 else list(commands)[::-1]):
                start = time.perf_counter()
                subprocess.run(commands[name](nb), check=True, capture_output=True, cwd=folder)
                took[name].append(time.perf_counter() - start)
        b, p = (statistics.median(took[name][1:]) for name in commands)
        found[nb.stem] = {"papermill_cli_s": round(b, 2), "mlops_lab_run_s": round(p, 2),
                          "difference_s": round(p - b, 2),
                          "cold": {name: round(took[name][0], 2) for name in commands}}
    found["median_difference_s"] = round(statistics.median(
        v["difference_s"] for v in found.values()), 2)
    found["repeat"] = repeat
    return found


def scheduler(work: Path, minutes: float) -> dict:
    """A schedule every 3 s (20 per minute), two `mlops-lab scheduler` daemons at once."""
    from sqlalchemy import select

    from mlops_lab.pipelines.schedules.service import ScheduleService
    from mlops_lab.pipelines.runs.service import PipelineService
    from mlops_lab.store import open_store
    from mlops_lab.store.tables.pipelines import schedule_fires as sf

    from mlops_lab.store.tables.pipelines import scheduler_leases

    store = open_store()
    nb = two_cell_notebook(work / "scheduled.ipynb")
    env = dict(os.environ, MLOPS_LAB_URI=store.db.uri, MLOPS_LAB_ARTIFACTS=store.artifacts.url)
    daemons = [subprocess.Popen([PYTHON, "-m", "mlops_lab.cli", "scheduler"], env=env,
                                cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(2)]
    # The schedule starts once a daemon holds the lease: daemon start-up is not fire jitter.
    while True:
        with store.db.read() as conn:
            if conn.execute(select(scheduler_leases.c.holder)).first():
                break
        time.sleep(0.1)
    schedule = ScheduleService(store).create(nb, "* * * * * */3", {"x": 1}, name="bench",
                                             keep_last=50)
    start = time.time()
    time.sleep(minutes * 60)  # the measured window: the daemons fire while the benchmark waits
    end = time.time()
    for daemon in daemons:
        daemon.terminate()
    for daemon in daemons:
        daemon.wait(timeout=60)
    svc = PipelineService(store)
    deadline = time.time() + 120
    while time.time() < deadline and any(
            r.status in ("QUEUED", "RUNNING") for r in svc.list_runs(schedule_id=schedule.id,
                                                                      limit=10_000)):
        svc.dispatch()
        time.sleep(0.5)
    with store.db.read() as conn:
        fires = conn.execute(select(sf.c.fire_time, sf.c.fired_at)
                             .where(sf.c.schedule_id == schedule.id)).all()
    # Ticks due inside the window (the first one fires once a daemon holds the lease).
    first = min(f.fire_time for f in fires)
    last_due = int(end * 1000) - 1500  # the daemons stopped: a tick due in the last 1.5 s may be unfired
    expected = [t for t in range(first, last_due + 1, 3000)]
    fired = sorted(f.fire_time for f in fires)
    jitter = sorted((f.fired_at - f.fire_time) / 1000 for f in fires)
    runs = svc.list_runs(schedule_id=schedule.id, limit=10_000)
    return {
        "window_s": round(end - start, 1), "runs_per_minute_scheduled": 20,
        "fired": len(fired), "expected": len(expected),
        "missed": len(set(expected) - set(fired)), "doubled": len(fired) - len(set(fired)),
        "runs": len(runs),
        "succeeded": sum(r.status == "SUCCEEDED" for r in runs),
        "failed": sum(r.status == "FAILED" for r in runs),
        "jitter_median_s": round(statistics.median(jitter), 3),
        "jitter_p95_s": round(jitter[int(0.95 * (len(jitter) - 1))], 3),
        "jitter_max_s": round(jitter[-1], 3),
        "run_duration_median_s": round(statistics.median(
            r.duration_ms for r in runs if r.duration_ms) / 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9, help="runs of each side (overhead)")
    parser.add_argument("--minutes", type=float, default=2.0, help="scheduler window")
    parser.add_argument("--gallery-repeat", type=int, default=3,
                        help="runs of each side per gallery notebook")
    parser.add_argument("--only", choices=("overhead", "gallery", "scheduler"),
                        help="measure only this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pipelines-") as tmp:
        work = Path(tmp)
        os.environ["MLOPS_LAB_HOME"] = str(work / ".mlops-lab")
        for name in ("MLOPS_LAB_URI", "MLOPS_LAB_ARTIFACTS"):
            os.environ.pop(name, None)
        os.chdir(work)
        result = {"cpu_count": os.cpu_count(), "load_before": os.getloadavg()[0]}
        for name, measure in (("overhead", lambda: overhead(work, args.repeat)),
                              ("gallery", lambda: gallery(work, args.gallery_repeat)),
                              ("scheduler", lambda: scheduler(work, args.minutes))):
            if args.only in (None, name):
                result[name] = measure()
        result["load_after"] = os.getloadavg()[0]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
