"""Where the demo runs: a fresh folder whose `.mlops-lab/` is the store of this process and of
every process it starts (model server, pipeline worker), whatever the environment named."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

STORE_VARIABLES = ("MLOPS_LAB_HOME", "MLOPS_LAB_URI", "MLOPS_LAB_ARTIFACTS")


@contextlib.contextmanager
def demo_folder(folder: str | None = None, keep: bool = False):
    """Yields the folder (a new temporary one without `folder`), the working directory and
    the store while inside; a temporary folder is removed afterwards unless `keep`, or a step
    failed (its store, notebooks and server log say why)."""
    from ..errors import InvalidInput, MlopsLabError

    if folder is None:
        path = Path(tempfile.mkdtemp(prefix="mlops-lab-demo-"))
    else:
        path = Path(folder).expanduser().resolve()
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise InvalidInput(f"{folder} is not an empty folder; the demo starts from nothing. "
                               "Name a new or empty folder with --folder.")
        path.mkdir(parents=True, exist_ok=True)
        keep = True
    saved = {name: os.environ.get(name) for name in STORE_VARIABLES}
    here = os.getcwd()
    os.environ["MLOPS_LAB_HOME"] = str(path / ".mlops-lab")
    os.environ.pop("MLOPS_LAB_URI", None)
    os.environ.pop("MLOPS_LAB_ARTIFACTS", None)
    os.chdir(path)
    try:
        yield path
    except MlopsLabError:
        keep = True
        raise
    finally:
        os.chdir(here)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if not keep:
            shutil.rmtree(path, ignore_errors=True)
