"""DAG runs end to end: every step a real pipeline run (papermill, a real kernel)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from mlops_lab.pipelines.dags.service import DagService
from mlops_lab.pipelines.runs.service import PipelineService
from mlops_lab.store.tables.dags import dag_runs
from test_pipelines import step_notebook as notebook


@pytest.fixture
def dag_store(store):
    with store.db.write() as conn:
        conn.execute(delete(dag_runs))
    return store


# Each of the two middle steps marks that it started, then waits (with a deadline) until the
# other one has started too: they only both succeed if they run at the same time.
MEET = """
import pathlib, time
import mlops_lab as ml
here = pathlib.Path(folder)
(here / f"{me}.started").touch()
deadline = time.monotonic() + 60
while not (here / f"{other}.started").exists():
    assert time.monotonic() < deadline, f"{other} never ran while {me} was running"
    time.sleep(0.05)
ml.output("y", x * 10)
"""


def test_steps_run_in_parallel_and_pass_outputs(dag_store, tmp_path):
    notebook(tmp_path / "prepare.ipynb", "rows = 1", "import mlops_lab as ml\n"
             "ml.output('n', rows + 1)\nml.output('name', 'prepared')")
    notebook(tmp_path / "left.ipynb", "x = 0\nme = ''\nother = ''\nfolder = ''", MEET)
    notebook(tmp_path / "right.ipynb", "x = 0\nme = ''\nother = ''\nfolder = ''", MEET)
    notebook(tmp_path / "join.ipynb", "a = 0\nb = 0\nlabel = ''",
             "import mlops_lab as ml\nml.output('total', a + b)\nml.output('label', label)")
    (tmp_path / "pipeline.yaml").write_text(f"""
name: parallel
steps:
  prepare: {{notebook: prepare.ipynb, parameters: {{rows: 4}}}}
  left:
    notebook: left.ipynb
    depends_on: [prepare]
    parameters: {{x: "${{prepare.n}}", me: left, other: right, folder: "{tmp_path}"}}
  right:
    notebook: right.ipynb
    depends_on: [prepare]
    parameters: {{x: 1, me: right, other: left, folder: "{tmp_path}"}}
  join:
    notebook: join.ipynb
    depends_on: [left, right, prepare]
    parameters: {{a: "${{left.y}}", b: "${{right.y}}", label: "${{prepare.name}}"}}
""")

    run = DagService(dag_store).run(tmp_path / "pipeline.yaml")
    assert run.status == "SUCCEEDED", [(s.name, s.error) for s in run.steps]
    assert run.step("left").parameters["x"] == 5
    assert run.step("join").parameters == {"a": 50, "b": 10, "label": "prepared"}
    assert run.step("join").outputs == {"total": 60, "label": "prepared"}

    pipelines = PipelineService(dag_store)
    left, right = (pipelines.get(run.step(n).pipeline_run_id) for n in ("left", "right"))
    assert left.started_at < right.ended_at and right.started_at < left.ended_at
    assert left.tags["mlops_lab.dag_run"] == run.id and left.tags["mlops_lab.dag_step"] == "left"
    assert run.step("left").run_id == left.run_id is not None  # its tracking run


def test_a_failed_step_stops_its_dependents_and_resume_reruns_only_it(dag_store, tmp_path):
    notebook(tmp_path / "a.ipynb", "x = 1", "import mlops_lab as ml\nml.output('y', x + 1)")
    notebook(tmp_path / "b.ipynb", "x = 0", "raise ValueError('b is broken')")
    notebook(tmp_path / "c.ipynb", "x = 0", "import mlops_lab as ml\nml.output('y', x)")
    (tmp_path / "pipeline.yaml").write_text("""
steps:
  a: {notebook: a.ipynb}
  b: {notebook: b.ipynb, depends_on: [a], parameters: {x: "${a.y}"}}
  c: {notebook: c.ipynb, depends_on: [b], parameters: {x: "${b.y}"}}
""")
    service = DagService(dag_store)
    first = service.run(tmp_path / "pipeline.yaml")
    assert first.status == "FAILED"
    assert [s.status for s in first.steps] == ["SUCCEEDED", "FAILED", "SKIPPED"]
    assert "b is broken" in first.step("b").error
    assert first.step("c").pipeline_run_id is None

    notebook(tmp_path / "b.ipynb", "x = 0", "import mlops_lab as ml\nml.output('y', x * 100)")
    resumed = service.resume(first.id)
    assert resumed.status == "SUCCEEDED" and resumed.attempt == 2
    assert resumed.step("a").pipeline_run_id == first.step("a").pipeline_run_id  # not re-run
    assert resumed.step("b").pipeline_run_id != first.step("b").pipeline_run_id
    assert resumed.step("c").outputs == {"y": 200}
