"""The package versions a model version needs to load: the scientific stack skops files
depend on, Python itself, and the top package of the estimator's own module."""

from __future__ import annotations

import platform
from functools import lru_cache
from importlib import metadata

# distribution names; their versions are looked up with importlib.metadata
BASE = ("scikit-learn", "numpy", "scipy", "skops", "pandas")
# import name -> distribution name where they differ
DISTRIBUTIONS = {"sklearn": "scikit-learn", "skops": "skops", "xgboost": "xgboost",
                 "lightgbm": "lightgbm", "catboost": "catboost", "torch": "torch"}


@lru_cache(maxsize=None)  # a process's installed versions do not change under it
def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def for_model(model) -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in BASE:
        version = _version(name)
        if version:
            found[name] = version
    top = (type(model).__module__ or "").split(".", 1)[0]
    if top and top not in ("builtins", "__main__"):
        distribution = DISTRIBUTIONS.get(top)
        if distribution is None:
            owners = _owners().get(top) or [top]
            distribution = owners[0]
        version = _version(distribution)
        if version:
            found[distribution] = version
    return found


@lru_cache(maxsize=1)
def _owners() -> dict:
    return metadata.packages_distributions()
