"""The environment a tracked cell ran in: Python, platform, key package versions, notebook.

Cheap enough to call on every cell: versions are looked up once per process and only for
packages the kernel has already imported (a package that is not imported cannot have
influenced the cell, and importing it to ask would cost far more than the cell).
"""

from __future__ import annotations

import os
import platform
import sys
from functools import lru_cache
from importlib import metadata

# import name -> distribution name, for the packages whose versions matter to a result.
KEY_PACKAGES = {
    "numpy": "numpy",
    "pandas": "pandas",
    "sklearn": "scikit-learn",
    "scipy": "scipy",
    "torch": "torch",
    "tensorflow": "tensorflow",
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
}


@lru_cache(maxsize=None)
def package_version(module_name: str) -> str | None:
    module = sys.modules.get(module_name)
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    try:
        return metadata.version(KEY_PACKAGES.get(module_name, module_name))
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def _interpreter() -> tuple[str, str]:
    return platform.python_version(), platform.platform(terse=True)


def environment() -> dict:
    """{"python", "platform", "packages"} for the current process."""
    python, plat = _interpreter()
    modules = sys.modules
    packages = {}
    for name, dist in KEY_PACKAGES.items():
        if name in modules:
            version = package_version(name)
            if version is not None:
                packages[dist] = version
    return {"python": python, "platform": plat, "packages": packages}


def notebook_path(user_ns: dict) -> str | None:
    """The notebook the kernel serves, when the kernel was told (Jupyter server sets
    ``JPY_SESSION_NAME`` and ipykernel copies it to ``__session__``; VS Code sets
    ``__vsc_ipynb_file__``)."""
    for value in (user_ns.get("__session__"), user_ns.get("__vsc_ipynb_file__"),
                  os.environ.get("JPY_SESSION_NAME")):
        if isinstance(value, str) and value:
            return value
    return None
