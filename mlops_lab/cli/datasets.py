"""`mlops-lab datasets` (list) and `mlops-lab snapshots` (create, show, diff): data versions
from the shell."""

from __future__ import annotations

import argparse

from ..services import services
from .deprecation import deprecated
from .options import positive_int
from .output import file_size, print_json, print_pairs, print_table, when

DATASETS_EPILOG = """\
examples:
  mlops-lab datasets
  mlops-lab datasets -q customers --json

A dataset is a named series of snapshots: `mlops-lab snapshots …` takes, shows and compares them.
"""
SNAPSHOTS_EPILOG = """\
examples:
  mlops-lab snapshots create data/customers.csv customers
  mlops-lab snapshots show customers@3
  mlops-lab snapshots diff customers@2 customers@3 --key id
"""
SHOW_EPILOG = """\
examples:
  mlops-lab snapshots show customers            (the latest snapshot)
  mlops-lab snapshots show customers@3
  mlops-lab snapshots show customers@9f2c41 --json   (a prefix of the content hash)
"""
DIFF_EPILOG = """\
examples:
  mlops-lab snapshots diff customers@1 customers@2
  mlops-lab snapshots diff customers@1 customers --key id
  mlops-lab snapshots diff sales@1 sales@2 --key store --key day --json
"""
CREATE_EPILOG = """\
examples:
  mlops-lab snapshots create data/customers.csv customers
  mlops-lab snapshots create data/events/ events   (every .parquet (or .csv) file in the folder)
  mlops-lab snapshots create exports/2026-11.parquet "monthly sales" --json

The same content as a stored snapshot returns that snapshot and writes nothing. Validation
rules set with ml.expect(...) are checked; a snapshot they refuse exits with status 2.
"""


def register(commands, fmt) -> None:
    datasets = commands.add_parser(
        "datasets", help="list datasets (named series of snapshots)",
        description="List datasets (most recently changed first) with their latest snapshot.",
        epilog=DATASETS_EPILOG, formatter_class=fmt)
    datasets.add_argument("-q", "--search", default="", metavar="TEXT",
                          help="only datasets whose name contains TEXT")
    datasets.add_argument("-n", "--max-results", type=positive_int, default=1000, metavar="N",
                          help="at most N datasets (default 1000)")
    datasets.add_argument("--json", action="store_true", help="print them as JSON")
    datasets.set_defaults(handler=cmd_datasets)
    # `datasets show|diff` were renamed `snapshots show|diff` (what they show is a snapshot).
    old = datasets.add_subparsers(dest="datasets_command", help=argparse.SUPPRESS,
                                  metavar="")
    _add_show(old.add_parser("show", epilog=SHOW_EPILOG, formatter_class=fmt),
              deprecated(cmd_show, "datasets show", "snapshots show"))
    _add_diff(old.add_parser("diff", epilog=DIFF_EPILOG, formatter_class=fmt),
              deprecated(cmd_diff, "datasets diff", "snapshots diff"))

    snapshots = commands.add_parser(
        "snapshots", help="take, show and compare snapshots (versions of a dataset)",
        description="Snapshots: content-hashed, validated versions of a dataset.",
        epilog=SNAPSHOTS_EPILOG, formatter_class=fmt)
    sub = snapshots.add_subparsers(dest="snapshots_command", metavar="create|show|diff",
                                   required=True)
    _add_create(sub.add_parser(
        "create", help="store a CSV / Parquet file or folder as the next snapshot",
        description="Store a CSV or Parquet file, or a folder of them, as the next snapshot of "
        "dataset NAME: content hash, Parquet, schema, profile, validation.",
        epilog=CREATE_EPILOG, formatter_class=fmt), cmd_snapshot)
    _add_show(sub.add_parser(
        "show", help="show one snapshot: schema, profile, validation",
        description="Show a snapshot: its schema, a profile summary per column, its validation "
        "result and the dataset's other snapshots.", epilog=SHOW_EPILOG, formatter_class=fmt),
        cmd_show)
    _add_diff(sub.add_parser(
        "diff", help="what changed between two snapshots",
        description="Compare two snapshots: schema, rows added / removed / changed (matched by "
        "--key), statistic shifts.", epilog=DIFF_EPILOG, formatter_class=fmt), cmd_diff)

    # `snapshot PATH NAME` was renamed `snapshots create PATH NAME`.
    _add_create(commands.add_parser("snapshot", epilog=CREATE_EPILOG, formatter_class=fmt),
                deprecated(cmd_snapshot, "snapshot", "snapshots create"))


def _add_show(show, handler) -> None:
    show.add_argument("ref", metavar="NAME[@V]", help="dataset name (its latest snapshot), "
                      "name@version or name@<hash prefix>")
    show.add_argument("--json", action="store_true", help="print the snapshot as JSON")
    show.set_defaults(handler=handler)


def _add_diff(diff, handler) -> None:
    diff.add_argument("a", metavar="A", help="the first snapshot (name@version)")
    diff.add_argument("b", metavar="B", help="the second snapshot")
    diff.add_argument("-k", "--key", action="append", default=[], metavar="COLUMN",
                      help="column that identifies a row (repeatable for a compound key)")
    diff.add_argument("--json", action="store_true", help="print the diff as JSON")
    diff.set_defaults(handler=handler)


def _add_create(create, handler) -> None:
    create.add_argument("path", metavar="PATH", help="a .csv/.tsv/.parquet file or a folder")
    create.add_argument("name", metavar="NAME", help="the dataset's name (any text)")
    create.add_argument("-d", "--description", default=None, help="a note kept with the snapshot")
    create.add_argument("--quiet", action="store_true", help="no progress bar")
    create.add_argument("--json", action="store_true", help="print the snapshot as JSON")
    create.set_defaults(handler=handler)


def _num(value) -> str:
    from ..tracking.entities import format_number

    return "" if value is None else format_number(value)


def _validity(valid) -> str:
    return {True: "valid", False: "INVALID", None: "-"}[valid]


def cmd_datasets(args) -> int:
    found = services().datasets.list_datasets(args.search, args.max_results)
    if args.json:
        print_json({"datasets": [d.to_json() for d in found]})
        return 0
    if not found:
        print("No datasets." if not args.search else "No dataset matches.")
        return 0
    print_table(["id", "name", "versions", "latest", "rows", "rules", "updated"],
                [[str(d.id), d.name, str(d.version_count),
                  f"@{d.latest_version}" if d.latest_version else "-",
                  "-" if d.latest_row_count is None else f"{d.latest_row_count:,}",
                  "yes" if d.rules else "-", when(d.updated_at)] for d in found])
    return 0


def cmd_show(args) -> int:
    from ..datasets.validation import report_text

    svc = services().datasets
    version = svc.resolve(args.ref)
    if args.json:
        print_json(version.to_json())
        return 0
    print_pairs([("snapshot", version.ref), ("id", version.id),
                 ("content hash", version.content_hash),
                 ("rows", f"{version.row_count:,}"), ("columns", str(version.column_count)),
                 ("size", file_size(version.size)), ("created", when(version.created_at)),
                 ("run", version.run_id or "-"), ("validation", _validity(version.valid))])
    columns = version.profile.get("columns", {})
    print("\nprofile:")
    rows = []
    for c in version.schema:
        p = columns.get(c["name"], {})
        top = ", ".join(str(t["value"]) for t in p.get("top", [])[:3])
        rows.append([c["name"], c["dtype"], f"{p.get('null_share', 0):.1%}",
                     _num(p.get("distinct")) + ("~" if p.get("sampled") else ""),
                     _num(p.get("min")), _num(p.get("max")), _num(p.get("mean")),
                     _num(p.get("std")), top])
    print_table(["column", "dtype", "nulls", "distinct", "min", "max", "mean", "std", "top"], rows)
    if any(p.get("sampled") for p in columns.values()):
        print(f"(~ distinct counts and top values from a sample of "
              f"{version.profile.get('sample_rows', 0):,} rows)")
    print(f"\nvalidation: {report_text(version.validation)}")
    versions = svc.list_versions(version.dataset_id)
    print("\nsnapshots:")
    print_table(["version", "rows", "hash", "validation", "created"],
                [[f"@{v.version}", f"{v.row_count:,}", v.content_hash[:12], _validity(v.valid),
                  when(v.created_at)] for v in versions])
    return 0


def cmd_diff(args) -> int:
    from ..datasets.render import diff_text

    result = services().datasets.diff(args.a, args.b, key=args.key or None)
    if args.json:
        print_json(result.to_json())
        return 0
    print(diff_text(result))
    for kind in ("added", "removed"):
        rows = result.examples.get(kind) or []
        if rows:
            header = list(rows[0])
            print(f"\nrows {kind} (first {len(rows)}):")
            print_table(header, [[str(r.get(h)) for h in header] for r in rows])
    changed = result.examples.get("changed") or []
    if changed:
        print(f"\nrows changed (first {len(changed)}):")
        print_table(["key", "column", "a", "b"],
                    [[", ".join(f"{k}={v}" for k, v in c["key"].items()), col, str(v["a"]),
                      str(v["b"])] for c in changed for col, v in c["columns"].items()])
    return 0


def cmd_snapshot(args) -> int:
    from ..datasets.validation import report_text

    version = services().datasets.snapshot(args.path, args.name, description=args.description,
                                           show_progress=not args.quiet)
    if args.json:
        print_json({**version.to_json(), "existed": version.existed})
        return 0
    state = "unchanged: already stored as" if version.existed else "stored"
    print(f"{state} {version.ref}  {version.row_count:,} rows x {version.column_count} columns  "
          f"hash {version.content_hash[:12]}  {file_size(version.size)}")
    print(f"validation: {report_text(version.validation)}")
    return 0
