"""`mlops-lab sweeps run NOTEBOOK`: a notebook run once per point of a parameter grid and/or a
random search. `mlops-lab sweep NOTEBOOK` is the old spelling, kept one release (it says so on
stderr)."""

from __future__ import annotations

import shlex

from .dags import assignments
from .deprecation import deprecated
from .options import positive_int
from .output import duration, print_json, print_table

SWEEP_EPILOG = """\
examples:
  mlops-lab sweeps run train.ipynb --grid alpha=0.1,1,10
  mlops-lab sweeps run train.ipynb --grid alpha=0.1,1 --grid model=rf,lr -p rows=1000
  mlops-lab sweeps run train.ipynb --random n=20 --param lr=loguniform:1e-4:1e-1 \\
      --param depth=int:2:8 --param kernel=choice:rbf,linear --seed 1
  mlops-lab sweeps run train.ipynb --grid alpha=1,2 --dask tcp://scheduler:8786

random parameters: uniform:LOW:HIGH, loguniform:LOW:HIGH, int:LOW:HIGH (ends included),
choice:A,B,C. With --grid and --random both, each of the n draws runs with every grid point.
Each point is a pipeline run under one sweep run: compare them with
  mlops-lab runs -f 'tags.`mlops_lab.sweep` = "SWEEP_ID"'   or in the Runs panel.
"""

RUN_DESCRIPTION = ("Run NOTEBOOK once per point of a parameter grid and/or a random search, "
                   "each point a pipeline run, on a local pool or a Dask cluster; prints a "
                   "table of the points.")


def register(commands, fmt) -> None:
    sweeps = commands.add_parser("sweeps", help="run a notebook over a grid or random search",
                                 description="Sweeps: a notebook run once per point of a "
                                 "parameter grid and/or a random search.",
                                 epilog=SWEEP_EPILOG, formatter_class=fmt)
    sub = sweeps.add_subparsers(dest="sweeps_command", metavar="run", required=True)
    _add_run(sub.add_parser("run", help="run a sweep and print a table of its points",
                            description=RUN_DESCRIPTION, epilog=SWEEP_EPILOG,
                            formatter_class=fmt), cmd_sweep)
    # `sweep NOTEBOOK` was renamed `sweeps run NOTEBOOK`: hidden, says so on stderr.
    _add_run(commands.add_parser("sweep", description=RUN_DESCRIPTION, epilog=SWEEP_EPILOG,
                                 formatter_class=fmt),
             deprecated(cmd_sweep, "sweep", "sweeps run"))


def _add_run(sweep, handler) -> None:
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
    sweep.set_defaults(handler=handler)



def cmd_sweep(args) -> int:
    from ..errors import InvalidInput
    from ..pipelines.sweeps.api import sweep
    from ..pipelines.sweeps.points import parse_assignment, parse_grid_values

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
