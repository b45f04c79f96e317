"""DAG graph logic and execution on a real store, with a step runner written by the test
(tests/test_dags_papermill.py runs the same rules through real pipeline runs)."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from sqlalchemy import delete, update

from mlops_lab.errors import Conflict, InvalidInput, NotFound
from mlops_lab.pipelines.dags.executor import StepOutcome
from mlops_lab.pipelines.dags.file import load_dag
from mlops_lab.pipelines.dags.service import DagService
from mlops_lab.store.tables.dags import dag_runs


@pytest.fixture
def dag_store(store):
    with store.db.write() as conn:  # PostgreSQL keeps rows between tests
        conn.execute(delete(dag_runs))
    return store


def write_dag(folder, text, notebooks=("a", "b", "c", "d")):
    folder.mkdir(parents=True, exist_ok=True)
    for name in notebooks:
        (folder / f"{name}.ipynb").write_text("{}")
    path = folder / "pipeline.yaml"
    path.write_text(text)
    return path


class Recorder:
    """A step runner: outputs what `behaviour` says, remembers calls and overlap."""

    def __init__(self, behaviour=None):
        self.behaviour = behaviour or (lambda call: {})
        self.calls: list = []
        self.lock = threading.Lock()
        self.active = 0
        self.most_active = 0

    def __call__(self, call, link):
        with self.lock:
            self.calls.append(call)
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            result = self.behaviour(call)
        finally:
            with self.lock:
                self.active -= 1
        if isinstance(result, StepOutcome):
            return result
        return StepOutcome("SUCCEEDED", outputs=result, pipeline_run_id="f" * 32)

    def names(self):
        return [c.step.name for c in self.calls]


DIAMOND = """
name: diamond
steps:
  a:
    notebook: a.ipynb
    parameters: {x: 1}
  b:
    notebook: b.ipynb
    depends_on: [a]
    parameters: {x: "${a.y}", label: b}
  c:
    notebook: c.ipynb
    depends_on: [a]
    parameters: {x: "${a.y}", label: c}
  d:
    notebook: d.ipynb
    depends_on: [b, c]
    parameters: {left: "${b.y}", right: "${c.y}"}
"""


def test_outputs_become_parameters_of_dependent_steps(dag_store, tmp_path):
    runner = Recorder(lambda call: {"y": (call.parameters.get("x") or 0) + 1
                                    if "x" in call.parameters
                                    else call.parameters["left"] + call.parameters["right"]})
    run = DagService(dag_store, runner).run(write_dag(tmp_path, DIAMOND))

    assert run.status == "SUCCEEDED" and run.error is None and run.attempt == 1
    assert runner.names()[0] == "a" and runner.names()[-1] == "d"
    assert run.step("b").parameters == {"x": 2, "label": "b"}
    assert run.step("d").parameters == {"left": 3, "right": 3}
    assert run.step("d").outputs == {"y": 6}
    assert run.step("b").declared == {"x": "${a.y}", "label": "b"}
    assert [s.depth for s in run.steps] == [0, 1, 1, 2]
    assert sorted(run.edges) == [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]
    assert all(s.pipeline_run_id == "f" * 32 for s in run.steps)
    doc = run.to_json()
    assert doc["counts"] == {"SUCCEEDED": 4}
    assert {"from": "a", "to": "b"} in doc["edges"]


def test_independent_steps_run_at_the_same_time(dag_store, tmp_path):
    # b and c only meet at the barrier if both are running at once.
    barrier = threading.Barrier(2, timeout=30)

    def behaviour(call):
        if call.step.name in ("b", "c"):
            barrier.wait()
        return {"y": 1}

    runner = Recorder(behaviour)
    run = DagService(dag_store, runner).run(write_dag(tmp_path, DIAMOND))
    assert run.status == "SUCCEEDED", run.error
    b, c = run.step("b"), run.step("c")
    assert b.started_at <= c.ended_at and c.started_at <= b.ended_at  # recorded overlap
    assert runner.most_active == 2


def test_concurrency_limit_is_respected(dag_store, tmp_path):
    text = "concurrency: 1\nsteps:\n" + "".join(f"  {n}: {n}.ipynb\n" for n in "abcd")
    runner = Recorder()
    run = DagService(dag_store, runner).run(write_dag(tmp_path, text))
    assert run.status == "SUCCEEDED" and run.concurrency == 1
    assert runner.most_active == 1 and sorted(runner.names()) == list("abcd")
    # The run's own limit overrides the file's.
    runner = Recorder(lambda call: {})
    run = DagService(dag_store, runner).run(tmp_path / "pipeline.yaml", concurrency=3)
    assert run.concurrency == 3


def test_a_failure_skips_its_dependents_and_independent_branches_go_on(dag_store, tmp_path):
    text = """
steps:
  a: a.ipynb
  b: {notebook: b.ipynb, depends_on: [a]}
  c: {notebook: c.ipynb, depends_on: [b]}
  d: d.ipynb
"""
    runner = Recorder(lambda call: StepOutcome("FAILED", error="boom in a")
                      if call.step.name == "a" else {})
    run = DagService(dag_store, runner).run(write_dag(tmp_path, text))
    assert run.status == "FAILED"
    assert {s.name: s.status for s in run.steps} == {
        "a": "FAILED", "b": "SKIPPED", "c": "SKIPPED", "d": "SUCCEEDED"}
    assert sorted(runner.names()) == ["a", "d"]
    assert run.step("a").error == "boom in a"
    assert run.step("b").error == "Upstream step 'a' failed."
    assert run.step("c").error == "Upstream step 'b' did not run."
    assert "Step(s) failed: a" in run.error and "skipped: b, c" in run.error


def test_a_runner_exception_or_missing_output_fails_the_step(dag_store, tmp_path):
    def behaviour(call):
        if call.step.name == "c":
            raise RuntimeError("kernel died")
        return {"z": 1}  # not the y that b and c need

    run = DagService(dag_store, Recorder(behaviour)).run(write_dag(tmp_path, DIAMOND))
    assert run.step("a").status == "SUCCEEDED"
    b = run.step("b")
    assert b.status == "FAILED"
    assert "Step 'a' recorded no output 'y' (its outputs: z)" in b.error
    assert "ml.output('y', value)" in b.error
    assert run.step("d").status == "SKIPPED"


def test_resume_runs_only_what_failed_and_reuses_outputs(dag_store, tmp_path):
    broken = {"b"}

    def behaviour(call):
        if call.step.name in broken:
            return StepOutcome("FAILED", error="b is broken")
        if call.step.name == "d":
            return {"y": call.parameters["left"] * 10 + call.parameters["right"]}
        return {"y": call.parameters["x"] + (1 if call.step.name == "a" else 2)}

    service = DagService(dag_store, Recorder(behaviour))
    first = service.run(write_dag(tmp_path, DIAMOND))
    assert first.status == "FAILED"
    assert {s.name: s.status for s in first.steps} == {
        "a": "SUCCEEDED", "b": "FAILED", "c": "SUCCEEDED", "d": "SKIPPED"}

    broken.clear()
    service.runner = again = Recorder(behaviour)
    resumed = service.resume(first.id)
    assert resumed.id == first.id and resumed.attempt == 2 and resumed.status == "SUCCEEDED"
    assert sorted(again.names()) == ["b", "d"]  # a and c kept from the first attempt
    assert resumed.step("d").parameters == {"left": 4, "right": 4}
    assert resumed.step("a").attempt == 1 and resumed.step("b").attempt == 2
    with pytest.raises(Conflict, match="is SUCCEEDED; only a FAILED DAG run can be resumed"):
        service.resume(first.id)


def test_resume_uses_the_definition_that_ran_first(dag_store, tmp_path):
    path = write_dag(tmp_path, "steps:\n  a: {notebook: a.ipynb, parameters: {x: 1}}\n")
    service = DagService(dag_store, Recorder(lambda call: StepOutcome("FAILED", error="no")))
    first = service.run(path)
    path.write_text("steps:\n  a: {notebook: a.ipynb, parameters: {x: 99}}\n")
    service.runner = runner = Recorder()
    assert service.resume(first.id).status == "SUCCEEDED"
    assert runner.calls[0].parameters == {"x": 1}


def test_resume_and_lookups_refuse_bad_ids(dag_store):
    service = DagService(dag_store, Recorder())
    with pytest.raises(InvalidInput, match="is not a DAG run id"):
        service.resume("../etc")
    with pytest.raises(NotFound, match="No DAG run with id"):
        service.resume("0" * 32)
    with pytest.raises(NotFound):
        service.get("0" * 32)
    with pytest.raises(InvalidInput):
        service.list_runs(status="DONE")


def test_a_run_whose_process_died_is_failed_and_can_be_resumed(dag_store, tmp_path):
    service = DagService(dag_store, Recorder())
    run = service.run(write_dag(tmp_path, DIAMOND.replace('"${a.y}"', "1")
                                .replace('"${b.y}"', "1").replace('"${c.y}"', "1")))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    from mlops_lab.store.tables.dags import dag_steps

    with dag_store.db.write() as conn:  # as a crashed process would have left it
        conn.execute(update(dag_runs).where(dag_runs.c.id == run.id)
                     .values(status="RUNNING", pid=int(dead.stdout)))
        conn.execute(update(dag_steps).where(dag_steps.c.dag_run_id == run.id,
                                             dag_steps.c.name == "d").values(status="RUNNING"))
    listed = service.list_runs()
    assert [(r.id, r.status) for r in listed] == [(run.id, "FAILED")]
    found = service.get(run.id)
    assert "process running it ended" in found.error and found.step("d").status == "FAILED"
    assert service.resume(run.id).status == "SUCCEEDED"


def test_listing_is_newest_first_with_counts(dag_store, tmp_path):
    service = DagService(dag_store, Recorder())
    path = write_dag(tmp_path, "steps:\n  a: a.ipynb\n  b: b.ipynb\n")
    first, second = service.run(path), service.run(path)
    listed = service.list_runs()
    assert [r.id for r in listed] == [second.id, first.id]
    assert listed[0].counts == {"SUCCEEDED": 2} and listed[0].steps == []
    assert [r.id for r in service.list_runs(status="FAILED")] == []
    assert service.find(first.id[:8]).id == first.id
    assert service.list_runs(limit=1)[0].id == second.id


def test_parameters_override_every_step_or_one(dag_store, tmp_path):
    text = """
steps:
  a: {notebook: a.ipynb, parameters: {alpha: 1, seed: 0}}
  b: {notebook: b.ipynb, parameters: {alpha: 2}}
"""
    runner = Recorder()
    run = DagService(dag_store, runner).run(write_dag(tmp_path, text),
                                            {"alpha": 5, "b.extra": [1, 2]})
    assert run.step("a").parameters == {"alpha": 5, "seed": 0}
    assert run.step("b").parameters == {"alpha": 5, "extra": [1, 2]}
    with pytest.raises(InvalidInput, match="No step has a parameter 'beta'"):
        DagService(dag_store, runner).run(tmp_path / "pipeline.yaml", {"beta": 1})
    with pytest.raises(InvalidInput, match="there is no step 'z'"):
        DagService(dag_store, runner).run(tmp_path / "pipeline.yaml", {"z.alpha": 1})
    with pytest.raises(InvalidInput, match="not allowed"):
        DagService(dag_store, runner).run(tmp_path / "pipeline.yaml", {"a.not-a-name": 1})


# ---- checking pipeline files --------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("steps: [a, b]", "`steps` must map each step name"),
    ("steps:\n  a: a.ipynb\nstep: {}", "unknown key(s) step"),
    ("steps:\n  a: {notebook: a.ipynb, depend_on: [b]}", "Step 'a': unknown key(s) depend_on"),
    ("steps:\n  a: {notebook: a.ipynb, depends_on: [zz]}",
     "Step 'a' depends on 'zz', which is not a step of this pipeline (steps: a)"),
    ("steps:\n  a: {notebook: a.ipynb, depends_on: [b]}\n  b: {notebook: b.ipynb, depends_on: [c]}\n"
     "  c: {notebook: c.ipynb, depends_on: [a]}", "in a cycle: "),
    ("steps:\n  a: {notebook: a.ipynb, depends_on: [a]}", "Step 'a' depends on itself"),
    ("steps:\n  a: {notebook: a.ipynb, parameters: {1x: 1}}", "Step 'a': Parameter name '1x'"),
    ("steps:\n  a: {notebook: a.ipynb, parameters: {class: 1}}", "Parameter name 'class'"),
    ("steps:\n  a: {notebook: a.ipynb, parameters: {when: 2024-01-02}}",
     "Step 'a': Parameter 'when' must be JSON-typed"),
    ("steps:\n  a: {notebook: a.ipynb, parameters: {x: .nan}}", "must be a finite number"),
    ("steps:\n  a: {notebook: ../a.ipynb}", "is outside the pipeline file's folder"),
    ("steps:\n  a: {notebook: sub/../../a.ipynb}", "is outside the pipeline file's folder"),
    ("steps:\n  a: {notebook: /etc/passwd.ipynb}", "not an absolute path"),
    ("steps:\n  a: {notebook: missing.ipynb}", "notebook 'missing.ipynb' does not exist"),
    ("steps:\n  a: {notebook: a.py}", "is not a .ipynb file"),
    ("steps:\n  a: a.ipynb\n  b: {notebook: b.ipynb, parameters: {x: '${a.y}'}}",
     "uses ${a.y} of step 'a', but does not depend on it: add 'a' to its depends_on"),
    ("steps:\n  b: {notebook: b.ipynb, parameters: {x: 'path/${a.y}'}}", "is not a reference"),
    ("steps:\n  ../a: a.ipynb", "Step name '../a' is not allowed"),
    ("steps:\n  a: {notebook: a.ipynb, timeout: -1}", "`timeout` must be a number"),
    ("concurrency: 0\nsteps:\n  a: a.ipynb", "`concurrency` must be a whole number"),
    ("steps: {a: [", "is not valid YAML at line"),
    ("- just a list", "must be a mapping with a `steps:` section"),
])
def test_pipeline_file_errors_name_the_problem(tmp_path, text, message):
    path = write_dag(tmp_path / "dags", text)
    (tmp_path / "a.ipynb").write_text("{}")  # a sibling of the folder, never reachable
    with pytest.raises(InvalidInput) as info:
        load_dag(path)
    assert message in str(info.value)


def alias_bomb(levels: int = 9) -> str:
    """A few hundred bytes that expand to 9**levels values ("billion laughs")."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    step = f"  a: {{notebook: a.ipynb, parameters: {{x: *l{levels - 1}}}}}"
    return "\n".join(lines) + f"\nsteps:\n{step}\n"


@pytest.mark.parametrize("text, message", [
    (alias_bomb(), "more than 100,000 values once its YAML aliases are expanded"),
    ("x: &x [1, *x]\nsteps:\n  a: a.ipynb\n", "a YAML alias refers to a value that contains it"),
    ("x: &x 1\ny: [" + ", ".join(["*x"] * 1001) + "]\nsteps:\n  a: a.ipynb\n",
     "more than 1000 YAML aliases"),
])
def test_yaml_alias_bombs_are_refused_before_anything_expands_them(tmp_path, text, message):
    path = write_dag(tmp_path, text)
    with pytest.raises(InvalidInput) as info:
        load_dag(path)
    assert str(info.value).startswith("pipeline.yaml: ") and message in str(info.value)


def test_yaml_anchors_within_the_limits_still_work(tmp_path):
    path = write_dag(tmp_path, "steps:\n  a: {notebook: a.ipynb, parameters: &common "
                               "{alpha: 0.5, n: 3}}\n"
                               "  b: {notebook: b.ipynb, parameters: {<<: *common, n: 4}}\n")
    dag = load_dag(path)
    assert dag.steps["b"].parameters == {"alpha": 0.5, "n": 4}


def test_pipeline_file_paths_and_literals(tmp_path):
    folder = tmp_path / "dags"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "x.ipynb").write_text("{}")
    path = write_dag(folder, "steps:\n  a: {notebook: sub/x.ipynb, parameters: "
                             "{tpl: '$${not.a_ref}', cmd: \"; import os; os.system('id') #\"}}\n")
    dag = load_dag(path)
    assert dag.name == "pipeline"  # the file's name
    assert dag.steps["a"].notebook == str((folder / "sub" / "x.ipynb").resolve())
    assert dag.steps["a"].parameters == {"tpl": "${not.a_ref}",
                                         "cmd": "; import os; os.system('id') #"}
    with pytest.raises(InvalidInput, match="does not exist"):
        load_dag(folder / "nope.yaml")
    with pytest.raises(InvalidInput, match="not a pipeline file"):
        load_dag(folder / "sub" / "x.ipynb")


def test_a_symlinked_notebook_pointing_out_is_refused(tmp_path):
    outside = tmp_path / "outside.ipynb"
    outside.write_text("{}")
    folder = tmp_path / "dags"
    folder.mkdir()
    (folder / "link.ipynb").symlink_to(outside)
    path = write_dag(folder, "steps:\n  a: link.ipynb\n", notebooks=())
    with pytest.raises(InvalidInput, match="outside the pipeline file's folder"):
        load_dag(path)


def test_public_names(store_home):
    import mlops_lab as ml

    for name in ("run_dag", "resume_dag", "get_dag_run", "list_dag_runs", "sweep"):
        assert callable(getattr(ml, name))
