"""`mlops-lab monitors`, `drift` and `labels`: monitors of model aliases, a drift check of two
tables, and the labels that arrive after predictions."""

from __future__ import annotations

from ..services import services
from .options import positive_int
from .output import print_json, print_pairs, print_table, when

MONITORS_EPILOG = """\
examples:
  mlops-lab monitors create churn@champion --window 1h --schedule "*/15 * * * *"
  mlops-lab monitors create churn@champion --name weekly --snapshot customers --label churned
  mlops-lab monitors                         (each monitor with its last run)
  mlops-lab monitors run churn@champion      (exit 1 with --check when something drifted)
  mlops-lab monitors show churn@champion
  mlops-lab monitors delete weekly
"""
DRIFT_EPILOG = """\
examples:
  mlops-lab drift customers@1 customers@2
  mlops-lab drift train.parquet recent.csv --columns age income --check

Each side is a snapshot (customers@3) or a CSV / Parquet file. Exit 1 with --check when a column
drifted (for CI).
"""
LABELS_EPILOG = """\
examples:
  mlops-lab labels log outcomes.csv --request-id request_id --label churned
  mlops-lab labels log outcomes@3 --label churned        (a labelled snapshot)

The table has one row per predicted row: the X-Request-Id the model server answered with, the
row within that request (--row, default 0) and the true label.
"""


def register(commands, fmt) -> None:
    monitors = commands.add_parser("monitors", help="monitors of model aliases: drift, "
                                   "performance, staleness", description="Create, list, run "
                                   "and delete monitors.", epilog=MONITORS_EPILOG,
                                   formatter_class=fmt)
    monitors.set_defaults(handler=cmd_list, json=False, model=None)
    sub = monitors.add_subparsers(dest="monitors_command", metavar="{create,list,show,run,delete}")
    create = sub.add_parser("create", help="watch a model alias", epilog=MONITORS_EPILOG,
                            description="Watch a model alias's current data against the data "
                            "its version was trained on.", formatter_class=fmt)
    create.add_argument("target", metavar="MODEL@ALIAS")
    create.add_argument("--name", help="a name (default MODEL@ALIAS)")
    create.add_argument("--window", help="logged predictions of the last 1h, 30min, 7d…")
    create.add_argument("--last", type=positive_int, metavar="N",
                        help="the last N logged predictions (default 10,000)")
    create.add_argument("--snapshot", metavar="DATASET",
                        help="compare the newest snapshot of DATASET instead of the log")
    create.add_argument("--reference", metavar="SNAPSHOT",
                        help="the reference (default: the version's training snapshot)")
    create.add_argument("--label", metavar="COLUMN", help="label column of labelled snapshots")
    create.add_argument("--metric", choices=("accuracy", "f1", "roc_auc", "mae", "rmse"))
    create.add_argument("--schedule", metavar="CRON", help='e.g. "*/15 * * * *" (UTC)')
    create.add_argument("--alpha", type=float, help="false discovery rate (default 0.05)")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=cmd_create)
    listing = sub.add_parser("list", help="monitors with their last run", formatter_class=fmt,
                             description="Monitors with their last run.",
                             epilog=MONITORS_EPILOG)
    listing.add_argument("--model", help="only this model's monitors")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)
    for name, helptext in (("show", "a monitor and its recent runs"),
                           ("run", "run a monitor now"), ("delete", "delete a monitor")):
        p = sub.add_parser(name, help=helptext, description=helptext.capitalize() + ".",
                           epilog=MONITORS_EPILOG, formatter_class=fmt)
        p.add_argument("monitor", metavar="NAME")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler={"show": cmd_show, "run": cmd_run, "delete": cmd_delete}[name])
        if name == "run":
            p.add_argument("--check", action="store_true",
                           help="exit 1 when something drifted or the run failed")

    drift = commands.add_parser("drift", help="compare two tables for drift",
                                description="Compare a current table with a reference, column "
                                "by column.", epilog=DRIFT_EPILOG, formatter_class=fmt)
    drift.add_argument("reference", metavar="REFERENCE")
    drift.add_argument("current", metavar="CURRENT")
    drift.add_argument("--columns", nargs="+", metavar="COLUMN")
    drift.add_argument("--check", action="store_true", help="exit 1 when a column drifted")
    drift.add_argument("--json", action="store_true")
    drift.set_defaults(handler=cmd_drift)

    labels = commands.add_parser("labels", help="labels of logged predictions",
                                 description="Record the true outcomes of logged predictions.",
                                 epilog=LABELS_EPILOG, formatter_class=fmt)
    lsub = labels.add_subparsers(dest="labels_command", metavar="{log}", required=True)
    log = lsub.add_parser("log", help="record labels from a file or a snapshot",
                          epilog=LABELS_EPILOG, formatter_class=fmt,
                          description="Record labels from a CSV or Parquet file, or from a "
                          "labelled snapshot, joined to the logged predictions by request id.")
    log.add_argument("file", metavar="FILE_OR_SNAPSHOT")
    log.add_argument("--request-id", default="request_id", metavar="COLUMN")
    log.add_argument("--label", default="label", metavar="COLUMN")
    log.add_argument("--row", default=None, metavar="COLUMN")
    log.set_defaults(handler=cmd_labels)


def cmd_create(args) -> int:
    monitor = services().monitors.create_monitor(
        args.target, args.name, window=args.window, last=args.last, snapshot=args.snapshot,
        reference=args.reference, label=args.label, metric=args.metric,
        thresholds=None if args.alpha is None else {"alpha": args.alpha},
        schedule=args.schedule)
    if args.json:
        print_json(monitor.to_json())
    else:
        print(f"created monitor {monitor.name!r} of {monitor.target}"
              + (f", scheduled {monitor.schedule}" if monitor.schedule else "")
              + f"; run it with `mlops-lab monitors run {monitor.name}`")
    return 0


def cmd_list(args) -> int:
    monitors = services().monitors.list_monitors(args.model, with_last_run=True)
    if args.json:
        print_json({"monitors": [m.to_json() for m in monitors]})
        return 0
    if not monitors:
        print("No monitors yet: mlops-lab monitors create MODEL@ALIAS")
        return 0
    print_table(["NAME", "WATCHES", "SCHEDULE", "LAST RUN", "STATUS", "DRIFTED"],
                [[m.name, m.target, m.schedule or "-",
                  when(m.last_run.started_at) if m.last_run else "-",
                  m.last_run.status if m.last_run else "never run",
                  ", ".join(m.last_run.result.get("drifted_features", [])) if m.last_run
                  else ""] for m in monitors])
    return 0


def cmd_show(args) -> int:
    svc = services().monitors
    monitor = svc.get_monitor(args.monitor)
    runs = svc.list_runs(monitor.id, 20)
    if args.json:
        print_json({**monitor.to_json(), "runs": [r.to_json(False) for r in runs]})
        return 0
    from ..monitoring.monitors.specs import describe_current

    print_pairs([("monitor", monitor.name), ("watches", monitor.target),
                 ("current data", describe_current(monitor.current)),
                 ("reference", monitor.reference_ref or "the version's training snapshot"),
                 ("schedule", monitor.schedule or "-"), ("next run", when(monitor.next_run_at))])
    print()
    print_table(["RUN", "STARTED", "VERSION", "ROWS", "STATUS", "DRIFT SHARE", "DRIFTED"],
                [[str(r.id), when(r.started_at), str(r.model_version or "-"),
                  str(r.rows_current if r.rows_current is not None else "-"), r.status,
                  "-" if r.drift_share is None else f"{r.drift_share:.0%}",
                  ", ".join(r.result.get("drifted_features", []))] for r in runs])
    return 0


def cmd_run(args) -> int:
    run = services().monitors.run_monitor(args.monitor)
    if args.json:
        print_json(run.to_json())
    else:
        _print_run(run)
    return 1 if args.check and run.status in ("drift", "failed") else 0


def _print_run(run) -> None:
    print(f"{run.monitor}: {run.status}" + (f" — {run.result['message']}"
                                            if run.result.get("message") else "")
          + (f" — {run.error}" if run.error else ""))
    if run.result.get("alerts_error"):
        print(f"warning: {run.result['alerts_error']}")
    report = run.drift
    if report is not None:
        _print_report(report)
    perf = run.performance
    if perf:
        value = "-" if perf["value"] is None else f"{perf['value']:.4g}"
        print(f"\n{perf['metric']}: {value}{' (estimate)' if perf['estimated'] else ''}"
              + (f", at training {perf['training']:.4g}" if perf.get("training") is not None
                 else "") + (f" — {perf['note']}" if perf.get("note") else ""))
    if run.staleness:
        from .. import durations

        print_pairs([(k.removesuffix("_s").replace("_", " "),
                      "-" if v is None else durations.human(v))
                     for k, v in run.staleness.items()], indent="  ")


def _print_report(report) -> None:
    rows = sorted(report.features, key=lambda f: (not f.drifted, f.name))
    print_table(["COLUMN", "METHOD", "P (ADJ.)", "EFFECT", "FLOOR", "DRIFTED", "STATUS"],
                [[f.name, f.method or "-",
                  "-" if f.p_value_adjusted is None else f"{f.p_value_adjusted:.3g}",
                  "-" if f.effect_size is None else f"{f.effect_size:.3f}",
                  "-" if f.threshold is None else f"{f.threshold:g}",
                  "yes" if f.drifted else "no", f.status] for f in rows])


def cmd_delete(args) -> int:
    svc = services().monitors
    monitor = svc.get_monitor(args.monitor)
    svc.delete_monitor(monitor.id)
    print(f"deleted monitor {monitor.name!r}")
    return 0


def cmd_drift(args) -> int:
    from ..monitoring.drift import detect_drift

    reference, current = _table(args.reference), _table(args.current)
    report = detect_drift(reference, current, columns=args.columns)
    if args.json:
        print_json(report.to_json())
    else:
        print(report.verdict())
        _print_report(report)
    return 1 if args.check and report.drifted_features else 0


def _table(source: str):
    """A snapshot ref's data, or a CSV / Parquet file's."""
    from pathlib import Path

    from ..datasets.sources import read_source

    if not Path(source).exists():
        return services().datasets.load(source)[1]
    return read_source(source)[0]


def cmd_labels(args) -> int:
    from ..errors import InvalidInput

    frame = _table(args.file)
    wanted = [args.request_id, args.label] + ([args.row] if args.row else [])
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise InvalidInput(f"{args.file} has no column(s) {', '.join(missing)}; its columns are "
                           f"{', '.join(map(str, frame.columns[:20]))}.")
    count = services().monitors.log_labels(frame[args.request_id].astype(str).tolist(),
                                           frame[args.label].tolist(),
                                           frame[args.row].tolist() if args.row else None)
    print(f"recorded {count:,} label(s)")
    return 0
