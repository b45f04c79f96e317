"""`mlops-lab` commands for dags (none yet)."""

from __future__ import annotations


def register(commands, fmt) -> None:
    """Adds this part's subcommands to `commands` (an argparse subparsers action)."""
