"""`mlops-lab runs`, `runs show` and `experiments`: search what notebooks tracked."""

from __future__ import annotations

import sys

from ..services import services
from ..tracking.entities import format_number
from . import runs_table
from .options import positive_int
from .output import (duration, file_size, print_json, print_pairs, print_table, printable,
                     when)

RUNS_EPILOG = """\
examples:
  mlops-lab runs
  mlops-lab runs -e "churn model" -f "metrics.auc > 0.9 and params.model = 'rf'"
  mlops-lab runs -o "metrics.auc desc" -o "attributes.start_time" -n 20
  mlops-lab runs -f "params.clf.n_estimators >= 100" --columns "name,metrics.*,params.clf.*"
  mlops-lab runs -f "attributes.parent_run_id = '3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b'"
  mlops-lab runs -f "status = 'FAILED'" --json | jq '.runs[].id'
  mlops-lab runs show 3f2a9c1e
  mlops-lab runs artifacts 3f2a9c1e
  mlops-lab runs get 3f2a9c1e models/clf.skops -o clf.skops

filter grammar: metrics.K, params.K, tags.K,
attributes.status|name|start_time|end_time|run_id|parent_run_id (or bare status, name);
= != < <= > >= like ilike; and, or, parentheses; keys may hold dots (params.clf.max_depth);
keys with other odd characters in backticks: metrics.`val loss` < 0.2

columns: the table shows the metrics and params you named first (then estimator params such as
clf.n_estimators), as many as fit the terminal; --columns picks them, --wide shows all.
"""
ARTIFACTS_EPILOG = """\
examples:
  mlops-lab runs artifacts 3f2a9c1e
  mlops-lab runs artifacts 3f2a9c1e models        (only the files below models/)
  mlops-lab runs artifacts 3f2a9c1e --json
"""
GET_EPILOG = """\
examples:
  mlops-lab runs get 3f2a9c1e models/clf.skops                (writes ./clf.skops)
  mlops-lab runs get 3f2a9c1e models/clf.skops -o out/       (writes out/clf.skops)
  mlops-lab runs get 3f2a9c1e models -o saved-models         (models/* into saved-models/)
  mlops-lab runs get 3f2a9c1e plots/roc.png -o roc.png --force

Each file is written whole (temp file, then rename) and checked against its content hash;
existing files are kept unless --force; nothing is written outside the destination.
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
    runs.add_argument("--columns", action="append", default=[], metavar="COLS",
                      help="the columns after the id, comma-separated: name, status, start, "
                      "duration, parent, metrics.K, params.K, tags.K (globs like params.clf.*)")
    runs.add_argument("--wide", action="store_true",
                      help="every metric and param column, values in full")
    runs.add_argument("--json", action="store_true", help="print the page as JSON")
    runs.set_defaults(handler=cmd_runs)
    runs_sub = runs.add_subparsers(dest="runs_command", metavar="{show,artifacts,get}")
    show = runs_sub.add_parser("show", help="show one run in full",
                               description="Show one run: params, metrics, tags, source cell, "
                               "environment.", epilog=SHOW_EPILOG, formatter_class=fmt)
    show.add_argument("run_id", metavar="RUN_ID", help="the run id or a unique prefix of it")
    show.add_argument("--json", action="store_true", help="print the run as JSON")
    show.set_defaults(handler=cmd_runs_show)
    artifacts = runs_sub.add_parser("artifacts", help="list a run's artifacts",
                                    description="List the files logged to a run.",
                                    epilog=ARTIFACTS_EPILOG, formatter_class=fmt)
    artifacts.add_argument("run_id", metavar="RUN_ID", help="the run id or a unique prefix of it")
    artifacts.add_argument("path", nargs="?", default=None, metavar="PATH",
                           help="only this file or the files below this folder")
    artifacts.add_argument("--json", action="store_true", help="print them as JSON")
    artifacts.set_defaults(handler=cmd_runs_artifacts)
    get = runs_sub.add_parser("get", help="download a run's artifact (a file or a folder)",
                              description="Download an artifact of a run: one file, or every "
                              "file below a folder.", epilog=GET_EPILOG, formatter_class=fmt)
    get.add_argument("run_id", metavar="RUN_ID", help="the run id or a unique prefix of it")
    get.add_argument("path", metavar="PATH", help="the artifact's path, or a folder of them")
    get.add_argument("-o", "--output", default=None, metavar="DST",
                     help="a file, or a folder to write into (default: ./NAME)")
    get.add_argument("--force", action="store_true", help="overwrite existing files")
    get.set_defaults(handler=cmd_runs_get)

    experiments = commands.add_parser("experiments", help="list experiments",
                                      description="List experiments with their run counts.",
                                      epilog=EXPERIMENTS_EPILOG, formatter_class=fmt)
    experiments.add_argument("--json", action="store_true", help="print them as JSON")
    experiments.set_defaults(handler=cmd_experiments)


def cmd_runs(args) -> int:
    svc = services().tracking
    page = svc.search_runs(experiment_ids=svc.experiment_ids(args.experiment), filter=args.filter, order_by=args.order_by or None,
                           max_results=args.max_results, page_token=args.page_token)
    if args.json:
        print_json(page.to_json())
        return 0
    if not page.runs:
        print("No runs match.")
        return 0
    columns, hidden = runs_table.columns_for(page.runs, args.columns, args.wide)
    print_table(*runs_table.table(page.runs, columns, args.wide))
    if hidden:
        print(f"\n{hidden} more metric/param columns: --wide shows all, --columns picks.",
              file=sys.stderr)
    if page.next_page_token:
        print(f"\nMore runs: add --page-token {page.next_page_token}", file=sys.stderr)
    return 0


def cmd_runs_show(args) -> int:
    svc = services().tracking
    run = svc.get_run(svc.find_run_id(args.run_id))
    if args.json:
        print_json(run.to_json())
        return 0
    # Where to look next: the run's children and files, with the commands that list them.
    children = svc.count_children(run.id)
    artifacts = svc.list_artifacts(run.id)
    print_run(run, [
        ("children", f"{children}  (mlops-lab runs -f \"parent_run_id = '{run.id}'\")"
         if children else "none"),
        ("artifacts", f"{len(artifacts)}  (mlops-lab runs artifacts {run.id[:8]})"
         if artifacts else "none"),
    ])
    return 0


def cmd_runs_artifacts(args) -> int:
    svc = services().tracking
    artifacts = svc.list_artifacts(svc.find_run_id(args.run_id), args.path)
    if args.json:
        print_json({"artifacts": [a.to_json() for a in artifacts]})
        return 0
    if not artifacts:
        print("No artifacts logged to this run.")
        return 0
    print_table(["path", "size", "type", "logged"],
                [[a.path, file_size(a.size), a.media_type or "-", when(a.created_at)]
                 for a in artifacts])
    return 0


def cmd_runs_get(args) -> int:
    svc = services().tracking
    local, written = svc.download_artifact(svc.find_run_id(args.run_id), args.path,
                                           args.output, overwrite=args.force)
    total = file_size(sum(a.size for a in written))
    files = "1 file" if len(written) == 1 else f"{len(written)} files"
    print(f"Wrote {files} ({total}) to {printable(local)}")
    return 0


def cmd_experiments(args) -> int:
    experiments = services().tracking.list_experiments()
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


def print_run(run, related=()) -> None:
    fields = [
        ("id", run.id), ("name", run.name), ("experiment", str(run.experiment_id)),
        ("status", run.status), ("start", when(run.start_time)), ("end", when(run.end_time)),
        ("duration", duration(run.duration_ms)), ("parent", run.parent_run_id or "-"),
        *related,
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
