"""The small helpers every part shares: JSON values, bounded whole numbers, id prefixes,
collaborators handed in or found at the composition root."""

import math

import pytest

from mlops_lab.collaborators import Collaborator
from mlops_lab.errors import InvalidInput, NotFound
from mlops_lab.jsonvalues import finite_named, finite_or_none, json_number, named_number, plain
from mlops_lab.limits import check_limit, whole_number_in


def test_non_finite_floats_are_named_or_null_at_any_depth():
    doc = {"a": [1.0, math.nan, (math.inf,)], "b": {"c": -math.inf}, "d": "x"}
    assert finite_named(doc) == {"a": [1.0, "NaN", ["Infinity"]], "b": {"c": "-Infinity"},
                                 "d": "x"}
    assert finite_or_none(doc) == {"a": [1.0, None, [None]], "b": {"c": None}, "d": "x"}
    assert json_number(2.5) == 2.5 and json_number(-math.inf) == "-Infinity"
    assert math.isinf(named_number("Infinity")) and named_number(3) == 3


def test_numpy_scalars_become_python_numbers():
    import numpy as np  # a dependency of the package: always there
    assert type(plain(np.float32(1.5))) is float and plain("text") == "text"


@pytest.mark.parametrize("value", [0, 11, True, 2.0, "3", None])
def test_a_limit_outside_its_bounds_is_refused_with_one_message(value):
    with pytest.raises(InvalidInput, match="limit must be a whole number from 1 to 10"):
        check_limit(value, 10)


def test_a_whole_number_in_bounds_is_returned():
    assert whole_number_in(64, 1, 64, "concurrency") == 64


def test_a_run_is_found_by_a_unique_prefix_of_its_id(tmp_path, monkeypatch):
    from mlops_lab.store import open_store
    from mlops_lab.tracking.service import TrackingService

    svc = TrackingService(open_store(f"sqlite:///{tmp_path}/m.db", str(tmp_path / "a")))
    exp = svc.get_or_create_experiment("e")
    run = svc.create_run(exp.id)
    assert svc.find_run_id(run.id[:6].upper()) == run.id
    with pytest.raises(InvalidInput, match="is not a run id"):
        svc.find_run_id("xyz!")
    missing = "0000" if not run.id.startswith("0000") else "ffff"
    with pytest.raises(NotFound, match="No run id starts with"):
        svc.find_run_id(missing)


def test_a_collaborator_is_the_one_handed_in_else_the_composition_roots(tmp_path):
    from mlops_lab.services import services_for
    from mlops_lab.store import open_store

    class Part:
        tracking = Collaborator("tracking")

        def __init__(self, store, tracking=None):
            self.store, self._tracking = store, tracking

    store = open_store(f"sqlite:///{tmp_path}/m.db", str(tmp_path / "a"))
    handed = object()
    assert Part(store, tracking=handed).tracking is handed
    assert Part(store).tracking is services_for(store).tracking
