"""The notebook a pipeline run executes: found on disk (inside the server's root when asked
over REST), checked before anything runs, and its parameters read from the `parameters` cell."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ...errors import InvalidInput, NotFound

MAX_NOTEBOOK_BYTES = 100 << 20


def local_notebook(path: str | os.PathLike) -> Path:
    """A notebook path given on the command line or from Python: any readable local file."""
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise InvalidInput("Give the path of a notebook (.ipynb) to run.")
    if "\x00" in str(path):
        raise InvalidInput("A notebook path must not contain a NUL character.")
    found = Path(path).expanduser().resolve()
    if not found.is_file():
        raise NotFound(f"No notebook at {str(path)!r}.")
    return found


def notebook_in_root(root: str | os.PathLike, relative: str) -> Path:
    """The notebook `relative` names inside `root` (the Jupyter server's root directory).

    Decoded once by the router; absolute paths, `..`, and symlinks that lead out are refused
    after resolving, so no request can make the server read or run a file outside its root."""
    if not isinstance(relative, str) or not relative.strip():
        raise InvalidInput("Give the notebook's path relative to the server's root.")
    if "\x00" in relative or "\\" in relative or relative.startswith("/") or ":" in relative:
        raise InvalidInput(f"Notebook path {relative[:200]!r} is not allowed: use a path relative "
                           "to the server's root with '/' separators.")
    base = Path(root).expanduser().resolve()
    found = (base / relative).resolve()
    if found != base and base not in found.parents:
        raise InvalidInput(f"Notebook path {relative[:200]!r} leads outside the server's root.")
    if not found.is_file():
        raise NotFound(f"No notebook at {relative[:200]!r}.")
    if found.suffix != ".ipynb":
        raise InvalidInput(f"{relative[:200]!r} is not a notebook (.ipynb).")
    return found


def relative_to_root(root: str | os.PathLike, path: str | None) -> str | None:
    """`path` as a path relative to the server's root, or None if it lies outside."""
    if not path:
        return None
    base = Path(root).expanduser().resolve()
    try:
        return Path(path).resolve().relative_to(base).as_posix()
    except ValueError:
        return None


def path_in_store(notebook: str | os.PathLike) -> str:
    """The notebook's path relative to the store's root (the folder holding `.mlops-lab`), the
    way a Jupyter session names it: `jobs/train.ipynb`, so two `train.ipynb` differ. The
    absolute path when no store lies above the notebook."""
    from ...config import find_home

    path = Path(notebook).resolve()
    home = find_home(path.parent, create=False)
    return (relative_to_root(home.parent, path) if home.is_dir() else None) or str(path)


def read_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise InvalidInput(f"{path.name} is {size} bytes; notebooks over "
                           f"{MAX_NOTEBOOK_BYTES >> 20} MiB are not run as pipelines.")
    return path.read_bytes()


def check_notebook(data: bytes, kernel_name: str | None = None) -> tuple[str | None, str | None]:
    """(kernel name, problem): problem says why this notebook cannot run, or is None.

    Checked before a kernel starts, so a broken notebook runs nothing."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        return kernel_name, (f"The notebook is not valid JSON ({exc}); open it in JupyterLab and "
                             "save it again, or restore it from version control.")
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        return kernel_name, "The notebook is JSON but not a notebook (it has no list of cells)."
    if doc.get("nbformat") != 4:
        return kernel_name, (f"The notebook is in nbformat {doc.get('nbformat')!r}; pipeline runs "
                             "need nbformat 4 (open and save it with JupyterLab to convert it).")
    try:
        import nbformat

        nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))
    except Exception as exc:  # noqa: BLE001 - any validation failure is the notebook's problem
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return kernel_name, f"The notebook is not a valid nbformat 4 notebook: {first[:500]}"
    spec = (doc.get("metadata") or {}).get("kernelspec") or {}
    name = kernel_name or spec.get("name") or "python3"
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return name, (f"The notebook asks for kernel {name!r}, which is not installed here; "
                      "choose an installed kernel (`jupyter kernelspec list`).")
    return name, None
