"""Monitoring benchmarks, the drift part: mlops-lab's detect_drift against Evidently's
DataDriftPreset, measured in the same run on the same data, printed as one JSON document.

    .venv/bin/python benchmarks/bench_monitoring.py                 # both (Evidently if set up)
    .venv/bin/python benchmarks/bench_monitoring.py --no-evidently  # mlops-lab only, ~1 minute
    .venv/bin/python benchmarks/bench_monitoring.py --reps 7 --seeds 40

Figures:
- speed: seconds to check 1,000,000 rows x 20 numeric columns, median of --reps runs on fresh
  data per run (seed = run number): mlops-lab from a stored ReferenceProfile (built beforehand,
  JSON round-tripped) and from two raw frames (building the profile included); Evidently's
  `Report([DataDriftPreset()]).run(current, reference)` (--evidently-reps runs, default 1: it
  takes minutes).
- false alarms: pairs of samples drawn from ONE distribution, 20 mixed columns (12 numeric, 8
  categorical), at 500 ... 1,000,000 rows, several seeds per size, the same files for both
  tools. Any column flagged is a false alarm. Reported per size: the share of columns flagged,
  the share of datasets with at least one column flagged, the share of datasets whose verdict
  is "drift" (both tools: drifted columns >= 50%).
- power: one numeric column shifted by 0.25 sd and one category gaining 10 points of share at
  10,000 rows; which columns each tool names.

Evidently lives in its own virtualenv (.venv-evidently: its pins want pandas < 3); it runs as a
subprocess of that interpreter (--evidently-python), reading the Parquet files this script
writes to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
DEFAULT_EVIDENTLY_PYTHON = REPO / ".venv-evidently" / "bin" / "python"
SPEED_ROWS, SPEED_COLUMNS = 1_000_000, 20
SEEDS_PER_SIZE = {500: 20, 1_000: 20, 10_000: 20, 100_000: 5, 1_000_000: 1}


# ---------------------------------------------------------------- data (numpy + pandas only)


def numeric_frame(n: int, rng: np.random.Generator) -> pd.DataFrame:
    makers = [lambda: rng.normal(50, 12, n), lambda: rng.lognormal(3, 1, n),
              lambda: rng.exponential(30, n), lambda: rng.uniform(0, 1, n),
              lambda: rng.gamma(2, 40, n)]
    return pd.DataFrame({f"x{i:02d}": makers[i % len(makers)]() for i in range(SPEED_COLUMNS)})


def write_cases(folder: Path, reps: int) -> dict:
    """The Parquet files both tools read, and the manifest that lists them."""
    # The 20 mixed columns the drift tests check: one generator, so the rates measured here
    # are rates on the tests' data. (Imported here: Evidently's interpreter runs this file too.)
    sys.path.insert(0, str(REPO / "tests"))
    from test_drift_statistics import mixed_frame

    manifest = {"speed": [], "false_alarms": [], "power": []}

    def pair(kind: str, name: str, make) -> dict:
        ref, cur = make()
        paths = {side: str(folder / f"{name}-{side}.parquet") for side in ("reference", "current")}
        ref.to_parquet(paths["reference"]), cur.to_parquet(paths["current"])
        manifest[kind].append({"name": name, **paths, "rows": len(ref)})
        return manifest[kind][-1]

    for rep in range(reps):
        rng = np.random.default_rng(rep)
        pair("speed", f"speed-{rep}",
             lambda: (numeric_frame(SPEED_ROWS, rng), numeric_frame(SPEED_ROWS, rng)))
    for n, seeds in SEEDS_PER_SIZE.items():
        for seed in range(seeds):
            rng = np.random.default_rng(1000 + seed)
            pair("false_alarms", f"same-{n}-{seed}",
                 lambda: (mixed_frame(n, rng), mixed_frame(n, rng)))
    rng = np.random.default_rng(77)
    pair("power", "shift-0.25sd",
         lambda: (mixed_frame(10_000, rng), mixed_frame(10_000, rng, shift=0.25)))
    pair("power", "city+10pts", lambda: (mixed_frame(10_000, rng), mixed_frame(
        10_000, rng, city_shares=[0.35, 0.65 / 3, 0.65 / 3, 0.65 / 3])))
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return manifest


# ---------------------------------------------------------------- the two tools


def check_mlops_lab(reference: pd.DataFrame, current: pd.DataFrame) -> dict:
    from mlops_lab.monitoring.drift import detect_drift
    report = detect_drift(reference, current)
    return {"drifted_columns": report.drifted_features, "columns": len(report.features),
            "dataset_drift": report.drifted}


def check_evidently(reference: pd.DataFrame, current: pd.DataFrame) -> dict:
    from evidently import Report
    from evidently.presets import DataDriftPreset
    metrics = Report([DataDriftPreset()]).run(current, reference).dict()["metrics"]
    drifted, columns, share = [], 0, None
    for metric in metrics:
        config = metric["config"]
        if config["type"].endswith("DriftedColumnsCount"):
            share, limit = metric["value"]["share"], config["drift_share"]
        elif config["type"].endswith("ValueDrift"):
            columns += 1
            value, threshold = metric["value"], config["threshold"]
            # p-value methods drift below the threshold, distance methods at or above it
            if (value < threshold) if "p_value" in config["method"] else (value >= threshold):
                drifted.append(config["column"])
    return {"drifted_columns": drifted, "columns": columns, "dataset_drift": share >= limit}


def measure_side(side: str, manifest: dict, speed_reps: int) -> dict:
    """Runs every case of the manifest with one tool, in this interpreter."""
    check = check_mlops_lab if side == "mlops_lab" else check_evidently
    def read(case: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
        return pd.read_parquet(case["reference"]), pd.read_parquet(case["current"])

    speed = {"raw_frames_s": []}
    if side == "mlops_lab":
        from mlops_lab.monitoring.drift import ReferenceProfile, detect_drift
        speed["stored_profile_s"] = []
    check(*read(manifest["false_alarms"][0]))  # warm-up: imports, first calls
    for case in manifest["speed"][:speed_reps]:
        reference, current = read(case)
        if side == "mlops_lab":
            stored = ReferenceProfile.from_json(json.loads(json.dumps(
                ReferenceProfile.from_frame(reference).to_json())))
            t0 = time.perf_counter()
            detect_drift(stored, current)
            speed["stored_profile_s"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        check(reference, current)
        speed["raw_frames_s"].append(time.perf_counter() - t0)
        print(f"  {side}: {case['name']} done", file=sys.stderr)
    by_size: dict[int, list[dict]] = {}
    for case in manifest["false_alarms"]:
        by_size.setdefault(case["rows"], []).append(check(*read(case)))
    print(f"  {side}: false alarms done", file=sys.stderr)
    return {
        "speed_s": {k: round(statistics.median(v), 3) for k, v in speed.items() if v},
        "speed_runs_s": {k: [round(x, 3) for x in v] for k, v in speed.items()},
        "false_alarms": {str(n): rates(results) for n, results in by_size.items()},
        "power": {case["name"]: check(*read(case))["drifted_columns"]
                  for case in manifest["power"]},
    }


def rates(results: list[dict]) -> dict:
    columns = sum(r["columns"] for r in results)

    def share(flags) -> float:
        return round(sum(flags) / len(results), 4)

    return {
        "datasets": len(results),
        "columns_flagged_share": round(sum(len(r["drifted_columns"]) for r in results)
                                       / columns, 4),
        "datasets_with_any_alarm_share": share(bool(r["drifted_columns"]) for r in results),
        "datasets_called_drifted_share": share(r["dataset_drift"] for r in results),
    }


def version(side: str, python: str) -> str:
    module = "mlops_lab" if side == "mlops_lab" else "evidently"
    return subprocess.run([python, "-c", f"import {module}; print({module}.__version__)"],
                          check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


def side_in_subprocess(python: str, side: str, folder: Path, reps: int) -> dict:
    print(f"measuring {side} with {python} ...", file=sys.stderr)
    env = {**os.environ, "PYTHONPATH": str(REPO)} if side == "mlops_lab" else dict(os.environ)
    command = [python, str(Path(__file__).resolve()), "--side", side, "--data", str(folder),
               "--reps", str(reps)]
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, env=env)
    return {"version": version(side, python), **json.loads(out.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="speed runs per figure (median)")
    parser.add_argument("--seeds", type=int, help="seeds per size up to 10,000 rows (default 20)")
    parser.add_argument("--evidently-reps", type=int, default=1,
                        help="speed runs of Evidently (about 3 minutes each on 2 cores)")
    parser.add_argument("--evidently-python", help="interpreter with evidently installed")
    parser.add_argument("--no-evidently", action="store_true", help="measure mlops-lab only")
    parser.add_argument("--side", choices=["mlops_lab", "evidently"], help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:  # one tool, as the subprocess of a full run
        manifest = json.loads((Path(args.data) / "manifest.json").read_text())
        print(json.dumps(measure_side(args.side, manifest, args.reps)))
        return
    if args.seeds:
        SEEDS_PER_SIZE.update({n: args.seeds for n in SEEDS_PER_SIZE if n <= 10_000})
    default = str(DEFAULT_EVIDENTLY_PYTHON) if DEFAULT_EVIDENTLY_PYTHON.exists() else None
    evidently = None if args.no_evidently else (args.evidently_python or default)
    with tempfile.TemporaryDirectory(prefix="bench-drift-") as tmp:
        folder = Path(tmp)
        print("writing the data ...", file=sys.stderr)
        write_cases(folder, args.reps)
        report = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()},
            "speed_case": f"{SPEED_ROWS:,} rows x {SPEED_COLUMNS} numeric columns",
            "seeds_per_size": SEEDS_PER_SIZE,
            "mlops_lab": side_in_subprocess(sys.executable, "mlops_lab", folder, args.reps),
            "evidently": (side_in_subprocess(evidently, "evidently", folder, args.evidently_reps)
                          if evidently else None),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
