"""`mlops-lab run`, `pipeline-runs`, `schedules`, `scheduler` and `reproduce`: notebooks as
pipeline runs (papermill), their cron schedules, and re-executing a run to check it."""

from __future__ import annotations

import json
import sys

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
SCHEDULES_EPILOG = """\
examples:
  mlops-lab schedules create train.ipynb --cron "0 6 * * 1-5" --tz Europe/Paris -p alpha 0.5
  mlops-lab schedules create report.ipynb --cron "*/15 * * * *" --missed run_once --keep-last 10
  mlops-lab schedules list
  mlops-lab schedules disable "nightly train"
  mlops-lab schedules edit "nightly train" --cron "0 7 * * *"
  mlops-lab schedules delete 3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b
"""
SCHEDULER_EPILOG = """\
examples:
  mlops-lab scheduler                    (runs until stopped; several may run, each tick fires once)
  nohup mlops-lab scheduler >scheduler.log 2>&1 &

The Jupyter server runs the same scheduler while it runs; this daemon keeps schedules firing
when it does not.
"""
REPRODUCE_EPILOG = """\
examples:
  mlops-lab reproduce 3f2a9c1e               (a pipeline run, or a run tracked inside one)
  mlops-lab reproduce 3f2a9c1e --check       (only check inputs and the environment)
  mlops-lab reproduce 3f2a9c1e --json
  mlops-lab reproduce 3f2a9c1e --rel-tol 1e-3 --ignore 'metric:*loss'

Compared: outputs (ml.output), params and metrics of the pipeline's tracked run and its child
runs (matched by cell, else name), and the cell outputs of the executed notebook (text with
numbers within the tolerance, images by hash). Timestamps, memory addresses (0x...),
durations, progress-bar timings, temporary paths and run ids are masked; params and metrics
named like timings (fit_time, *_seconds, duration) are left out.

exit status: 0 reproduced (everything compared is equal), 1 differs (a table says what),
3 cannot tell (the run recorded nothing to compare), 2 bad input.
"""
# `reproduce` exit codes; 1 and 2 as every command (an error, bad input).
EXIT_DIFFERS, EXIT_CANNOT_TELL = 1, 3
VERDICT_EXIT = {"reproduced": 0, "differs": EXIT_DIFFERS, "cannot tell": EXIT_CANNOT_TELL}


def register(commands, fmt) -> None:
    run = commands.add_parser("run", help="run a notebook as a pipeline run (papermill)",
                              description="Run a notebook with papermill as a pipeline run: "
                              "parameters injected, output notebook stored, tracked.",
                              epilog=RUN_EPILOG, formatter_class=fmt)
    run.add_argument("notebook", metavar="NOTEBOOK.ipynb")
    run.add_argument("-o", "--output", metavar="OUTPUT.ipynb",
                     help="where to write the executed notebook (default: "
                     "<folder>/<name>.runs/<pipeline run id>.ipynb)")
    _parameter_options(run)
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

    schedules = commands.add_parser("schedules", help="cron schedules of notebooks",
                                    description="Create, list, edit, enable, disable and delete "
                                    "cron schedules.", epilog=SCHEDULES_EPILOG,
                                    formatter_class=fmt)
    schedules.set_defaults(handler=cmd_schedules_list, json=False)
    ssub = schedules.add_subparsers(dest="schedules_command",
                                    metavar="{create,list,show,edit,enable,disable,delete}")
    create = ssub.add_parser("create", help="schedule a notebook", epilog=SCHEDULES_EPILOG,
                             description="Schedule a notebook with cron in a time zone.",
                             formatter_class=fmt)
    create.add_argument("notebook", metavar="NOTEBOOK.ipynb")
    create.add_argument("--cron", required=True,
                        help='five fields, minute hour day month weekday: e.g. "0 6 * * 1-5"')
    create.add_argument("--tz", "--timezone", dest="timezone", default="UTC",
                        help="IANA time zone the cron is read in (default UTC)")
    create.add_argument("--name", help="a name (default: notebook name and cron)")
    _schedule_options(create)
    _parameter_options(create)
    create.add_argument("--disabled", action="store_true", help="create it disabled")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=cmd_schedules_create)
    listing = ssub.add_parser("list", help="list schedules with their next fire times",
                              description="Schedules and their next fire times.",
                              epilog=SCHEDULES_EPILOG, formatter_class=fmt)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_schedules_list)
    for name, helptext in (("show", "show one schedule"), ("enable", "enable a schedule"),
                           ("disable", "disable a schedule"), ("delete", "delete a schedule")):
        p = ssub.add_parser(name, help=helptext, description=helptext.capitalize() + ".",
                            epilog=SCHEDULES_EPILOG, formatter_class=fmt)
        p.add_argument("schedule", metavar="ID_OR_NAME")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_schedule_action, action=name)
    edit = ssub.add_parser("edit", help="change a schedule", epilog=SCHEDULES_EPILOG,
                           description="Change what is given; the rest stays.",
                           formatter_class=fmt)
    edit.add_argument("schedule", metavar="ID_OR_NAME")
    edit.add_argument("--notebook", metavar="NOTEBOOK.ipynb")
    edit.add_argument("--cron")
    edit.add_argument("--tz", "--timezone", dest="timezone")
    edit.add_argument("--name")
    _schedule_options(edit, defaults=False)
    _parameter_options(edit)
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(handler=cmd_schedules_edit)

    scheduler = commands.add_parser("scheduler", help="run the scheduler daemon",
                                    description="Fire scheduled notebooks until stopped.",
                                    epilog=SCHEDULER_EPILOG, formatter_class=fmt)
    scheduler.add_argument("--grace", type=float, default=60.0, metavar="SECONDS",
                           help="a tick later than this counts as missed (default 60)")
    scheduler.set_defaults(handler=cmd_scheduler)

    reproduce = commands.add_parser("reproduce", help="re-execute a run and compare",
                                    description="Re-execute the notebook snapshot of a pipeline "
                                    "run with the same parameters, after checking its inputs and "
                                    "environment; then compare metrics and outputs.",
                                    epilog=REPRODUCE_EPILOG, formatter_class=fmt)
    reproduce.add_argument("run_id", metavar="RUN_ID", help="pipeline run or tracked run id")
    reproduce.add_argument("--check", action="store_true", help="only check, do not run")
    reproduce.add_argument("--force", action="store_true",
                           help="run even if an input snapshot is gone")
    reproduce.add_argument("--rel-tol", type=float, metavar="X",
                           help="numbers are equal within this relative tolerance "
                           "(default 1e-6)")
    reproduce.add_argument("--abs-tol", type=float, metavar="X",
                           help="... or this absolute one (default 1e-9)")
    reproduce.add_argument("--ignore", action="append", default=None, metavar="PATTERN",
                           help="leave out what matches (e.g. 'cell [4]*', 'metric:*loss'); "
                           "repeatable")
    reproduce.add_argument("--json", action="store_true")
    reproduce.set_defaults(handler=cmd_reproduce)


def _parameter_options(parser) -> None:
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="a parameter (repeatable)")
    parser.add_argument("-P", "--parameter-json", nargs=2, action="append", default=[],
                        metavar=("NAME", "JSON"), help="a parameter given as JSON")


def _schedule_options(parser, defaults: bool = True) -> None:
    parser.add_argument("--missed", choices=("skip", "run_once"),
                        default="skip" if defaults else None,
                        help="ticks missed while no scheduler ran: skip them, or run once")
    parser.add_argument("--keep-last", type=positive_int, metavar="N",
                        help="keep the output notebooks of the newest N runs only")
    parser.add_argument("--timeout", type=float, metavar="SECONDS")
    parser.add_argument("--retries", type=int, default=0 if defaults else None, metavar="N")
    parser.add_argument("--max-queued", type=positive_int, default=1 if defaults else None,
                        metavar="N", help="how many of its runs may wait in the queue; a tick "
                        "that finds that many is skipped (default 1)")


def _parameters(args) -> dict:
    from ..errors import InvalidInput
    from ..pipelines.runs.parameters import parse_cli_value

    params = {name: parse_cli_value(value) for name, value in args.parameter}
    for name, text in args.parameter_json:
        try:
            params[name] = json.loads(text)
        except ValueError:
            raise InvalidInput(f"-P {name}: {text[:100]!r} is not JSON.") from None
    return params


def _store():
    from ..store import open_store

    return open_store()


def _pipelines():
    from ..pipelines.runs.service import PipelineService

    return PipelineService(_store())


def _schedules():
    from ..pipelines.schedules.service import ScheduleService

    return ScheduleService(_store())


# ---- run and pipeline runs ----------------------------------------------------------------

def cmd_run(args) -> int:
    from ..pipelines.runs.lean_imports import skip_unused_imports

    skip_unused_imports()
    run = _pipelines().run_notebook(
        args.notebook, _parameters(args), output=args.output, timeout=args.timeout,
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
    runs = _pipelines().list_runs(status=args.status, limit=args.limit)
    if args.json:
        print_json({"pipeline_runs": [r.to_json() for r in runs]})
        return 0
    from ..pipelines.runs.notebooks import path_in_store

    print_table(["ID", "STATUS", "NOTEBOOK", "STARTED", "DURATION", "PARAMETERS"],
                [[r.id[:ID_WIDTH], r.status, path_in_store(r.notebook), when(r.started_at),
                  duration(r.duration_ms), _short(json.dumps(r.parameters))] for r in runs])
    return 0


def cmd_pipeline_run_show(args) -> int:
    svc = _pipelines()
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
    svc = _pipelines()
    run = svc.cancel(svc.find(args.pipeline_run_id).id)
    print(f"pipeline run {run.id}: {run.status}")
    return 0


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# ---- schedules ----------------------------------------------------------------------------

def _local(iso: str) -> str:
    """"2026-01-05T06:00:00+01:00" -> "2026-01-05 06:00:00+01:00"."""
    return iso.replace("T", " ", 1)


def _print_schedule(s) -> None:
    print_pairs([("schedule", s.id), ("name", s.name), ("notebook", s.notebook),
                 ("cron", f"{s.cron} ({s.timezone})"), ("enabled", "yes" if s.enabled else "no"),
                 ("parameters", json.dumps(s.parameters)), ("missed ticks", s.missed),
                 ("max queued", str(s.max_queued)),
                 ("keep last", str(s.keep_last) if s.keep_last else "all"),
                 ("next fire times", ", ".join(_local(t) for t in s.next_fire_times_local)
                  + f" ({s.timezone})" if s.next_fire_times_local else "-")])


def cmd_schedules_create(args) -> int:
    schedule = _schedules().create(
        args.notebook, args.cron, _parameters(args), name=args.name, timezone=args.timezone,
        missed=args.missed, keep_last=args.keep_last, timeout=args.timeout,
        retries=args.retries, enabled=not args.disabled, max_queued=args.max_queued)
    print_json(schedule.to_json()) if args.json else _print_schedule(schedule)
    return 0


def cmd_schedules_list(args) -> int:
    schedules = _schedules().list()
    if getattr(args, "json", False):
        print_json({"schedules": [s.to_json() for s in schedules]})
        return 0
    # NEXT is in the schedule's own time zone (TZ), as its cron is read; the offset says so.
    print_table(["ID", "NAME", "CRON", "TZ", "ENABLED", "NEXT (IN TZ)", "NOTEBOOK"],
                [[s.id[:ID_WIDTH], s.name, s.cron, s.timezone, "yes" if s.enabled else "no",
                  _local(s.next_fire_times_local[0]) if s.next_fire_times_local else "-",
                  s.notebook.rsplit("/", 1)[-1]] for s in schedules])
    return 0


def cmd_schedule_action(args) -> int:
    svc = _schedules()
    if args.action == "delete":
        schedule = svc.get(args.schedule)
        svc.delete(schedule.id)
        print(f"deleted schedule {schedule.name!r} ({schedule.id})")
        return 0
    schedule = {"show": svc.get, "enable": svc.enable, "disable": svc.disable}[args.action](
        args.schedule)
    print_json(schedule.to_json()) if args.json else _print_schedule(schedule)
    return 0


def cmd_schedules_edit(args) -> int:
    changes = {k: getattr(args, k) for k in ("notebook", "cron", "timezone", "name", "missed",
                                             "keep_last", "timeout", "retries", "max_queued")
               if getattr(args, k) is not None}
    params = _parameters(args)
    if params:
        changes["parameters"] = params
    schedule = _schedules().update(args.schedule, **changes)
    print_json(schedule.to_json()) if args.json else _print_schedule(schedule)
    return 0


def cmd_scheduler(args) -> int:
    import logging
    import signal
    import threading

    from ..pipelines.schedules.scheduler import Scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = Scheduler(_store(), grace_seconds=args.grace)
    logging.getLogger("mlops_lab.scheduler").info("scheduler %s started", scheduler.holder)
    scheduler.run_forever(stop)
    return 0


# ---- reproduce ----------------------------------------------------------------------------

def cmd_reproduce(args) -> int:
    from ..pipelines.reproduce.comparison import tolerance
    from ..pipelines.reproduce.service import ReproduceService

    svc = ReproduceService(_store())
    tol = tolerance(args.rel_tol, args.abs_tol, args.ignore)
    report = svc.check(args.run_id) if args.check else svc.reproduce(
        args.run_id, force=args.force, tolerance=tol)
    comparison = report.get("comparison")
    if args.json:
        print_json(report)
    else:
        _print_reproduction(report, args.check)
    if args.check:
        return 1 if report["problems"] else 0
    return VERDICT_EXIT[comparison["verdict"]] if comparison else EXIT_DIFFERS


def _print_reproduction(report: dict, check_only: bool) -> None:
    original = report["original"]
    print(f"original: pipeline run {original['id']} ({original['status']}) of "
          f"{printable(original['notebook'])}")
    print(f"parameters: {json.dumps(original['parameters'])}")
    print("\ninputs:")
    for item in report["inputs"] or [{"label": "(none recorded)", "kind": "", "exists": None}]:
        state = {True: "still there", False: "GONE", None: item.get("note") or ""}[item["exists"]]
        print(f"  {printable(item['label'])} {item['kind']}: {state}".rstrip(": "))
    print("\nenvironment changes:")
    changes = report["environment_changes"]
    if changes is None:
        print("  (the original run recorded no environment)")
    elif not changes:
        print("  none")
    else:
        for key in ("python", "platform", "git_commit"):
            if key in changes:
                print(f"  {key}: {changes[key]['before']} -> {changes[key]['after']}")
        for name, change in (changes.get("packages") or {}).items():
            print(f"  {name}: {change['before'] or '-'} -> {change['after'] or '-'}")
    for problem in report["problems"]:
        print(f"problem: {problem}", file=sys.stderr)
    if check_only:
        return
    new, comparison = report["reproduction"], report["comparison"]
    print(f"\nreproduction: pipeline run {new['id']} ({new['status']})")
    if not comparison:
        print("result: not compared (the reproduction has not ended)")
        return
    counts = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}"
                       for kind, n in comparison["counts"].items())
    print(f"compared: {counts or 'nothing'} (numbers within rel "
          f"{comparison['tolerance']['rel']:g} / abs {comparison['tolerance']['abs']:g}; "
          f"masked in text: {', '.join(comparison['masked'])})")
    for note in comparison["not_compared"]:
        print(f"not compared: {printable(note)}")
    if comparison["ignored"]:
        print("ignored: " + printable(", ".join(f"{i['kind']} {i['name']} ({i['why']})"
                                                for i in comparison["ignored"][:10]))
              + (f" and {len(comparison['ignored']) - 10} more"
                 if len(comparison["ignored"]) > 10 else ""))
    if comparison["differences"]:
        print()
        print_table(["WHAT", "NAME", "BEFORE", "AFTER"],
                    [[row["kind"], row["name"], _value(row["before"], row.get("missing") == "before"),
                      _value(row["after"], row.get("missing") == "after")]
                     for row in comparison["differences"]])
    print(f"result: {comparison['summary']}")


def _value(value, missing: bool = False) -> str:
    if missing:
        return "(not recorded)"
    return _short(value if isinstance(value, str) else json.dumps(value), 40)
