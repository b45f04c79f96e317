"""`mlops-lab runs`, `runs show` and `experiments`: search what notebooks tracked."""

from __future__ import annotations

import sys

from ..tracking.entities import format_number
from .options import positive_int
from .output import duration, print_json, print_pairs, print_table, printable, when

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


def register(commands, fmt) -> None:
    runs = commands.add_parser("runs", help="search runs (or `runs show RUN_ID`)",
                               description="Search runs; newest first unless -o says otherwise.",
                               epilog=RUNS_EPILOG, formatter_class=fmt)
    runs.add_argument("-e", "--experiment", action="append", default=[], metavar="NAME_OR_ID",
                      help="only runs of this experiment (repeatable)")
    runs.add_argument("-f", "--filter", default="", metavar="FILTER",
                      help="e.g. \"metrics.auc > 0.9 and params.model = 'rf'\"")
    runs.add_argument("-o", "--order-by", action="append", default=[], metavar="KEY",
                      help="e.g. \"metrics.auc desc\" (repeatable)")
    runs.add_argument("-n", "--max-results", type=positive_int, default=100, metavar="N",
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


def tracking_service():
    from ..store import open_store
    from ..tracking.service import TrackingService

    return TrackingService(open_store())


def cmd_runs(args) -> int:
    svc = tracking_service()
    page = svc.search_runs(experiment_ids=svc.experiment_ids(args.experiment), filter=args.filter, order_by=args.order_by or None,
                           max_results=args.max_results, page_token=args.page_token)
    if args.json:
        print_json(page.to_json())
        return 0
    if not page.runs:
        print("No runs match.")
        return 0
    print_table(*runs_table(page.runs))
    if page.next_page_token:
        print(f"\nMore runs: add --page-token {page.next_page_token}", file=sys.stderr)
    return 0


def cmd_runs_show(args) -> int:
    svc = tracking_service()
    run = svc.get_run(svc.find_run_id(args.run_id))
    if args.json:
        print_json(run.to_json())
        return 0
    print_run(run)
    return 0


def cmd_experiments(args) -> int:
    experiments = tracking_service().list_experiments()
    if args.json:
        print_json({"experiments": [e.to_json() for e in experiments]})
        return 0
    if not experiments:
        print("No experiments yet.")
        return 0
    rows = [[str(e.id), e.name, str(e.run_count), when(e.last_run_at), when(e.created_at)]
            for e in experiments]
    print_table(["id", "name", "runs", "last run", "created"], rows)
    return 0


def runs_table(runs) -> tuple[list[str], list[list[str]]]:
    metric_keys = sorted({k for r in runs for k in r.metrics})
    param_keys = sorted({k for r in runs for k in r.params})
    header = ["id", "name", "status", "start", "duration"]
    header += [f"metrics.{k}" for k in metric_keys] + [f"params.{k}" for k in param_keys]
    rows = []
    for r in runs:
        row = [r.id[:ID_WIDTH], r.name, r.status, when(r.start_time), duration(r.duration_ms)]
        row += [format_number(r.metrics[k]) if k in r.metrics else "" for k in metric_keys]
        row += [r.params.get(k, "") for k in param_keys]
        rows.append(row)
    return header, rows


def print_run(run) -> None:
    fields = [
        ("id", run.id), ("name", run.name), ("experiment", str(run.experiment_id)),
        ("status", run.status), ("start", when(run.start_time)), ("end", when(run.end_time)),
        ("duration", duration(run.duration_ms)), ("parent", run.parent_run_id or "-"),
    ]
    if run.error:
        fields.append(("error", run.error))
    print_pairs(fields)
    for title, values in (("params", run.params), ("metrics", run.metrics), ("tags", run.tags)):
        if values:
            print(f"\n{title}:")
            print_pairs([(k, format_number(v) if title == "metrics" else v)
                          for k, v in sorted(values.items())], indent="  ")
    source, env = run.source or {}, run.environment or {}
    if source:
        print("\nsource:")
        print_pairs([(k, str(v)) for k, v in source.items() if k != "cell" and v is not None],
                     indent="  ")
        if source.get("cell"):
            print("  cell:")
            for line in str(source["cell"]).splitlines():
                print("    " + printable(line))
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
        print_pairs(pairs, indent="  ")
