"""`mlops-lab dags run|resume|show|list`: DAGs of notebooks from a pipeline file.

`mlops-lab dags …` is the old spelling, kept one release (it says so on stderr)."""

from __future__ import annotations

import time

from ..services import services
from .deprecation import deprecated
from .options import positive_int
from .output import duration, print_json, print_pairs, print_table, when

POLL_SECONDS = 0.5  # how often a running DAG's progress is printed

DAG_EPILOG = """\
examples:
  mlops-lab dags run pipeline.yaml
  mlops-lab dags run pipeline.yaml -p alpha=0.5 -p train.epochs=20 --concurrency 2
  mlops-lab dags show 3f2a9c1e
  mlops-lab dags resume 3f2a9c1e
  mlops-lab dags list --status FAILED

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
  mlops-lab dags run pipeline.yaml
  mlops-lab dags run pipeline.yaml -p alpha=0.5          (every step with a parameter alpha)
  mlops-lab dags run pipeline.yaml -p train.epochs=20    (step train only)
  mlops-lab dags run pipeline.yaml --concurrency 1 --json
"""
RESUME_EPILOG = """\
examples:
  mlops-lab dags resume 3f2a9c1e        (re-runs the failed and skipped steps only)
"""
SHOW_EPILOG = """\
examples:
  mlops-lab dags show 3f2a9c1e
  mlops-lab dags show 3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b --json
"""
LIST_EPILOG = """\
examples:
  mlops-lab dags list
  mlops-lab dags list --status FAILED -n 20 --json
"""


def register(commands, fmt) -> None:
    dags = commands.add_parser("dags", help="run DAGs of notebooks (run, resume, show, list)",
                               description="Run a pipeline file: notebook steps in parallel "
                               "where the graph allows, outputs passed downstream.",
                               epilog=DAG_EPILOG, formatter_class=fmt)
    _add_commands(dags, fmt, lambda handler, command: handler)
    # `dag …` was renamed `dags …` (like runs, models, schedules): hidden, says so on stderr.
    old = commands.add_parser("dag", epilog=DAG_EPILOG, formatter_class=fmt)
    _add_commands(old, fmt, lambda handler, command: deprecated(handler, f"dag {command}",
                                                                f"dags {command}"))


def _add_commands(parent, fmt, wrap) -> None:
    """run|resume|show|list under `parent`; `wrap(handler, command)` is each one's handler."""
    sub = parent.add_subparsers(dest="dag_command", metavar="run|resume|show|list",
                                required=True)

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
    run.set_defaults(handler=wrap(cmd_run, "run"))

    resume = sub.add_parser("resume", help="re-run the failed steps of a DAG run",
                            description="Start a new attempt of a FAILED DAG run: only its "
                            "failed and skipped steps run, with the outputs of the steps that "
                            "succeeded.", epilog=RESUME_EPILOG, formatter_class=fmt)
    resume.add_argument("dag_run_id", metavar="DAG_RUN_ID", help="the id or a unique prefix")
    resume.add_argument("--json", action="store_true", help="print the DAG run as JSON")
    resume.set_defaults(handler=wrap(cmd_resume, "resume"))

    show = sub.add_parser("show", help="show a DAG run and its steps",
                          description="Show a DAG run: each step's status, pipeline run, "
                          "parameters and outputs.", epilog=SHOW_EPILOG, formatter_class=fmt)
    show.add_argument("dag_run_id", metavar="DAG_RUN_ID", help="the id or a unique prefix")
    show.add_argument("--json", action="store_true", help="print the DAG run as JSON")
    show.set_defaults(handler=wrap(cmd_show, "show"))

    listing = sub.add_parser("list", help="list DAG runs, newest first",
                             description="List DAG runs, newest first.", epilog=LIST_EPILOG,
                             formatter_class=fmt)
    listing.add_argument("--status", choices=("RUNNING", "SUCCEEDED", "FAILED"), default=None)
    listing.add_argument("-n", "--limit", type=positive_int, default=100, metavar="N")
    listing.add_argument("--json", action="store_true", help="print them as JSON")
    listing.set_defaults(handler=wrap(cmd_list, "list"))



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
    svc = services().dags
    run = svc.run(args.file, assignments(args.parameter, "Parameter"),
                  concurrency=args.concurrency, wait=False)
    return _follow(svc, run, args.json)


def cmd_resume(args) -> int:
    svc = services().dags
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
    _print_run(services().dags.find(args.dag_run_id), args.json)
    return 0


def cmd_list(args) -> int:
    runs = services().dags.list_runs(args.status, args.limit)
    if args.json:
        print_json({"dag_runs": [r.to_json(with_steps=False) for r in runs]})
        return 0
    if not runs:
        print("No DAG runs yet: start one with `mlops-lab dags run pipeline.yaml`.")
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
