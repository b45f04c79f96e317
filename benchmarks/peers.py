"""Where the benchmarks find the peer they measure against (MLflow, in its own virtualenv)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

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


def in_fresh_store(side: str, measure: Callable[[], dict]) -> dict:
    """`measure()` in a temporary working folder that holds a new store of `side` ("mlops_lab"
    or MLflow's default local store), as a new user's would be; the folder goes afterwards."""
    start = os.getcwd()
    with tempfile.TemporaryDirectory(prefix=f"bench-{side}-") as tmp:
        os.chdir(tmp)
        try:
            if side == "mlops_lab":
                os.environ["MLOPS_LAB_HOME"] = str(Path(tmp) / ".mlops-lab")
                for name in ("MLOPS_LAB_URI", "MLOPS_LAB_ARTIFACTS"):
                    os.environ.pop(name, None)
            else:
                os.environ.pop("MLFLOW_TRACKING_URI", None)  # the default store, as a user has it
            return measure()
        finally:
            os.chdir(start)
