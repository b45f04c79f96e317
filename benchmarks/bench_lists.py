"""How the cost of a page of runs grows with the store: 10,000, 100,000 and 1,000,000 runs, on
SQLite and on PostgreSQL, printed as JSON (and as a Markdown table with --markdown).

    .venv/bin/python benchmarks/bench_lists.py                       # both backends, all sizes
    .venv/bin/python benchmarks/bench_lists.py --backends sqlite --sizes 10000 100000
    .venv/bin/python benchmarks/bench_lists.py --pg postgresql://postgres@127.0.0.1:5432/postgres

Queries (each the median of --reps calls of `TrackingService.search_runs`, after a warm-up):

- newest_50: the newest 50 runs of the experiment (the Runs tab's first page);
- newest_50_page_2: the 50 after them, through the first page's next_page_token;
- newest_50_deep: the 50 after the first half of the runs (a token for that place is made
  from the row there: an offset for the old OFFSET tokens, its sort key for cursor tokens);
- newest_50_all: the newest 50 runs with no experiment chosen;
- top_100: `metrics.acc > 0.5 and params.model = 'rf'` ordered by `metrics.acc desc`, first 100;
- top_100_page_2: the 100 after them, through the token.

The runs are written with SQL in bulk (one INSERT … SELECT per table and size step, the store
growing from one size to the next), not through the service: each run has one param (`model`,
one of rf/lr/svm), one metric (`acc`, spread over [0, 1)) and four runs share each start
millisecond (so the tie-break on run id is exercised). PostgreSQL gets a database of its own,
dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

SIZES = (10_000, 100_000, 1_000_000)
T0 = 1_700_000_000_000
FILTER = "metrics.acc > 0.5 and params.model = 'rf'"

# Run i's columns, in each dialect's SQL; the ids are the same on both (32 hex digits, not in
# insertion order).
_SQLITE = {
    "numbers": "WITH RECURSIVE c(i) AS "
               "(SELECT :lo UNION ALL SELECT i + 1 FROM c WHERE i + 1 < :hi)",
    "id": "printf('%08x%024x', (i * 2654435761) % 4294967296, i)",
    "false": "0",
}
_POSTGRES = {
    "numbers": "WITH c(i) AS (SELECT generate_series(CAST(:lo AS bigint), :hi - 1))",
    "id": "lpad(to_hex((i * 2654435761) % 4294967296), 8, '0') || lpad(to_hex(i), 24, '0')",
    "false": "false",
}


def add_runs(conn, sql: dict, experiment_id: int, lo: int, hi: int) -> None:
    """Runs lo..hi-1 with their param and latest metric, three INSERT … SELECTs."""
    start = f"{T0} + (i / 4) * 1000"
    statements = [
        f"INSERT INTO runs (id, experiment_id, name, status, start_time, end_time) "
        f"{sql['numbers']} SELECT {sql['id']}, {experiment_id}, 'run-' || i, 'FINISHED', "
        f"{start}, {start} + 500 FROM c ORDER BY 1",
        f"INSERT INTO latest_metrics (run_id, key, step, timestamp, value, is_nan) "
        f"{sql['numbers']} SELECT {sql['id']}, 'acc', 0, {start}, "
        f"((i * 7919) % 10007) / 10007.0, {sql['false']} FROM c ORDER BY 1",
        f"INSERT INTO params (run_id, key, value) {sql['numbers']} SELECT {sql['id']}, 'model', "
        f"CASE i % 3 WHEN 0 THEN 'rf' WHEN 1 THEN 'lr' ELSE 'svm' END FROM c ORDER BY 1",
    ]
    for statement in statements:
        conn.execute(text(statement), {"lo": lo, "hi": hi})
    conn.execute(text("ANALYZE"))


def median_ms(reps: int, call) -> float:
    call()  # warm the caches and the statement cache
    times = []
    for _ in range(reps):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 2)


def deep_token(svc, depth: int) -> str:
    """The page token of the newest runs after the first `depth` of them."""
    from mlops_lab.tracking import search

    if hasattr(search, "encode_page_token"):  # OFFSET tokens (before cursor paging)
        return search.encode_page_token(depth)
    from mlops_lab.store.keyset import encode_token

    with svc.db.read() as conn:
        row = conn.execute(text("SELECT start_time, id FROM runs ORDER BY start_time DESC, "
                                "id DESC LIMIT 1 OFFSET :n"), {"n": depth - 1}).one()
    return encode_token([0, row.start_time, row.id], search.ordering_mark(None))


def measure(svc, experiment_id: int, size: int, reps: int) -> dict:
    exp = [experiment_id]
    newest = svc.search_runs(exp, max_results=50)
    top = svc.search_runs(exp, FILTER, ["metrics.acc desc"], max_results=100)
    assert len(newest) == 50 and newest.next_page_token and len(top) == 100
    deep = deep_token(svc, size // 2)
    assert len(svc.search_runs(exp, max_results=50, page_token=deep)) == 50
    return {
        "newest_50": median_ms(reps, lambda: svc.search_runs(exp, max_results=50)),
        "newest_50_page_2": median_ms(reps, lambda: svc.search_runs(
            exp, max_results=50, page_token=newest.next_page_token)),
        "newest_50_deep": median_ms(reps, lambda: svc.search_runs(
            exp, max_results=50, page_token=deep)),
        "newest_50_all": median_ms(reps, lambda: svc.search_runs(None, max_results=50)),
        "top_100": median_ms(reps, lambda: svc.search_runs(
            exp, FILTER, ["metrics.acc desc"], max_results=100)),
        "top_100_page_2": median_ms(reps, lambda: svc.search_runs(
            exp, FILTER, ["metrics.acc desc"], max_results=100, page_token=top.next_page_token)),
    }


def bench_backend(uri: str, sql: dict, sizes, reps: int, folder: Path) -> dict:
    from mlops_lab.store import close_all, open_store
    from mlops_lab.tracking.service import TrackingService

    store = open_store(uri, str(folder / "artifacts"))
    svc = TrackingService(store)
    experiment_id = svc.get_or_create_experiment("bench").id
    engine = create_engine(uri)  # the bulk load, outside the store's short transactions
    results, have = {}, 0
    try:
        for size in sizes:
            began = time.perf_counter()
            with engine.begin() as conn:
                add_runs(conn, sql, experiment_id, have, size)
            have = size
            built = round(time.perf_counter() - began, 1)
            results[str(size)] = {**measure(svc, experiment_id, size, reps), "build_s": built}
            print(f"{uri.split(':')[0]} {size}: {results[str(size)]}", file=sys.stderr)
    finally:
        engine.dispose()
        close_all()
    return results


def postgres(admin_url: str, sizes, reps: int, folder: Path) -> dict:
    name = f"bench_lists_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin_url.rsplit("/", 1)[0] + "/" + name
        return bench_backend(url, _POSTGRES, sizes, reps, folder)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def markdown(report: dict) -> str:
    lines = ["| backend | runs | newest 50 | page 2 | half-way page | no experiment | "
             "filtered top 100 | page 2 |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for backend, sizes in report.items():
        for size, r in sizes.items():
            lines.append(f"| {backend} | {int(size):,} | {r['newest_50']} | "
                         f"{r['newest_50_page_2']} | {r['newest_50_deep']} | "
                         f"{r['newest_50_all']} | {r['top_100']} | {r['top_100_page_2']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="an admin URL of the PostgreSQL server (a database is made there)")
    parser.add_argument("--reps", type=int, default=15, help="calls per figure (median)")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    report = {}
    with tempfile.TemporaryDirectory(prefix="bench-lists-") as tmp:
        folder = Path(tmp)
        if "sqlite" in args.backends:
            uri = f"sqlite:///{folder / 'store.db'}"
            report["sqlite"] = bench_backend(uri, _SQLITE, sizes, args.reps, folder)
        if "postgresql" in args.backends:
            report["postgresql"] = postgres(args.pg, sizes, args.reps, folder)
    print(json.dumps(report, indent=2))
    if args.markdown:
        print(markdown(report))


if __name__ == "__main__":
    main()
