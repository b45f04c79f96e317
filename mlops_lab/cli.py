"""The `mlops-lab` command: parse arguments, call one service, print the result.

The store is found like the Python API finds it (the nearest `.mlops-lab/` above the working
directory, or MLOPS_LAB_HOME / MLOPS_LAB_URI / MLOPS_LAB_ARTIFACTS). Heavy modules are imported
inside the commands so `mlops-lab --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import unicodedata

from .tracking.entities import format_number

EXIT_ERROR, EXIT_BAD_INPUT = 1, 2
ID_WIDTH = 8

RUNS_EPILOG = """\
examples:
  mlops-lab runs
  mlops-lab runs -e "churn model" -f "metrics.auc > 0.9 and params.model = 'rf'"
  mlops-lab runs -o "metrics.auc desc" -o "attributes.start_time" -n 20
  mlops-lab runs -f "status = 'FAILED'" --json | jq '.runs[].id'
  mlops-lab runs show 3f2a9c1e

filter grammar: metrics.K, params.K, tags.K, attributes.status|name|start_time|end_time|run_id
(or bare status, name); = != < <= > >= like ilike; and, or, parentheses;
keys with odd characters in backticks: metrics.`val loss` < 0.2
"""
SHOW_EPILOG = """\
examples:
  mlops-lab runs show 3f2a9c1e                 (a unique prefix of the id is enough)
  mlops-lab runs show 3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b --json
"""
EXPERIMENTS_EPILOG = """\
examples:
  mlops-lab experiments
  mlops-lab experiments --json
"""
DB_EPILOG = """\
examples:
  mlops-lab db current      the schema revision of the store's database
  mlops-lab db upgrade      bring it to the newest schema (SQLite: a backup copy is made first)
"""
GC_EPILOG = """\
examples:
  mlops-lab gc --dry-run               list what would be deleted
  mlops-lab gc                         delete unreferenced blobs older than 60 minutes
  mlops-lab gc --grace-minutes 0       also those written moments ago (no process may be logging)

Blobs younger than the grace period are kept: a process may have written one and not yet
committed the row that points to it.
"""


# ---- commands ------------------------------------------------------------------------------

def cmd_runs(args) -> int:
    svc = _service()
    page = svc.search_runs(experiment_ids=svc.experiment_ids(args.experiment), filter=args.filter, order_by=args.order_by or None,
                           max_results=args.max_results, page_token=args.page_token)
    if args.json:
        _print_json(page.to_json())
        return 0
    if not page.runs:
        print("No runs match.")
        return 0
    _print_table(*_runs_table(page.runs))
    if page.next_page_token:
        print(f"\nMore runs: add --page-token {page.next_page_token}", file=sys.stderr)
    return 0


def cmd_runs_show(args) -> int:
    svc = _service()
    run = svc.get_run(svc.find_run_id(args.run_id))
    if args.json:
        _print_json(run.to_json())
        return 0
    _print_run(run)
    return 0


def cmd_experiments(args) -> int:
    experiments = _service().list_experiments()
    if args.json:
        _print_json({"experiments": [e.to_json() for e in experiments]})
        return 0
    if not experiments:
        print("No experiments yet.")
        return 0
    rows = [[str(e.id), e.name, str(e.run_count), _when(e.last_run_at), _when(e.created_at)]
            for e in experiments]
    _print_table(["id", "name", "runs", "last run", "created"], rows)
    return 0


def cmd_db_current(args) -> int:
    from .store.migrate import HEAD, current_revision

    db = _database()
    revision = current_revision(db)
    if revision is None:
        print(f"none (empty database; `mlops-lab db upgrade` creates schema {HEAD})")
    elif revision == HEAD:
        print(f"{revision} (newest)")
    else:
        print(f"{revision} (this mlops-lab needs {HEAD}: run `mlops-lab db upgrade`)")
    return 0


def cmd_db_upgrade(args) -> int:
    from .store.db import redact
    from .store.migrate import upgrade

    db = _database()
    result = upgrade(db)
    where = redact(db.uri)
    if result["from"] == result["to"]:
        print(f"{where} is already at the newest schema ({result['to']}).")
        return 0
    print(f"Upgraded {where} from schema {result['from'] or 'none'} to {result['to']}.")
    if result.get("backup"):
        print(f"The database before the upgrade is saved at {result['backup']}.")
    elif result["from"] is not None and not db.is_sqlite:
        print("No backup was made automatically for this database (keep your pg_dump).")
    return 0


def cmd_gc(args) -> int:
    result = _service().collect_garbage(grace_seconds=args.grace_minutes * 60,
                                        dry_run=args.dry_run)
    if args.json:
        _print_json(result)
        return 0
    if args.dry_run:
        for blob in result["blobs"]:
            print(blob)
        print(f"Would delete {result['deleted']} unreferenced blob(s); {result['kept']} kept.")
    else:
        print(f"Deleted {result['deleted']} unreferenced blob(s); {result['kept']} kept.")
    return 0


# ---- the store -----------------------------------------------------------------------------

def _service():
    from .store import open_store
    from .tracking.service import TrackingService

    return TrackingService(open_store())


def _database():
    """The database alone, not migrated on open (so `db current` reports what is there)."""
    from . import config
    from .store.db import Database

    return Database(config.database_uri(config.find_home()),
                    busy_timeout=config.busy_timeout_seconds())


# ---- output --------------------------------------------------------------------------------

def _runs_table(runs) -> tuple[list[str], list[list[str]]]:
    metric_keys = sorted({k for r in runs for k in r.metrics})
    param_keys = sorted({k for r in runs for k in r.params})
    header = ["id", "name", "status", "start", "duration"]
    header += [f"metrics.{k}" for k in metric_keys] + [f"params.{k}" for k in param_keys]
    rows = []
    for r in runs:
        row = [r.id[:ID_WIDTH], r.name, r.status, _when(r.start_time), _duration(r.duration_ms)]
        row += [format_number(r.metrics[k]) if k in r.metrics else "" for k in metric_keys]
        row += [r.params.get(k, "") for k in param_keys]
        rows.append(row)
    return header, rows


def _print_run(run) -> None:
    fields = [
        ("id", run.id), ("name", run.name), ("experiment", str(run.experiment_id)),
        ("status", run.status), ("start", _when(run.start_time)), ("end", _when(run.end_time)),
        ("duration", _duration(run.duration_ms)), ("parent", run.parent_run_id or "-"),
    ]
    if run.error:
        fields.append(("error", run.error))
    _print_pairs(fields)
    for title, values in (("params", run.params), ("metrics", run.metrics), ("tags", run.tags)):
        if values:
            print(f"\n{title}:")
            _print_pairs([(k, format_number(v) if title == "metrics" else v)
                          for k, v in sorted(values.items())], indent="  ")
    source, env = run.source or {}, run.environment or {}
    if source:
        print("\nsource:")
        _print_pairs([(k, str(v)) for k, v in source.items() if k != "cell" and v is not None],
                     indent="  ")
        if source.get("cell"):
            print("  cell:")
            for line in str(source["cell"]).splitlines():
                print("    " + _printable(line))
    if env:
        print("\nenvironment:")
        git = env.get("git") or {}
        pairs = [(k, str(env[k])) for k in ("python", "platform") if env.get(k)]
        if git:
            pairs.append(("git", f"{git.get('commit', '?')[:12]} on {git.get('branch') or '?'}"
                                 f"{' (dirty)' if git.get('dirty') else ''}"))
        if env.get("packages"):
            pairs.append(("packages", f"{len(env['packages'])} recorded (see --json)"))
        if env.get("seeds"):
            pairs.append(("seeds", ", ".join(f"{k}={v}" for k, v in env["seeds"].items())))
        _print_pairs(pairs, indent="  ")


def _print_pairs(pairs, indent: str = "") -> None:
    width = max((_width(_printable(k)) for k, _ in pairs), default=0)
    for key, value in pairs:
        key = _printable(key)
        print(f"{indent}{key}{' ' * (width - _width(key))}  {_printable(value)}")


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    table = [[_printable(c) for c in row] for row in [header, *rows]]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        print("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _print_json(doc) -> None:
    print(json.dumps(doc, indent=2))


def _printable(text) -> str:
    """Control and direction-changing characters shown as escapes: a stored name must not move
    the cursor, recolour the terminal or reorder the line it is printed on."""
    text = str(text)
    if all(ch.isprintable() and unicodedata.category(ch) != "Cf" for ch in text):
        return text
    return "".join(ch if ch.isprintable() and unicodedata.category(ch) != "Cf"
                   else ascii(ch)[1:-1] for ch in text)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0
               if unicodedata.combining(ch) else 1 for ch in text)


def _when(ms: int | None) -> str:
    if ms is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000))


def _duration(ms: int | None) -> str:
    if ms is None:
        return "-"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


# ---- arguments -----------------------------------------------------------------------------

def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more minutes")
    return value


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="mlops-lab", formatter_class=fmt,
        description="mlops-lab: search and maintain the store your notebooks track runs in.",
        epilog="examples:\n  mlops-lab runs -f \"metrics.auc > 0.9\"\n  mlops-lab experiments\n"
               "  mlops-lab db upgrade\n  mlops-lab gc --dry-run\n\n"
               "`mlops-lab COMMAND --help` shows each command's options.",
    )
    parser.add_argument("--version", action="version", version=f"mlops-lab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    runs = commands.add_parser("runs", help="search runs (or `runs show RUN_ID`)",
                               description="Search runs; newest first unless -o says otherwise.",
                               epilog=RUNS_EPILOG, formatter_class=fmt)
    runs.add_argument("-e", "--experiment", action="append", default=[], metavar="NAME_OR_ID",
                      help="only runs of this experiment (repeatable)")
    runs.add_argument("-f", "--filter", default="", metavar="FILTER",
                      help="e.g. \"metrics.auc > 0.9 and params.model = 'rf'\"")
    runs.add_argument("-o", "--order-by", action="append", default=[], metavar="KEY",
                      help="e.g. \"metrics.auc desc\" (repeatable)")
    runs.add_argument("-n", "--max-results", type=_positive_int, default=100, metavar="N",
                      help="runs per page (default 100)")
    runs.add_argument("--page-token", default=None, metavar="TOKEN",
                      help="the token printed after the previous page")
    runs.add_argument("--json", action="store_true", help="print the page as JSON")
    runs.set_defaults(handler=cmd_runs)
    runs_sub = runs.add_subparsers(dest="runs_command", metavar="show")
    show = runs_sub.add_parser("show", help="show one run in full",
                               description="Show one run: params, metrics, tags, source cell, "
                               "environment.", epilog=SHOW_EPILOG, formatter_class=fmt)
    show.add_argument("run_id", metavar="RUN_ID", help="the run id or a unique prefix of it")
    show.add_argument("--json", action="store_true", help="print the run as JSON")
    show.set_defaults(handler=cmd_runs_show)

    experiments = commands.add_parser("experiments", help="list experiments",
                                      description="List experiments with their run counts.",
                                      epilog=EXPERIMENTS_EPILOG, formatter_class=fmt)
    experiments.add_argument("--json", action="store_true", help="print them as JSON")
    experiments.set_defaults(handler=cmd_experiments)

    db = commands.add_parser("db", help="schema of the store's database",
                             description="Inspect or upgrade the schema of the store's database.",
                             epilog=DB_EPILOG, formatter_class=fmt)
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("current", help="print the schema revision", epilog=DB_EPILOG,
                      description="Print the database's schema revision.",
                      formatter_class=fmt).set_defaults(handler=cmd_db_current)
    db_sub.add_parser("upgrade", help="upgrade to the newest schema (with a backup)",
                      epilog=DB_EPILOG, formatter_class=fmt,
                      description="Upgrade the database to the newest schema. A SQLite "
                      "database is copied beside itself first; back up PostgreSQL with pg_dump."
                      ).set_defaults(handler=cmd_db_upgrade)

    gc = commands.add_parser("gc", help="delete artifact blobs no record points to",
                             description="Delete stored blobs that no artifact points to "
                             "(left by a crash between writing a blob and recording it).",
                             epilog=GC_EPILOG, formatter_class=fmt)
    gc.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    gc.add_argument("--grace-minutes", type=_minutes, default=60.0, metavar="MINUTES",
                    help="keep blobs younger than this (default 60)")
    gc.add_argument("--json", action="store_true", help="print the result as JSON")
    gc.set_defaults(handler=cmd_gc)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .errors import InvalidInput, MlopsLabError

    try:
        return args.handler(args)
    except MlopsLabError as exc:
        message = " ".join(str(exc).split())  # one line, whatever the message holds
        print(f"mlops-lab: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT if isinstance(exc, InvalidInput) else EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `mlops-lab runs | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
