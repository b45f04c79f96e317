"""Where the store and the artifacts live.

The store is found like git finds `.git`: walk up from the working directory to the first
`.mlops-lab/` folder, so a kernel in a sub-folder, a papermill subprocess and the Jupyter server
all agree on one store with no configuration. Environment variables override:

- ``MLOPS_LAB_URI``: the metadata database (``sqlite:///path``, ``postgresql://…``).
- ``MLOPS_LAB_ARTIFACTS``: the artifact root (a local folder or any fsspec URL, e.g. ``s3://b/p``).
- ``MLOPS_LAB_HOME``: the `.mlops-lab` folder itself, skipping the walk.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

STORE_DIR_NAME = ".mlops-lab"
DB_FILE_NAME = "mlops.db"


def find_home(start: str | os.PathLike | None = None, create: bool = True) -> Path:
    """The `.mlops-lab` folder for `start` (default: the working directory).

    Walks up to the first existing one; if there is none, creates one in `start`.
    """
    explicit = os.environ.get("MLOPS_LAB_HOME")
    if explicit:
        home = Path(explicit).expanduser().resolve()
    else:
        here = Path(start or os.getcwd()).resolve()
        home = next(
            (d / STORE_DIR_NAME for d in (here, *here.parents) if (d / STORE_DIR_NAME).is_dir()),
            here / STORE_DIR_NAME,
        )
    if create:
        home.mkdir(parents=True, exist_ok=True)
    return home


def database_uri(home: Path | None = None) -> str:
    uri = os.environ.get("MLOPS_LAB_URI")
    if uri:
        return uri
    return f"sqlite:///{(home or find_home()) / DB_FILE_NAME}"


def artifacts_root(home: Path | None = None) -> str:
    root = os.environ.get("MLOPS_LAB_ARTIFACTS")
    if root:
        return root
    return str((home or find_home()) / "artifacts")


def busy_timeout_seconds() -> float:
    """How long a write waits for another process's write lock before "store busy"."""
    return float(os.environ.get("MLOPS_LAB_BUSY_TIMEOUT", "10"))


def heartbeat_seconds() -> float:
    """How often an active run proves its process is alive; a run silent for three of these
    intervals is marked KILLED by the next sweep."""
    text = os.environ.get("MLOPS_LAB_HEARTBEAT", "15")
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < 86_400:  # NaN fails too
        from .errors import InvalidInput

        raise InvalidInput(f"MLOPS_LAB_HEARTBEAT must be a number of seconds above 0 (and below "
                           f"a day), not {text!r}.")
    return seconds
