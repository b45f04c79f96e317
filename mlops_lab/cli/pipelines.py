"""`mlops-lab run` and `pipeline-runs`: notebooks run with papermill as pipeline runs."""

from __future__ import annotations

import json
import sys

from ..services import services
from .options import positive_int
from .output import duration, print_json, print_pairs, print_table, printable, when

ID_WIDTH = 8

RUN_EPILOG = """\
examples:
  mlops-lab run train.ipynb -p alpha 0.5 -p model rf
  mlops-lab run train.ipynb -o out/train-run.ipynb --timeout 600 --retries 2
  mlops-lab run train.ipynb -p layers '[64, 32]' --json
  mlops-lab run train.ipynb --no-wait          (queue it; see `mlops-lab pipeline-runs`)

Values are read as papermill reads them: True/False/None, numbers, else text; -P takes JSON.
A parameter the notebook's `parameters` cell does not declare is refused before anything runs
(the message lists the declared ones) unless --allow-undeclared is given. The run records every
parameter it used: given, or the cell's default. The kernel runs in the notebook's folder
(papermill's CLI uses the caller's). The command exits 1 when the run fails and prints the
failing cell's error.
"""
PIPELINE_RUNS_EPILOG = """\
examples:
  mlops-lab pipeline-runs
  mlops-lab pipeline-runs --status FAILED -n 20
  mlops-lab pipeline-runs show 3f2a9c1e --log
  mlops-lab pipeline-runs cancel 3f2a9c1e
"""


def register(commands, fmt) -> None:
    run = commands.add_parser("run", help="run a notebook as a pipeline run (papermill)",
                              description="Run a notebook with papermill as a pipeline run: "
                              "parameters injected, output notebook stored, tracked.",
                              epilog=RUN_EPILOG, formatter_class=fmt)
    run.add_argument("notebook", metavar="NOTEBOOK.ipynb")
    run.add_argument("-o", "--output", metavar="OUTPUT.ipynb",
                     help="where to write the executed notebook (default: "
                     "<folder>/<name>.runs/<pipeline run id>.ipynb)")
    parameter_options(run)
    run.add_argument("--timeout", type=float, metavar="SECONDS", help="stop the run after this")
    run.add_argument("--retries", type=int, default=0, metavar="N",
                     help="run again up to N times after a failure (backoff doubles)")
    run.add_argument("--retry-backoff", type=float, default=1.0, metavar="SECONDS")
    run.add_argument("-k", "--kernel", metavar="NAME", help="kernel (default: the notebook's)")
    run.add_argument("-e", "--experiment", metavar="NAME", help="experiment of its tracked run")
    run.add_argument("--allow-undeclared", action="store_true",
                     help="pass parameters the notebook's `parameters` cell does not declare "
                     "(refused otherwise; recorded as not declared)")
    run.add_argument("--no-wait", action="store_true", help="queue it and return at once")
    run.add_argument("--json", action="store_true", help="print the pipeline run as JSON")
    run.set_defaults(handler=cmd_run)

    runs = commands.add_parser("pipeline-runs", help="list, show or cancel pipeline runs",
                               description="Pipeline runs, newest first.",
                               epilog=PIPELINE_RUNS_EPILOG, formatter_class=fmt)
    runs.add_argument("--status", metavar="STATUS",
                      help="QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED")
    runs.add_argument("-n", "--limit", type=positive_int, default=50, metavar="N")
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(handler=cmd_pipeline_runs)
    sub = runs.add_subparsers(dest="pipeline_runs_command", metavar="{show,cancel}")
    show = sub.add_parser("show", help="one pipeline run in full", epilog=PIPELINE_RUNS_EPILOG,
                          description="One pipeline run: parameters, outputs, error, log.",
                          formatter_class=fmt)
    show.add_argument("pipeline_run_id", metavar="ID", help="the id or a unique prefix")
    show.add_argument("--log", action="store_true", help="also print its log")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_pipeline_run_show)
    cancel = sub.add_parser("cancel", help="cancel a queued or running pipeline run",
                            description="Cancel a pipeline run at whatever moment it is in: its "
                            "kernel is stopped, nothing after the cancel is kept as a result, "
                            "and its error says where it stopped.",
                            epilog=PIPELINE_RUNS_EPILOG, formatter_class=fmt)
    cancel.add_argument("pipeline_run_id", metavar="ID")
    cancel.set_defaults(handler=cmd_pipeline_run_cancel)


def parameter_options(parser) -> None:
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="a parameter (repeatable)")
    parser.add_argument("-P", "--parameter-json", nargs=2, action="append", default=[],
                        metavar=("NAME", "JSON"), help="a parameter given as JSON")


def parameters_given(args) -> dict:
    from ..errors import InvalidInput
    from ..pipelines.runs.parameters import parse_cli_value

    params = {name: parse_cli_value(value) for name, value in args.parameter}
    for name, text in args.parameter_json:
        try:
            params[name] = json.loads(text)
        except ValueError:
            raise InvalidInput(f"-P {name}: {text[:100]!r} is not JSON.") from None
    return params


# ---- run and pipeline runs ----------------------------------------------------------------

def cmd_run(args) -> int:
    from ..pipelines.runs.lean_imports import skip_unused_imports

    skip_unused_imports()
    run = services().pipelines.run_notebook(
        args.notebook, parameters_given(args), output=args.output, timeout=args.timeout,
        retries=args.retries, retry_backoff=args.retry_backoff, kernel_name=args.kernel,
        experiment=args.experiment, wait=not args.no_wait,
        allow_undeclared=args.allow_undeclared, in_this_process=True)
    if args.json:
        print_json(run.to_json())
    else:
        _print_run(run)
    if run.status in ("FAILED", "CANCELLED"):
        _print_failure(run)
        return 1
    return 0


def _print_failure(run) -> None:
    print(f"mlops-lab: pipeline run {run.id} {run.status}: {printable(run.error or '')}",
          file=sys.stderr)
    cell = run.failing_cell
    if cell:
        print(f"\nfailing cell {cell.get('execution_count') or cell.get('index')}:",
              file=sys.stderr)
        for line in (cell.get("source") or "").splitlines():
            print(f"    {printable(line)}", file=sys.stderr)
        print("", file=sys.stderr)
        for line in "\n".join(cell.get("traceback") or []).splitlines()[-15:]:
            print(printable(line), file=sys.stderr)


def _print_run(run) -> None:
    pairs = [("pipeline run", run.id), ("status", run.status), ("notebook", run.notebook),
             ("parameters", _parameters_text(run)),
             ("started", when(run.started_at)), ("duration", duration(run.duration_ms))]
    if run.outputs:
        pairs.append(("outputs", json.dumps(run.outputs)))
    if run.output_notebook and run.output_blob:
        pairs.append(("output notebook", run.output_notebook))
    if run.run_id:
        pairs.append(("tracked run", run.run_id))
    if run.attempt > 1:
        pairs.append(("attempts", str(run.attempt)))
    if run.schedule_id:
        pairs.append(("schedule", run.schedule_id))
    if run.reproduce_of:
        pairs.append(("reproduces", run.reproduce_of))
    if run.error:
        pairs.append(("error", run.error))
    print_pairs(pairs)


def _parameters_text(run) -> str:
    """Each parameter the run used, with where it came from: `alpha=0.5 (given), cv=5 (default)`."""
    if not run.effective_parameters:
        return json.dumps(run.parameters)
    return ", ".join(
        f"{name}={info['expression'] if 'expression' in info else json.dumps(info['value'])}"
        f" ({info['from']})" for name, info in run.effective_parameters.items())


def cmd_pipeline_runs(args) -> int:
    runs = services().pipelines.list_runs(status=args.status, limit=args.limit)
    if args.json:
        print_json({"pipeline_runs": [r.to_json() for r in runs]})
        return 0
    from ..pipelines.runs.notebooks import path_in_store

    print_table(["ID", "STATUS", "NOTEBOOK", "STARTED", "DURATION", "PARAMETERS"],
                [[r.id[:ID_WIDTH], r.status, path_in_store(r.notebook), when(r.started_at),
                  duration(r.duration_ms), short(json.dumps(r.parameters))] for r in runs])
    return 0


def cmd_pipeline_run_show(args) -> int:
    svc = services().pipelines
    run = svc.find(args.pipeline_run_id)
    if args.json:
        doc = run.to_json()
        if args.log:
            doc["log"] = svc.log(run.id)
        print_json(doc)
        return 0
    _print_run(run)
    if run.failing_cell:
        _print_failure(run)
    if args.log:
        print("\nlog:")
        print(printable(svc.log(run.id)).replace("\\n", "\n"))
    return 0


def cmd_pipeline_run_cancel(args) -> int:
    svc = services().pipelines
    run = svc.cancel(svc.find(args.pipeline_run_id).id)
    print(f"pipeline run {run.id}: {run.status}")
    return 0


def short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
