"""`mlops-lab schedules` and `scheduler`: cron schedules of notebooks and the daemon that fires
them when no Jupyter server runs."""

from __future__ import annotations

import json

from ..services import services
from .options import positive_int
from .output import print_json, print_pairs, print_table
from .pipelines import ID_WIDTH, parameter_options, parameters_given

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


def register(commands, fmt) -> None:
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
    parameter_options(create)
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
    parameter_options(edit)
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(handler=cmd_schedules_edit)

    scheduler = commands.add_parser("scheduler", help="run the scheduler daemon",
                                    description="Fire scheduled notebooks until stopped.",
                                    epilog=SCHEDULER_EPILOG, formatter_class=fmt)
    scheduler.add_argument("--grace", type=float, default=60.0, metavar="SECONDS",
                           help="a tick later than this counts as missed (default 60)")
    scheduler.set_defaults(handler=cmd_scheduler)


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
    schedule = services().schedules.create(
        args.notebook, args.cron, parameters_given(args), name=args.name, timezone=args.timezone,
        missed=args.missed, keep_last=args.keep_last, timeout=args.timeout,
        retries=args.retries, enabled=not args.disabled, max_queued=args.max_queued)
    print_json(schedule.to_json()) if args.json else _print_schedule(schedule)
    return 0


def cmd_schedules_list(args) -> int:
    schedules = services().schedules.list()
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
    svc = services().schedules
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
    params = parameters_given(args)
    if params:
        changes["parameters"] = params
    schedule = services().schedules.update(args.schedule, **changes)
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
    scheduler = Scheduler(services().store, grace_seconds=args.grace)
    logging.getLogger("mlops_lab.scheduler").info("scheduler %s started", scheduler.holder)
    scheduler.run_forever(stop)
    return 0
