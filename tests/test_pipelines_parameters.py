"""Parameters a notebook does not declare are refused before anything runs (unless allowed, and
then recorded as not declared); every run records the parameters it used, given or default.
Service layer, schedules and sweeps; the CLI and REST layers are in their own test files."""

from __future__ import annotations

import json

import pytest

from mlops_lab.errors import InvalidInput
from mlops_lab.pipelines.schedules.service import ScheduleService
from mlops_lab.tracking.service import TrackingService

from test_pipelines import notebook, pipelines, work  # noqa: F401 - fixtures

PARAMETERS = "alpha = 0.5\ncv = 5\nlayers = [1, 2]\nseed = sum([1, 2])"


@pytest.fixture
def train(work):
    return notebook(work / "train.ipynb", "import mlops_lab as ml\nml.output('alpha', alpha)",
                    parameters=PARAMETERS)


def test_a_misspelt_parameter_is_refused_before_anything_runs(pipelines, train):
    with pytest.raises(InvalidInput) as err:
        pipelines.run_notebook(train, {"alpah": 5.0})
    message = str(err.value)
    assert "alpah" in message and "declares: alpha, cv, layers, seed" in message
    assert "--allow-undeclared" in message
    assert pipelines.list_runs() == []


def test_a_parameter_for_a_notebook_without_a_parameters_cell_is_refused(pipelines, work):
    plain = notebook(work / "plain.ipynb", "print(1)", parameters=None)
    with pytest.raises(InvalidInput, match="no cell tagged `parameters`, so cv would not"):
        pipelines.run_notebook(plain, {"cv": 5})
    assert pipelines.list_runs() == []


def test_allowed_undeclared_and_defaults_are_recorded_marked(pipelines, train, store):
    run = pipelines.run_notebook(train, {"cv": 3, "alpah": 5.0}, allow_undeclared=True)
    assert run.status == "SUCCEEDED", run.error
    assert run.outputs == {"alpha": 0.5}  # the misspelt value was never used
    assert run.parameters == {"cv": 3, "alpah": 5.0}
    assert run.effective_parameters == {
        "alpha": {"value": 0.5, "from": "default"}, "cv": {"value": 3, "from": "given"},
        "layers": {"value": [1, 2], "from": "default"},
        "seed": {"expression": "sum([1, 2])", "from": "default"},
        "alpah": {"value": 5.0, "from": "not declared"}}
    shown = run.to_json()["effective_parameters"]
    assert {name: {k: v for k, v in info.items() if k != "text"}
            for name, info in shown.items()} == run.effective_parameters
    assert {name: info["text"] for name, info in shown.items()} == {
        "alpha": "0.5", "cv": "3", "layers": "[1, 2]", "seed": "sum([1, 2])", "alpah": "5.0"}
    tracked = TrackingService(store).get_run(run.run_id)
    assert tracked.params == {"alpha": "0.5", "cv": "3", "layers": "[1, 2]",
                              "seed": "sum([1, 2])", "alpah": "5.0"}
    assert json.loads(tracked.tags["mlops_lab.parameter_sources"]) == {
        "alpha": "default", "cv": "given", "layers": "default", "seed": "default",
        "alpah": "not declared"}


def test_allow_undeclared_is_a_yes_or_no(pipelines, train):
    with pytest.raises(InvalidInput, match="allow_undeclared must be true or false"):
        pipelines.run_notebook(train, {"cv": 3}, allow_undeclared="yes")


def test_a_schedule_is_refused_an_undeclared_parameter(store, train):
    schedules = ScheduleService(store)
    with pytest.raises(InvalidInput, match="declares: alpha, cv, layers, seed"):
        schedules.create(train, "0 6 * * *", {"alpah": 1})
    made = schedules.create(train, "0 6 * * *", {"alpha": 1})
    with pytest.raises(InvalidInput, match="alpah"):
        schedules.update(made.id, parameters={"alpah": 2})
    assert schedules.get(made.id).parameters == {"alpha": 1}


def test_a_tick_whose_notebook_no_longer_declares_a_parameter_is_a_failed_run(pipelines,
                                                                               store, train):
    made = ScheduleService(store).create(train, "0 6 * * *", {"cv": 2})
    notebook(train, "print(alpha)", parameters="alpha = 0.5")  # `cv` was removed since
    row = pipelines.prepare(train, train.read_bytes(), {"cv": 2}, schedule_id=made.id,
                            fire_time=0)
    assert row["status"] == "FAILED" and "does not declare cv" in row["error"]


def test_a_sweep_over_an_undeclared_name_is_refused_before_any_point_runs(store, train):
    from mlops_lab.pipelines.sweeps.service import SweepService

    with pytest.raises(InvalidInput, match="does not declare alhpa"):
        SweepService(store).run(train, [{"alpha": 1}, {"alhpa": 2}])
    assert TrackingService(store).search_runs().runs == []


def test_a_dag_step_with_an_undeclared_parameter_fails_saying_so_and_runs_nothing(
        pipelines, store, train):
    from mlops_lab.pipelines.dags.service import DagService

    (train.parent / "pipeline.yaml").write_text(
        "name: typo\nsteps:\n  train: {notebook: train.ipynb, parameters: {alpah: 1}}\n")
    dag_run = DagService(store).run(train.parent / "pipeline.yaml")
    assert dag_run.status == "FAILED"
    [step] = dag_run.steps
    assert step.status == "FAILED" and "does not declare alpah" in step.error
    assert pipelines.list_runs() == []


def test_a_whole_number_for_a_float_parameter_runs_as_a_float(pipelines, work):
    # JSON (a form, `-p C 2`) cannot tell 2 from 2.0; the notebook declares a float.
    nb = notebook(work / "svm.ipynb",
                  "import mlops_lab as ml\nml.output('types', [type(C).__name__, "
                  "type(degree).__name__, type(typed).__name__])",
                  parameters="C = 1.0\ndegree = 3\ntyped: float = 1")
    run = pipelines.run_notebook(nb, {"C": 2, "degree": 4, "typed": 5})
    assert run.status == "SUCCEEDED", run.error
    assert run.outputs == {"types": ["float", "int", "float"]}
    assert run.parameters == {"C": 2.0, "degree": 4, "typed": 5.0}
    assert json.dumps(run.parameters) == '{"C": 2.0, "degree": 4, "typed": 5.0}'
    assert run.effective_parameters["C"] == {"value": 2.0, "from": "given"}
    assert run.to_json()["effective_parameters"]["C"]["text"] == "2.0"
