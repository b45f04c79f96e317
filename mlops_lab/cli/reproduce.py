"""`mlops-lab reproduce`: re-execute a pipeline run and compare what both runs recorded."""

from __future__ import annotations

import json
import sys

from ..services import services
from .output import print_json, print_table, printable
from .pipelines import short

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


def cmd_reproduce(args) -> int:
    from ..pipelines.reproduce.comparison import tolerance

    svc = services().reproduce
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
    return short(value if isinstance(value, str) else json.dumps(value), 40)
