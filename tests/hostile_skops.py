"""A skops model file that runs code when loaded: a fitted LogisticRegression with an extra
attribute whose type's ``__setstate__`` calls ``os.system`` to write a marker file. The type's
module is importable (in this process and in subprocesses), so only a refusal keeps the marker
from being written."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import numpy as np
import pytest

MODULE = "mlops_lab_hostile_type"
HOSTILE_TYPE = f"{MODULE}.Marker"
SOURCE = '''
import os
import shlex


class Marker:
    def __init__(self, path):
        self.path = path

    def __setstate__(self, state):
        os.system("touch " + shlex.quote(state["path"]))
        self.__dict__.update(state)
'''


class Hostile:
    def __init__(self, folder: Path):
        self.marker = folder / "pwned.txt"
        module_dir = folder / "hostile_module"
        module_dir.mkdir(exist_ok=True)
        (module_dir / f"{MODULE}.py").write_text(SOURCE)
        self.module_dir = module_dir

    def file(self) -> bytes:
        """The hostile file's bytes."""
        from sklearn.linear_model import LogisticRegression
        from skops.io import dumps

        marker_type = importlib.import_module(MODULE).Marker
        X = np.random.default_rng(0).random((30, 3))
        clf = LogisticRegression().fit(X, (X[:, 0] > 0.5).astype(int))
        clf.extra = marker_type(str(self.marker))
        return dumps(clf)

    def written(self) -> bool:
        return self.marker.exists()


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """A `Hostile`: its type importable here and in subprocesses started from the tests."""
    found = Hostile(tmp_path)
    monkeypatch.syspath_prepend(str(found.module_dir))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(found.module_dir), *filter(None, [os.environ.get("PYTHONPATH")])]))
    yield found
    import sys

    sys.modules.pop(MODULE, None)
