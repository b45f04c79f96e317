"""The `mlops-lab` command: parse arguments, call one service, print the result.

Each part adds its subcommands from its own module here (`register(commands, fmt)`); the
store is found like the Python API finds it (the nearest `.mlops-lab/` above the working
directory, or MLOPS_LAB_HOME / MLOPS_LAB_URI / MLOPS_LAB_ARTIFACTS). Heavy modules are imported
inside the commands so `mlops-lab --help` stays instant.
"""

from __future__ import annotations

import argparse
import sys

from . import (alerts, dags, datasets, demo, evaluation, features, models, monitors, pipelines,
               reproduce, retraining, runs, schedules, serving, store, sweeps)

EXIT_ERROR, EXIT_BAD_INPUT = 1, 2
# In the order `mlops-lab --help` lists their commands.
PARTS = (runs, datasets, features, models, evaluation, retraining, serving, monitors, alerts,
         pipelines, schedules, reproduce, dags, sweeps, store, demo)


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="mlops-lab", formatter_class=fmt,
        description="mlops-lab: runs, snapshots, feature sets, models, pipelines and "
                    "schedules of the store your notebooks write to.",
        epilog="examples:\n  mlops-lab runs -f \"metrics.auc > 0.9\"\n"
               "  mlops-lab snapshots create data/customers.csv customers\n"
               "  mlops-lab models show churn@champion\n"
               "  mlops-lab gate churn/7 churn@champion --data holdout --label churned\n"
               "  mlops-lab serve churn@champion --port 8080\n"
               "  mlops-lab run train.ipynb -p alpha 0.5\n"
               "  mlops-lab db upgrade\n  mlops-lab gc --dry-run\n\n"
               "`mlops-lab COMMAND --help` shows each command's options.",
    )
    parser.add_argument("--version", action="version", version=f"mlops-lab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for part in PARTS:
        part.register(commands, fmt)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ..errors import InvalidInput, MlopsLabError

    try:
        return args.handler(args)
    except MlopsLabError as exc:
        message = " ".join(str(exc).split())  # one line, whatever the message holds
        print(f"mlops-lab: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT if isinstance(exc, InvalidInput) else EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `mlops-lab runs | head`
        sys.stderr.close()
        return 0
