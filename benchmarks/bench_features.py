"""Feature store benchmarks: mlops-lab beside Feast (offline retrieval, local provider), measured
in the same run, printed as JSON.

    .venv/bin/python benchmarks/bench_features.py               # both, Feast if available
    .venv/bin/python benchmarks/bench_features.py --no-feast
    .venv/bin/python benchmarks/bench_features.py --feast-python /path/to/python

Each figure is the median of several repetitions, on a fresh store in a temporary folder:

- training_set_s: a point-in-time training set of 1,000,000 entity rows (random customers and
  times, unsorted) x 10 features from 2 feature sets (5 features each, 200,000 rows each:
  20,000 customers x 10 event times). "cold" reads the Parquet blobs every time (the in-process
  cache emptied), "warm" reuses them. A sample of 1,000 result rows is checked against a
  brute-force lookup.
- online_p50_ms / online_p99_ms: `get_online_features` of 10 features for one entity, 2,000
  calls, on the SQLite online store and on Redis (127.0.0.1:6379).
- feast.training_set_s: Feast's `get_historical_features(...).to_df()` on the same Parquet files
  and entity frame (FileSource, local provider), in a subprocess of the interpreter given by
  --feast-python (by default .venv-feast/bin/python when it exists, so Feast's pins never touch
  the project's venv). Feast's entity frame names its time column `event_timestamp`.
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
import textwrap
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FEAST_PYTHON = REPO / ".venv-feast" / "bin" / "python"
REDIS_URL = "redis://127.0.0.1:6379/0"

TARGETS = {"training_set_s": 3.0, "online_p50_ms": 1.0}

ENTITY_ROWS = 1_000_000
CUSTOMERS = 20_000
TIMES = 10
T0 = pd.Timestamp("2024-01-01")


def make_data(folder: Path, entity_rows: int) -> None:
    """The two feature sets' rows and the entity frame, as Parquet files both sides read."""
    rng = np.random.default_rng(42)
    for name in ("orders_stats", "web_stats"):
        ids = np.repeat(np.arange(CUSTOMERS), TIMES)
        times = T0 + pd.to_timedelta(rng.integers(0, 90 * 86400, len(ids)), "s")
        frame = pd.DataFrame({"customer_id": ids, "event_time": times})
        for i in range(5):
            frame[f"{name}_f{i}"] = rng.random(len(ids))
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    entities = pd.DataFrame({
        "customer_id": rng.integers(0, CUSTOMERS, entity_rows),
        "event_time": T0 + pd.to_timedelta(rng.integers(0, 100 * 86400, entity_rows), "s"),
    })
    entities.to_parquet(folder / "entities.parquet", index=False)


FEATURES = [f"orders_stats:orders_stats_f{i}" for i in range(5)] + \
           [f"web_stats:web_stats_f{i}" for i in range(5)]


def identity(frame):
    return frame


def check_sample(result: pd.DataFrame, folder: Path, rows: int = 1000) -> int:
    """Brute-force check of a sample of result rows; returns how many disagree."""
    rng = np.random.default_rng(7)
    sets = {n: pd.read_parquet(folder / f"{n}.parquet") for n in ("orders_stats", "web_stats")}
    wrong = 0
    for i in rng.choice(len(result), rows, replace=False):
        row = result.iloc[i]
        for name, frame in sets.items():
            match = frame[(frame["customer_id"] == row["customer_id"])
                          & (frame["event_time"] <= row["event_time"])]
            want = match.sort_values("event_time")[f"{name}_f0"].iloc[-1] if len(match) else np.nan
            got = row[f"{name}_f0"]
            if not (np.isnan(want) and np.isnan(got)) and want != got:
                wrong += 1
    return wrong


def mlops_lab_side(folder: Path, reps: int) -> dict:
    os.environ["MLOPS_LAB_HOME"] = str(folder / ".mlops-lab")
    from mlops_lab.features import offline
    from mlops_lab.features.online import RedisOnlineStore
    from mlops_lab.features.service import FeatureService
    from mlops_lab.store import open_store

    svc = FeatureService(open_store())
    for name in ("orders_stats", "web_stats"):
        svc.register(name, identity, entity="customer_id", timestamp="event_time")
        svc.materialize(name, pd.read_parquet(folder / f"{name}.parquet"))
    entities = pd.read_parquet(folder / "entities.parquet")

    def training(cold: bool) -> float:
        if cold:
            offline._cache.clear()
        t0 = time.perf_counter()
        svc.get_training_set(entities, FEATURES)
        return time.perf_counter() - t0

    cold = statistics.median(training(True) for _ in range(reps))
    warm = statistics.median(training(False) for _ in range(reps))
    result = svc.get_training_set(entities, FEATURES)
    wrong = check_sample(result, folder)
    result.to_parquet(folder / "mlops_lab_result.parquet", index=False)

    out = {"training_set_s": {"cold": round(cold, 3), "warm": round(warm, 3)},
           "training_set_rows": len(result),
           "training_set_rows_with_every_feature": int(result.notna().all(axis=1).sum()),
           "training_set_sample_mismatches": wrong}

    # Online: one feature set of 10 features.
    wide = pd.read_parquet(folder / "orders_stats.parquet")
    for i in range(5):
        wide[f"extra_f{i}"] = wide[f"orders_stats_f{i}"] * 2
    ten = [f"wide:{c}" for c in wide.columns if c not in ("customer_id", "event_time")]
    assert len(ten) == 10

    def online_latency(service) -> dict:
        service.register("wide", identity, entity="customer_id", timestamp="event_time")
        service.materialize("wide", wide)
        keys = np.random.default_rng(3).integers(0, CUSTOMERS, 2000)
        for k in keys[:200]:  # warm up connections and caches
            service.get_online_features({"customer_id": [int(k)]}, ten)
        times = []
        for k in keys:
            t0 = time.perf_counter()
            service.get_online_features({"customer_id": [int(k)]}, ten)
            times.append((time.perf_counter() - t0) * 1000)
        return {"p50_ms": round(float(np.percentile(times, 50)), 3),
                "p99_ms": round(float(np.percentile(times, 99)), 3)}

    out["online_sqlite"] = online_latency(svc)
    prefix = f"mlops-lab-bench-{uuid.uuid4().hex}"
    try:
        redis_store = RedisOnlineStore(REDIS_URL, prefix=prefix)
        redis_store.client.ping()
    except Exception as exc:  # noqa: BLE001 - report, do not fail the run
        out["online_redis"] = {"error": f"{type(exc).__name__}: {exc}"}
    else:
        try:
            out["online_redis"] = online_latency(FeatureService(svc.store, online=redis_store))
        finally:
            keys = list(redis_store.client.scan_iter(match=f"{prefix}:*"))
            for start in range(0, len(keys), 1000):
                redis_store.client.delete(*keys[start:start + 1000])
    return out


FEAST_SCRIPT = textwrap.dedent('''
    import json, statistics, sys, time, warnings
    from datetime import timedelta
    from pathlib import Path
    import pandas as pd
    warnings.filterwarnings("ignore")
    folder, reps = Path(sys.argv[1]), int(sys.argv[2])
    repo = folder / "feast_repo"
    repo.mkdir(exist_ok=True)
    (repo / "feature_store.yaml").write_text(
        "project: bench\\nregistry: registry.db\\nprovider: local\\n"
        "online_store:\\n  type: sqlite\\n  path: online.db\\n"
        "offline_store:\\n  type: file\\nentity_key_serialization_version: 3\\n")
    from feast import Entity, FeatureStore, FeatureView, Field, FileSource, ValueType
    from feast.types import Float64
    customer = Entity(name="customer", join_keys=["customer_id"], value_type=ValueType.INT64)
    views = []
    for name in ("orders_stats", "web_stats"):
        source = FileSource(path=str(folder / f"{name}.parquet"), timestamp_field="event_time")
        views.append(FeatureView(name=name, entities=[customer], ttl=timedelta(days=3650),
                                 schema=[Field(name=f"{name}_f{i}", dtype=Float64) for i in range(5)],
                                 source=source))
    store = FeatureStore(repo_path=str(repo))
    store.apply([customer, *views])
    entities = pd.read_parquet(folder / "entities.parquet").rename(
        columns={"event_time": "event_timestamp"})
    features = [f"{n}:{n}_f{i}" for n in ("orders_stats", "web_stats") for i in range(5)]
    import feast
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        df = store.get_historical_features(entity_df=entities, features=features).to_df()
        times.append(time.perf_counter() - t0)
    df.rename(columns={"event_timestamp": "event_time"}).to_parquet(folder / "feast_result.parquet", index=False)
    print(json.dumps({"version": feast.__version__, "training_set_s": round(statistics.median(times), 3),
                      "rows": len(df)}))
''')


def feast_side(python: str, folder: Path, reps: int, timeout: float) -> dict:
    script = folder / "feast_side.py"
    script.write_text(FEAST_SCRIPT)
    try:
        out = subprocess.run([python, str(script), str(folder), str(reps)], cwd=folder,
                             capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else
                f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare_results(folder: Path) -> dict:
    """Feast's answers beside mlops-lab's, row by row on (customer, time) pairs that occur once."""
    mine = pd.read_parquet(folder / "mlops_lab_result.parquet")
    theirs = pd.read_parquet(folder / "feast_result.parquet")
    keys = ["customer_id", "event_time"]
    for frame in (mine, theirs):
        frame["event_time"] = pd.to_datetime(frame["event_time"], utc=True)
    once = mine.drop_duplicates(keys, keep=False)
    both = once.merge(theirs.drop_duplicates(keys, keep=False), on=keys, suffixes=("", "_feast"))
    columns = [f.split(":")[1] for f in FEATURES]
    differ = 0
    for c in columns:
        a, b = both[c].to_numpy(), both[f"{c}_feast"].to_numpy(dtype=float)
        differ += int((~((a == b) | (np.isnan(a) & np.isnan(b)))).sum())
    return {"rows_compared": len(both), "values_that_differ": differ,
            "mlops_lab_rows": len(mine), "feast_rows": len(theirs),
            "entity_rows_feast_left_out": len(mine) - len(theirs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--entity-rows", type=int, default=ENTITY_ROWS)
    parser.add_argument("--no-feast", action="store_true")
    parser.add_argument("--feast-python", default=None)
    parser.add_argument("--feast-reps", type=int, default=3)
    parser.add_argument("--feast-timeout", type=float, default=900)
    parser.add_argument("--side", choices=["mlops_lab"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:  # the mlops-lab side, as the subprocess of a full run
        print(json.dumps(mlops_lab_side(Path(args.folder), args.reps)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-features-") as tmp:
        folder = Path(tmp)
        make_data(folder, args.entity_rows)
        mine = subprocess.run([sys.executable, __file__, "--side", "mlops_lab", "--folder",
                               str(folder), "--reps", str(args.reps)], check=True,
                              stdout=subprocess.PIPE, text=True, cwd=folder)
        report = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()},
            "entity_rows": args.entity_rows, "features": len(FEATURES), "feature_sets": 2,
            "feature_rows_per_set": CUSTOMERS * TIMES, "reps": args.reps, "targets": TARGETS,
            "mlops_lab": json.loads(mine.stdout.strip().splitlines()[-1]),
        }
        feast_python = args.feast_python or (str(DEFAULT_FEAST_PYTHON)
                                             if DEFAULT_FEAST_PYTHON.exists() else None)
        if args.no_feast:
            report["feast"] = None
        elif feast_python is None:
            report["feast"] = {"error": "no Feast interpreter (.venv-feast/bin/python)"}
        else:
            report["feast"] = feast_side(feast_python, folder, args.feast_reps, args.feast_timeout)
            if (folder / "feast_result.parquet").exists():
                report["feast"]["same_answers"] = compare_results(folder)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
