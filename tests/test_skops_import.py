"""Importing skops quickly: the cached list of scikit-learn estimators is used only when it can
be trusted, and skops then trusts exactly what a full import would have made it trust.

Each check runs in a fresh interpreter: what matters is what one import does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# Prints the names skops trusts by default, whether the walk over every scikit-learn module
# ran (sklearn.neural_network is imported by that walk only), and a prediction of a model
# loaded through the registry's safe path.
PROBE = """
import json, sys
from mlops_lab.skops_import import skops_io
from mlops_lab.models import serialization
from sklearn.linear_model import LogisticRegression

model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
data, fmt, trusted = serialization.dump(model)
loaded = serialization.load_bytes(data, fmt, trusted)
from skops.io import _trusted_types
print(json.dumps({"names": _trusted_types.SKLEARN_ESTIMATOR_TYPE_NAMES,
                  "walked": "sklearn.neural_network" in sys.modules,
                  "prediction": loaded.predict([[2.5]]).tolist()}))
"""


def probe(cache_home) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cache_files(cache_home) -> list:
    folder = cache_home / "mlops-lab"
    return sorted(folder.glob("skops-sklearn-types-*.json")) if folder.exists() else []


@pytest.fixture(scope="module")
def first_import(tmp_path_factory):
    """A first import on a machine without the cache: the full walk, then the cache kept."""
    home = tmp_path_factory.mktemp("cache")
    return home, probe(home)


def test_first_import_walks_scikit_learn_and_keeps_the_list_private(first_import):
    home, result = first_import
    assert result["walked"] is True
    assert result["prediction"] == [1]
    [cached] = cache_files(home)
    assert json.loads(cached.read_text()) == result["names"]
    assert "sklearn.linear_model._logistic.LogisticRegression" in result["names"]
    assert cached.stat().st_mode & 0o777 == 0o600
    assert cached.parent.stat().st_mode & 0o077 == 0


def test_later_imports_skip_the_walk_and_trust_exactly_the_same_types(first_import):
    home, first = first_import
    again = probe(home)
    assert again["walked"] is False
    assert again["names"] == first["names"]
    assert again["prediction"] == [1]


def _copy_cache(first_import, tmp_path):
    home, _ = first_import
    [source] = cache_files(home)
    target = tmp_path / "mlops-lab" / source.name
    target.parent.mkdir(mode=0o700)
    target.write_bytes(source.read_bytes())
    target.chmod(0o600)
    return target


def test_a_cache_others_can_write_is_not_used(first_import, tmp_path):
    cached = _copy_cache(first_import, tmp_path)
    cached.chmod(0o666)
    result = probe(tmp_path)
    assert result["walked"] is True
    assert result["names"] == first_import[1]["names"]
    assert cached.stat().st_mode & 0o777 == 0o600  # replaced by a private one


def test_a_cache_naming_anything_but_scikit_learn_classes_is_not_used(first_import, tmp_path):
    cached = _copy_cache(first_import, tmp_path)
    cached.write_text(json.dumps(first_import[1]["names"] + ["builtins.eval"]))
    result = probe(tmp_path)
    assert result["walked"] is True
    assert "builtins.eval" not in result["names"]
    assert result["names"] == first_import[1]["names"]


def test_a_symlinked_or_unreadable_cache_is_not_used(first_import, tmp_path):
    from mlops_lab.skops_import import read_names

    cached = _copy_cache(first_import, tmp_path)
    assert read_names(cached) == first_import[1]["names"]
    link = cached.with_name("link.json")
    link.symlink_to(cached)
    assert read_names(link) is None
    cached.write_text("{not json")
    assert read_names(cached) is None
    assert read_names(tmp_path / "missing.json") is None
