"""`import skops.io` without importing every scikit-learn module.

When imported, skops computes the scikit-learn estimators it trusts by default from
`sklearn.utils.all_estimators()`, which imports every module of scikit-learn: most of the
time a model server or a fresh kernel spends before it can load a model (about 1 s of 2.4 s
here). That list depends only on the installed scikit-learn and skops, so the first import
(the slow one) keeps the list skops computed in the user's cache, under a key of both
installs, and later imports hand skops that very list instead of a walk over scikit-learn.

The list is part of what skops trusts, so the cached file is held to the standard of the
installed packages it stands for: it is used only if it is the current user's, writable by
no one else, and holds nothing but scikit-learn class names; after the import, skops's list
must equal it exactly. Anything else means the full import, as without the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import threading
from pathlib import Path

# A scikit-learn class as skops names it: "sklearn.linear_model._logistic.LogisticRegression".
_SKLEARN_CLASS = re.compile(r"sklearn(\.[A-Za-z_][A-Za-z0-9_]*)+")
_lock = threading.Lock()


def skops_io():
    """The `skops.io` module, imported quickly when the cached list of scikit-learn's
    estimators is there for the installed versions."""
    module = sys.modules.get("skops.io")
    if module is not None:
        return module
    with _lock:
        if "skops.io" in sys.modules:
            return sys.modules["skops.io"]
        path = cache_path()
        names = read_names(path) if path is not None else None
        if names is not None and _import_with_names(names):
            return sys.modules["skops.io"]
        import skops.io

        found = estimator_names()
        if path is not None and found:
            write_names(path, found)
        return skops.io


def estimator_names() -> list[str] | None:
    """The scikit-learn estimators the imported skops trusts by default (None from a skops
    that keeps them elsewhere: then nothing is cached)."""
    trusted_types = sys.modules.get("skops.io._trusted_types")
    names = getattr(trusted_types, "SKLEARN_ESTIMATOR_TYPE_NAMES", None)
    return names if isinstance(names, list) else None


def cache_path() -> Path | None:
    """The cache file for the installed scikit-learn and skops (None when skops is missing)."""
    import importlib.util

    import sklearn

    spec = importlib.util.find_spec("skops")
    if spec is None or not spec.origin:
        return None
    trusted_types = Path(spec.origin).parent / "io" / "_trusted_types.py"
    sources = [Path(sklearn.__file__), trusted_types]
    try:
        # A reinstall of either package gives new modification times, hence a new key.
        stamps = [f"{p}:{p.stat().st_mtime_ns}:{p.stat().st_size}" for p in sources]
    except OSError:
        return None
    key = "|".join([sys.version, sklearn.__version__, *stamps])
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mlops-lab" / f"skops-sklearn-types-{digest}.json"


def read_names(path: Path) -> list[str] | None:
    """The cached names, or None when the file is missing or not to be trusted."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        if not (_private(os.fstat(fd)) and _private(os.stat(path.parent))):
            return None
        try:
            names = json.loads(file.read())
        except ValueError:
            return None
    if not isinstance(names, list) or not names:
        return None
    if not all(isinstance(n, str) and _SKLEARN_CLASS.fullmatch(n) for n in names):
        return None
    return names


def write_names(path: Path, names: list[str]) -> None:
    """Keeps `names` at `path`, readable and writable by the current user only. A cache
    that cannot be written (read-only home, full disk) only costs the next import time."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(list(names), file)
            os.replace(tmp, path)  # mkstemp made it 0600
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


def _private(info: os.stat_result) -> bool:
    owner = info.st_uid == os.getuid() if hasattr(os, "getuid") else True
    return owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _import_with_names(names: list[str]) -> bool:
    """Imports skops.io with `all_estimators` answering from `names`; True when skops ended
    up with exactly that list, else undoes the import (the caller then imports it fully)."""
    import sklearn.utils

    before = set(sys.modules)
    real = sklearn.utils.all_estimators
    sklearn.utils.all_estimators = lambda *args, **kwargs: [_stand_in(n) for n in names]
    try:
        import skops.io  # noqa: F401
    except Exception:
        _forget_new_skops_modules(before)
        return False
    finally:
        sklearn.utils.all_estimators = real
    trusted_types = sys.modules.get("skops.io._trusted_types")
    if getattr(trusted_types, "all_estimators", None) is not None:
        trusted_types.all_estimators = real
    if estimator_names() != names:  # a skops that builds or keeps its list differently
        _forget_new_skops_modules(before)
        return False
    return True


def _stand_in(name: str) -> tuple[str, type]:
    """(class name, a class that skops names `name`) without importing its module."""
    module, _, class_name = name.rpartition(".")
    return class_name, type(class_name, (), {"__module__": module})


def _forget_new_skops_modules(before: set[str]) -> None:
    for module in [m for m in sys.modules if m not in before
                   and (m == "skops" or m.startswith("skops."))]:
        del sys.modules[module]
