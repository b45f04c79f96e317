"""Where the benchmarks find the peer they measure against (MLflow, in its own virtualenv)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MLFLOW_PYTHON = REPO / ".venv-bench" / "bin" / "python"


def pick_mlflow_python(arg: str | None) -> str | None:
    """The Python to measure MLflow with: `arg`, else .venv-bench's, else this one if it has
    MLflow, else None (the peer is skipped)."""
    if arg:
        return arg
    if DEFAULT_MLFLOW_PYTHON.exists():
        return str(DEFAULT_MLFLOW_PYTHON)
    try:
        import mlflow  # noqa: F401
    except ImportError:
        return None
    return sys.executable
