"""`mlops-lab dags …` and `mlops-lab sweeps run` as a user runs them: subprocesses on a real
store. The old spellings `dag …` and `sweep` keep working one release, with a note on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from test_pipelines import step_notebook as notebook


def cli(*args, home, cwd, check_rc=None):
    env = {**os.environ, "MLOPS_LAB_HOME": str(home)}
    for name in ("MLOPS_LAB_URI", "MLOPS_LAB_ARTIFACTS"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "mlops_lab.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    if check_rc is not None:
        assert done.returncode == check_rc, done.stdout + done.stderr
    return done


@pytest.mark.parametrize("command", [["dags"], ["dags", "run"], ["dags", "resume"],
                                     ["dags", "show"], ["dags", "list"], ["sweeps"],
                                     ["sweeps", "run"]])
def test_every_command_has_help_with_examples(command, store_home, tmp_path):
    done = cli(*command, "--help", home=store_home, cwd=tmp_path, check_rc=0)
    assert "examples:" in done.stdout and "mlops-lab " + command[0] in done.stdout


def test_the_old_spellings_are_hidden_and_say_the_new_one(store_home, tmp_path):
    listed = cli("--help", home=store_home, cwd=tmp_path, check_rc=0).stdout
    assert "    dags " in listed and "    sweeps " in listed
    assert "    dag " not in listed and "    sweep " not in listed
    old = cli("dag", "list", "--json", home=store_home, cwd=tmp_path, check_rc=0)
    assert json.loads(old.stdout) == {"dag_runs": []}  # stdout stays what scripts parse
    assert "`mlops-lab dag list` is deprecated" in old.stderr
    assert "use `mlops-lab dags list`" in old.stderr
    new = cli("dags", "list", "--json", home=store_home, cwd=tmp_path, check_rc=0)
    assert new.stdout == old.stdout and "deprecated" not in new.stderr
    (tmp_path / "a.ipynb").write_text("{}")
    old = cli("sweep", "a.ipynb", "--random", "20", home=store_home, cwd=tmp_path, check_rc=2)
    assert "use `mlops-lab sweeps run`" in old.stderr and "must look like n=20" in old.stderr


def test_run_show_list_and_resume_a_dag(store_home, tmp_path):
    notebook(tmp_path / "a.ipynb", "x = 1", "import mlops_lab as ml\nml.output('y', x + 1)")
    notebook(tmp_path / "b.ipynb", "x = 0",
             "import pathlib\nassert pathlib.Path('fixed').exists(), 'not fixed yet'\n"
             "import mlops_lab as ml\nml.output('y', x * 2)")
    (tmp_path / "pipeline.yaml").write_text(
        "name: cli-dag\nsteps:\n  a: {notebook: a.ipynb, parameters: {x: 1}}\n"
        "  b: {notebook: b.ipynb, depends_on: [a], parameters: {x: '${a.y}'}}\n")

    failed = cli("dags", "run", "pipeline.yaml", "-p", "a.x=10", home=store_home, cwd=tmp_path,
                 check_rc=1)
    assert "a: SUCCEEDED" in failed.stdout and "b: FAILED" in failed.stdout
    assert "not fixed yet" in failed.stdout
    run_id = failed.stdout.split()[2]

    listed = cli("dags", "list", "--json", home=store_home, cwd=tmp_path, check_rc=0)
    [row] = json.loads(listed.stdout)["dag_runs"]
    assert row["id"] == run_id and row["status"] == "FAILED"
    assert row["counts"] == {"SUCCEEDED": 1, "FAILED": 1}

    (tmp_path / "fixed").touch()
    resumed = cli("dags", "resume", run_id[:8], "--json", home=store_home, cwd=tmp_path,
                  check_rc=0)
    doc = json.loads(resumed.stdout)
    assert doc["status"] == "SUCCEEDED" and doc["attempt"] == 2
    assert [s["outputs"] for s in doc["steps"]] == [{"y": 11}, {"y": 22}]

    shown = cli("dags", "show", run_id, home=store_home, cwd=tmp_path, check_rc=0)
    assert "SUCCEEDED" in shown.stdout and "cli-dag" in shown.stdout


def test_bad_input_exits_2_with_a_message(store_home, tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "pipeline.yaml").write_text("steps:\n  a: {notebook: a.ipynb, depends_on: [z]}\n")
    done = cli("dags", "run", "pipeline.yaml", home=store_home, cwd=tmp_path, check_rc=2)
    assert "Step 'a' depends on 'z'" in done.stderr and "Traceback" not in done.stderr
    done = cli("dags", "show", "../etc", home=store_home, cwd=tmp_path, check_rc=2)
    assert "is not a DAG run id" in done.stderr
    done = cli("sweeps", "run", "a.ipynb", "--random", "20", home=store_home, cwd=tmp_path,
               check_rc=2)
    assert "must look like n=20" in done.stderr
    done = cli("sweeps", "run", "a.ipynb", "--param", "lr=uniform:0:1", home=store_home,
               cwd=tmp_path, check_rc=2)
    assert "--param needs --random n=N" in done.stderr


def test_a_sweep_from_the_command_line(store_home, tmp_path):
    notebook(tmp_path / "train.ipynb", "alpha = 1\nlr = 0.1",
             "import mlops_lab as ml\nml.output('score', alpha * 10 + lr)")
    done = cli("sweeps", "run", "train.ipynb", "--grid", "alpha=1,2", "--random", "n=1", "--param",
               "lr=choice:0.5", "--workers", "2", "--json", home=store_home, cwd=tmp_path,
               check_rc=0)
    doc = json.loads(done.stdout)
    assert doc["status"] == "SUCCEEDED" and doc["executor"] == "local"
    assert [p["metrics"]["score"] for p in doc["points"]] == [10.5, 20.5]
    table = cli("runs", "-f", f"tags.`mlops_lab.sweep` = '{doc['id']}'", home=store_home,
                cwd=tmp_path, check_rc=0)
    assert table.stdout.count("FINISHED") == 2


def test_the_printed_command_to_compare_a_sweeps_points_runs_when_pasted_into_bash(
        store_home, tmp_path):
    # It was printed in double quotes, so bash ran `mlops_lab.sweep` as a command.
    notebook(tmp_path / "train.ipynb", "alpha = 1", "import mlops_lab as ml\nml.output('a', alpha)")
    done = cli("sweeps", "run", "train.ipynb", "--grid", "alpha=1,2", home=store_home,
               cwd=tmp_path, check_rc=0)
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("Compare the points: ")]
    command = line.removeprefix("Compare the points: ")
    env = {**os.environ, "MLOPS_LAB_HOME": str(store_home),
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    for name in ("MLOPS_LAB_URI", "MLOPS_LAB_ARTIFACTS"):
        env.pop(name, None)
    pasted = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert pasted.returncode == 0, pasted.stderr
    assert "command not found" not in pasted.stderr
    assert pasted.stdout.count("FINISHED") == 2
