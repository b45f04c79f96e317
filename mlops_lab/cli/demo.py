"""`mlops-lab demo`: the continuous-training loop, end to end, in a fresh folder."""

from __future__ import annotations

from .output import print_json


def register(commands, fmt) -> None:
    demo = commands.add_parser(
        "demo", help="the whole loop in a fresh folder: train -> serve -> drift -> retrain "
        "-> gate -> hot swap", formatter_class=fmt,
        description="Runs the continuous-training loop headless in a fresh folder and prints "
        "each step with its figures: snapshots, a tracked run, version 1 as the champion, a "
        "real `mlops-lab serve`, traffic then shifted traffic, a monitor run and its drift "
        "alert, the retraining rule firing a papermill pipeline, version 2 at the gate, the "
        "champion moving and the server swapping to it. About 20 s on two cores.",
        epilog="examples:\n  mlops-lab demo\n  mlops-lab demo --folder ~/ct-demo   "
               "(kept: open it with JupyterLab afterwards)\n  mlops-lab demo --json")
    demo.add_argument("--folder", default=None, metavar="DIR",
                      help="run in DIR (new or empty; kept) instead of a temporary folder")
    demo.add_argument("--keep", action="store_true",
                      help="keep the temporary folder (its store, notebooks, server log)")
    demo.add_argument("--json", action="store_true",
                      help="print only the figures of every step, as JSON, at the end")
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args) -> int:
    from ..demo import DemoFailed
    from ..demo.folder import demo_folder
    from ..demo.report import Reporter
    from ..demo.steps import run

    report = Reporter(quiet=args.json)
    with demo_folder(args.folder, args.keep) as folder:
        kept = args.keep or args.folder is not None
        report.say(f"mlops-lab demo in {folder}" + ("" if kept else " (removed at the end; "
                                                    "--keep keeps it)"))
        try:
            lineage = run(folder, report)
        except KeyboardInterrupt:
            report.say("interrupted: the model server is stopped and a running retraining "
                       "cancelled")
            raise
        except DemoFailed as exc:  # the folder is kept for a look
            raise DemoFailed(f"{exc} Everything is in {folder}.") from None
        report.say(f"done in {report.elapsed():.1f} s")
        if args.json:
            print_json(report.document(folder=str(folder), kept=kept, lineage=lineage))
    return 0
