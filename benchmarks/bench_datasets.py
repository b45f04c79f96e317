"""Dataset snapshot speed: hashing, re-snapshot of unchanged data, and a new snapshot's write
speed against raw `DataFrame.to_parquet` on the same data, side by side in one run.

    .venv/bin/python benchmarks/bench_datasets.py            # 1e7 x 5 float64 (400 MB), ~2 min
    .venv/bin/python benchmarks/bench_datasets.py --rows 1e6 --repeat 3

Prints one JSON document. Each figure is the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=float, default=1e7)
    parser.add_argument("--columns", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows, repeat = int(args.rows), args.repeat

    work = Path(tempfile.mkdtemp(prefix="bench-datasets-"))
    os.environ["MLOPS_LAB_HOME"] = str(work / ".mlops-lab")
    os.chdir(work)
    import blake3

    import mlops_lab as ml
    from mlops_lab.datasets import hashing, profile

    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.standard_normal((rows, args.columns)),
                      columns=[f"c{i}" for i in range(args.columns)])
    nbytes = int(df.memory_usage(index=False).sum())
    gb = nbytes / 1e9
    result: dict = {"rows": rows, "columns": args.columns, "bytes": nbytes, "repeat": repeat,
                    "cpu_count": os.cpu_count(), "python": sys.version.split()[0]}

    # ---- hashing, side by side ---------------------------------------------------------
    hashing.table_hash(df)  # warm up
    t = median_time(lambda: hashing.table_hash(df), repeat)
    result["hash_mlops_lab_gb_s"] = round(gb / t, 2)
    t = median_time(lambda: pd.util.hash_pandas_object(df, index=False).to_numpy(), repeat)
    result["hash_pandas_hash_pandas_object_gb_s"] = round(gb / t, 2)
    columns = [np.ascontiguousarray(df[c].to_numpy()) for c in df.columns]

    def raw_blake3():
        for c in columns:
            blake3.blake3(memoryview(c).cast("B"), max_threads=blake3.blake3.AUTO).digest()

    result["hash_raw_blake3_gb_s"] = round(gb / median_time(raw_blake3, repeat), 2)
    try:
        import xxhash

        def raw_xxh3():
            for c in columns:
                xxhash.xxh3_128(memoryview(c).cast("B")).digest()

        result["hash_raw_xxh3_gb_s"] = round(gb / median_time(raw_xxh3, repeat), 2)
    except ImportError:
        result["hash_raw_xxh3_gb_s"] = None  # pip install xxhash to measure it

    # ---- profile on its own ------------------------------------------------------------
    result["profile_s"] = round(median_time(lambda: profile.profile_table(df), repeat), 3)

    # ---- a new snapshot against raw to_parquet -----------------------------------------
    raw_path = work / "raw.parquet"
    raw = []
    new = []
    for i in range(repeat):
        start = time.perf_counter()
        df.to_parquet(raw_path)
        raw.append(time.perf_counter() - start)
        raw_path.unlink()
        changed = df.copy()
        changed.iloc[0, 0] = float(i + 1)  # new content each time: a real new version
        start = time.perf_counter()
        version = ml.snapshot(changed, "bench", progress=False)
        new.append(time.perf_counter() - start)
        assert not version.existed
        del changed
    result["to_parquet_s"] = round(statistics.median(raw), 3)
    result["new_snapshot_s"] = round(statistics.median(new), 3)
    result["new_snapshot_vs_to_parquet"] = round(statistics.median(raw) / statistics.median(new), 3)

    # ---- re-snapshot of the unchanged frame --------------------------------------------
    first = ml.snapshot(df, "bench-same", progress=False)
    store = work / ".mlops-lab"
    before = folder_bytes(store / "artifacts")
    again = []
    for _ in range(repeat):
        start = time.perf_counter()
        version = ml.snapshot(df, "bench-same", progress=False)
        again.append(time.perf_counter() - start)
        assert version.existed and version.id == first.id
    result["resnapshot_unchanged_s"] = round(statistics.median(again), 3)
    result["resnapshot_bytes_written"] = folder_bytes(store / "artifacts") - before

    result["goals"] = {
        "hash >= 2 GB/s": result["hash_mlops_lab_gb_s"] >= 2,
        "re-snapshot <= 0.5 s, 0 bytes": result["resnapshot_unchanged_s"] <= 0.5
        and result["resnapshot_bytes_written"] == 0,
        "new snapshot >= 70% of to_parquet speed": result["new_snapshot_vs_to_parquet"] >= 0.7,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
