"""`mlops-lab dag run|resume|show|list` (DAGs of notebooks) and `mlops-lab sweep`."""

from __future__ import annotations

import shlex
import time

from .options import positive_int
from .output import duration, print_json, print_pairs, print_table, when

POLL_SECONDS = 0.5  # how often a running DAG's progress is printed

DAG_EPILOG = """\
examples:
  mlops-lab dag run pipeline.yaml
  mlops-lab dag run pipeline.yaml -p alpha=0.5 -p train.epochs=20 --concurrency 2
  mlops-lab dag show 3f2a9c1e
  mlops-lab dag resume 3f2a9c1e
  mlops-lab dag list --status FAILED

pipeline file (YAML; notebooks relative to it):
  steps:
    prepare: {notebook: prepare.ipynb, parameters: {rows: 1000}}
    train:
      notebook: train.ipynb
      depends_on: [prepare]
      parameters: {data_path: "${prepare.data_path}", alpha: 0.1}
  (${prepare.data_path} is what prepare recorded with ml.output("data_path", value))
"""
RUN_EPILOG = """\
examples:
  mlops-lab dag run pipeline.yaml
  mlops-lab dag run pipeline.yaml -p alpha=0.5          (every step with a parameter alpha)
  mlops-lab dag run pipeline.yaml -p train.epochs=20    (step train only)
  mlops-lab dag run pipeline.yaml --concurrency 1 --json
"""
RESUME_EPILOG = """\
examples:
  mlops-lab dag resume 3f2a9c1e        (re-runs the failed and skipped steps only)
"""
SHOW_EPILOG = """\
examples:
  mlops-lab dag show 3f2a9c1e
  mlops-lab dag show 3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b --json
"""
LIST_EPILOG = """\
examples:
  mlops-lab dag list
  mlops-lab dag list --status FAILED -n 20 --json
"""
SWEEP_EPILOG = """\
examples:
  mlops-lab sweep train.ipynb --grid alpha=0.1,1,10
  mlops-lab sweep train.ipynb --grid alpha=0.1,1 --grid model=rf,lr -p rows=1000
  mlops-lab sweep train.ipynb --random n=20 --param lr=loguniform:1e-4:1e-1 \\
      --param depth=int:2:8 --param kernel=choice:rbf,linear --seed 1
  mlops-lab sweep train.ipynb --grid alpha=1,2 --dask tcp://scheduler:8786

random parameters: uniform:LOW:HIGH, loguniform:LOW:HIGH, int:LOW:HIGH (ends included),
choice:A,B,C. With --grid and --random both, each of the n draws runs with every grid point.
Each point is a pipeline run under one sweep run: compare them with
  mlops-lab runs -f 'tags.`mlops_lab.sweep` = "SWEEP_ID"'   or in the Runs panel.
"""


def register(commands, fmt) -> None:
    dag = commands.add_parser("dag", help="run DAGs of notebooks (run, resume, show, list)",
                              description="Run a pipeline file: notebook steps in parallel "
                              "where the graph allows, outputs passed downstream.",
                              epilog=DAG_EPILOG, formatter_class=fmt)
    sub = dag.add_subparsers(dest="dag_command", metavar="run|resume|show|list", required=True)

    run = sub.add_parser("run", help="run a pipeline file and wait for it",
                         description="Run a pipeline file (YAML) and wait for it; exit status "
                         "1 if a step failed.", epilog=RUN_EPILOG, formatter_class=fmt)
    run.add_argument("file", metavar="FILE.yaml", help="the pipeline file")
    run.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                     help="set parameter NAME of every step that has it, or STEP.NAME of one "
                     "step (repeatable; numbers, True/False/None are typed)")
    run.add_argument("--concurrency", type=positive_int, default=None, metavar="N",
                     help="steps running at once (default: the file's, else 4)")
    run.add_argument("--json", action="store_true", help="print the DAG run as JSON")
    run.set_defaults(handler=cmd_run)

    resume = sub.add_parser("resume", help="re-run the failed steps of a DAG run",
                            description="Start a new attempt of a FAILED DAG run: only its "
                            "failed and skipped steps run, with the outputs of the steps that "
                            "succeeded.", epilog=RESUME_EPILOG, formatter_class=fmt)
    resume.add_argument("dag_run_id", metavar="DAG_RUN_ID", help="the id or a unique prefix")
    resume.add_argument("--json", action="store_true", help="print the DAG run as JSON")
    resume.set_defaults(handler=cmd_resume)

    show = sub.add_parser("show", help="show a DAG run and its steps",
                          description="Show a DAG run: each step's status, pipeline run, "
                          "parameters and outputs.", epilog=SHOW_EPILOG, formatter_class=fmt)
    show.add_argument("dag_run_id", metavar="DAG_RUN_ID", help="the id or a unique prefix")
    show.add_argument("--json", action="store_true", help="print the DAG run as JSON")
    show.set_defaults(handler=cmd_show)

    listing = sub.add_parser("list", help="list DAG runs, newest first",
                             description="List DAG runs, newest first.", epilog=LIST_EPILOG,
                             formatter_class=fmt)
    listing.add_argument("--status", choices=("RUNNING", "SUCCEEDED", "FAILED"), default=None)
    listing.add_argument("-n", "--limit", type=positive_int, default=100, metavar="N")
    listing.add_argument("--json", action="store_true", help="print them as JSON")
    listing.set_defaults(handler=cmd_list)

    sweep = commands.add_parser("sweep", help="run a notebook over a grid or random search",
                                description="Run NOTEBOOK once per point of a parameter grid "
                                "and/or a random search, each point a pipeline run, on a local "
                                "pool or a Dask cluster; prints a table of the points.",
                                epilog=SWEEP_EPILOG, formatter_class=fmt)
    sweep.add_argument("notebook", metavar="NOTEBOOK", help="the notebook (.ipynb) to run")
    sweep.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,…",
                       help="a grid parameter and its values (repeatable: cartesian product)")
    sweep.add_argument("--random", default=None, metavar="n=N",
                       help="draw N random points of the --param parameters")
    sweep.add_argument("--param", action="append", default=[], metavar="NAME=KIND:…",
                       help="a random parameter: uniform:LOW:HIGH, loguniform:LOW:HIGH, "
                       "int:LOW:HIGH or choice:A,B,C (repeatable)")
    sweep.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                       help="a parameter with one value for every point (repeatable)")
    sweep.add_argument("--seed", type=int, default=0, help="seed of the random draws (default 0)")
    sweep.add_argument("--workers", type=positive_int, default=None, metavar="N",
                       help="points running at once on the local pool (default: "
                       "MLOPS_LAB_PIPELINE_WORKERS or 4)")
    sweep.add_argument("--dask", default=None, metavar="ADDRESS",
                       help="run the points on this Dask scheduler, e.g. tcp://host:8786")
    sweep.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                       help="time limit of each point")
    sweep.add_argument("--experiment", default=None, help="tracking experiment of the runs")
    sweep.add_argument("--name", default=None, help="name of the sweep run")
    sweep.add_argument("--json", action="store_true", help="print the result as JSON")
    sweep.set_defaults(handler=cmd_sweep)


def dag_service():
    from ..pipelines.dags.service import DagService
    from ..store import open_store

    return DagService(open_store())


def assignments(items: list[str], what: str) -> dict:
    from ..pipelines.runs.parameters import parse_cli_value

    found = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            from ..errors import InvalidInput

            raise InvalidInput(f"{what} {item!r} must look like NAME=VALUE.")
        found[name.strip()] = parse_cli_value(value)
    return found


def cmd_run(args) -> int:
    svc = dag_service()
    run = svc.run(args.file, assignments(args.parameter, "Parameter"),
                  concurrency=args.concurrency, wait=False)
    return _follow(svc, run, args.json)


def cmd_resume(args) -> int:
    svc = dag_service()
    run = svc.resume(svc.find(args.dag_run_id).id, wait=False)
    return _follow(svc, run, args.json)


def _follow(svc, run, as_json: bool) -> int:
    """Prints each step's changes while the DAG run goes on; its table at the end."""
    seen = {s.name: s.status for s in run.steps}
    if not as_json:
        print(f"DAG run {run.id} ({run.name}, attempt {run.attempt})", flush=True)
    while not run.ended:
        time.sleep(POLL_SECONDS)  # polling the store for progress to print
        run = svc.get(run.id)
        for step in run.steps:
            if not as_json and seen.get(step.name) != step.status:
                print(f"  {step.name}: {step.status}", flush=True)
            seen[step.name] = step.status
    _print_run(run, as_json)
    return 0 if run.status == "SUCCEEDED" else 1


def cmd_show(args) -> int:
    _print_run(dag_service().find(args.dag_run_id), args.json)
    return 0


def cmd_list(args) -> int:
    runs = dag_service().list_runs(args.status, args.limit)
    if args.json:
        print_json({"dag_runs": [r.to_json(with_steps=False) for r in runs]})
        return 0
    if not runs:
        print("No DAG runs yet: start one with `mlops-lab dag run pipeline.yaml`.")
        return 0
    print_table(["id", "name", "status", "attempt", "steps", "started", "duration"], [
        [r.id[:8], r.name, r.status, str(r.attempt),
         " ".join(f"{k.lower()}:{v}" for k, v in sorted(r.counts.items())),
         when(r.started_at), duration(r.to_json(False)["duration_ms"])] for r in runs])
    return 0


def _print_run(run, as_json: bool) -> None:
    import json

    if as_json:
        print_json(run.to_json())
        return
    doc = run.to_json()
    print_pairs([("id", run.id), ("name", run.name), ("file", run.file),
                 ("status", run.status), ("attempt", run.attempt),
                 ("started", when(run.started_at)), ("duration", duration(doc["duration_ms"]))]
                + ([("error", run.error)] if run.error else []))
    print()
    print_table(["step", "status", "depends on", "pipeline run", "duration", "outputs / error"], [
        [s.name, s.status, ",".join(s.depends_on) or "-",
         (s.pipeline_run_id or "-")[:8], duration(s.to_json()["duration_ms"]),
         (s.error.splitlines()[0][:100] if s.error and s.status != "SUCCEEDED"
          else json.dumps(s.outputs)[:100])] for s in run.steps])


def cmd_sweep(args) -> int:
    from ..errors import InvalidInput
    from ..pipelines.sweeps.points import parse_assignment, parse_grid_values, sweep

    grid = {}
    for item in args.grid:
        name, values = parse_assignment(item, "--grid")
        grid[name] = parse_grid_values(name, values)
    n = None
    if args.random is not None:
        key, _, count = args.random.partition("=")
        if key.strip() != "n" or not count.strip().isdigit():
            raise InvalidInput(f"--random {args.random!r} must look like n=20.")
        n = int(count)
    random = dict(parse_assignment(item, "--param") for item in args.param)
    if random and n is None:
        raise InvalidInput("--param needs --random n=N: how many random points to draw.")
    result = sweep(args.notebook, grid=grid, random=random, n=n, seed=args.seed,
                   parameters=assignments(args.parameter, "Parameter"), workers=args.workers,
                   dask=args.dask, timeout=args.timeout, experiment=args.experiment,
                   name=args.name)
    if args.json:
        print_json(result.to_json())
    else:
        _print_sweep(result)
    return 0 if result.status == "SUCCEEDED" else 1


def _print_sweep(result) -> None:
    from ..tracking.entities import format_number

    params = sorted({k for p in result.points for k in p.parameters})
    metrics = sorted({k for p in result.points for k in p.metrics})
    print(f"Sweep {result.id} of {result.notebook} on {result.executor}")
    print_table(["point", "status", *params, *metrics, "pipeline run", "duration"], [
        [str(p.index), p.status, *[format_number(p.parameters.get(k, "")) for k in params],
         *[format_number(p.metrics[k]) if k in p.metrics else "-" for k in metrics],
         (p.pipeline_run_id or "-")[:8], duration(p.duration_ms)] for p in result.points])
    failed = [p for p in result.points if p.status != "SUCCEEDED"]
    for p in failed:
        print(f"point {p.index} {p.status}: {(p.error or '').splitlines()[0][:200] if p.error else ''}")
    print(f"\nCompare the points: {compare_points_command(result.id)}")


def compare_points_command(sweep_id: str) -> str:
    """The command that lists a sweep's points, quoted for a POSIX shell: the filter's
    backticks must reach mlops-lab, not run as a command substitution."""
    return shlex.join(["mlops-lab", "runs", "-f", f'tags.`mlops_lab.sweep` = "{sweep_id}"'])
