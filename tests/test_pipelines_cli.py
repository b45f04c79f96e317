"""`mlops-lab run`, `pipeline-runs`, `schedules`, `reproduce` as a user runs them: real
subprocesses, exit codes, the failing cell's error on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from test_pipelines import notebook

SUBCOMMANDS = [["run"], ["pipeline-runs"], ["pipeline-runs", "show"], ["pipeline-runs", "cancel"],
               ["schedules"], ["schedules", "create"], ["schedules", "edit"], ["scheduler"],
               ["reproduce"]]


@pytest.fixture
def cli(store_home, tmp_path):
    work = tmp_path / "work"
    work.mkdir()

    def run(*args, expect=0):
        done = subprocess.run([sys.executable, "-m", "mlops_lab.cli", *args], cwd=work,
                              capture_output=True, text=True, env=dict(os.environ), timeout=300)
        assert done.returncode == expect, (done.stdout, done.stderr)
        return done

    run.work = work
    return run


@pytest.mark.parametrize("words", SUBCOMMANDS)
def test_help_has_examples(cli, words):
    assert "examples:" in cli(*words, "--help").stdout


def test_run_succeeds_and_lists(cli):
    notebook(cli.work / "ok.ipynb", "import mlops_lab as ml\nml.output('double', alpha * 2)")
    done = cli("run", "ok.ipynb", "-p", "alpha", "21", "--json")
    run = json.loads(done.stdout)
    assert run["status"] == "SUCCEEDED" and run["outputs"] == {"double": 42}
    assert run["parameters"] == {"alpha": 21}
    listed = cli("pipeline-runs").stdout
    assert run["id"][:8] in listed and "SUCCEEDED" in listed
    shown = cli("pipeline-runs", "show", run["id"][:8], "--log").stdout
    assert "SUCCEEDED" in shown and "Executing" in shown
    out = cli.work / "custom" / "out.ipynb"
    cli("run", "ok.ipynb", "-o", str(out), "-P", "alpha", "[1, 2]")
    assert out.is_file()


def test_a_failing_run_exits_1_and_prints_the_failing_cell(cli):
    notebook(cli.work / "fails.ipynb", "x = alpha", "raise ValueError(f'bad {x}')")
    done = cli("run", "fails.ipynb", "-p", "alpha", "7", expect=1)
    assert "FAILED" in done.stdout
    assert "ValueError: bad 7" in done.stderr
    assert "raise ValueError(f'bad {x}')" in done.stderr


def test_bad_input_exits_2_and_an_unrunnable_notebook_exits_1(cli):
    notebook(cli.work / "ok.ipynb", "pass")
    assert "identifier" in cli("run", "ok.ipynb", "-p", "1x", "1", expect=2).stderr
    assert "finite" in cli("run", "ok.ipynb", "-p", "alpha", "nan", expect=2).stderr
    (cli.work / "broken.ipynb").write_text("not json")
    assert "not valid JSON" in cli("run", "broken.ipynb", expect=1).stderr
    assert "No notebook" in cli("run", "missing.ipynb", expect=1).stderr


def test_schedules_from_the_command_line(cli):
    notebook(cli.work / "job.ipynb", "pass")
    made = json.loads(cli("schedules", "create", "job.ipynb", "--cron", "0 6 * * 1-5",
                          "--tz", "Europe/Paris", "--name", "weekday", "-p", "alpha", "2",
                          "--missed", "run_once", "--keep-last", "3", "--json").stdout)
    assert made["parameters"] == {"alpha": 2} and made["missed"] == "run_once"
    assert "weekday" in cli("schedules", "list").stdout
    assert "enabled          no" in cli("schedules", "disable", "weekday").stdout
    edited = json.loads(cli("schedules", "edit", "weekday", "--cron", "30 7 * * *",
                            "--json").stdout)
    assert edited["cron"] == "30 7 * * *" and edited["enabled"] is False
    assert "not a cron" in cli("schedules", "edit", "weekday", "--cron", "x", expect=2).stderr
    cli("schedules", "delete", made["id"])
    assert "weekday" not in cli("schedules", "list").stdout


def test_schedules_refuse_bad_crons_and_show_times_in_their_time_zone(cli):
    notebook(cli.work / "job.ipynb", "pass")
    never = cli("schedules", "create", "job.ipynb", "--cron", "0 0 31 2 *", expect=2)
    assert "never fires" in never.stderr and "Traceback" not in never.stderr
    seconds = cli("schedules", "create", "job.ipynb", "--cron", "* * * * * *", expect=2)
    assert "has 6 fields" in seconds.stderr and "Traceback" not in seconds.stderr
    shown = cli("schedules", "create", "job.ipynb", "--cron", "0 6 * * *", "--tz",
                "Asia/Kolkata").stdout
    (times,) = [line for line in shown.splitlines() if line.startswith("next fire times")]
    assert " 06:00:00+05:30, " in times and times.endswith("(Asia/Kolkata)")
    listed = cli("schedules", "list").stdout
    assert "NEXT (IN TZ)" in listed and " 06:00:00+05:30" in listed
    assert "job 0 7 * * *" in cli("schedules", "edit", "job 0 6 * * *", "--cron",
                                  "0 7 * * *").stdout  # the default name follows the cron


def test_reproduce_from_the_command_line(cli):
    notebook(cli.work / "ok.ipynb", "import mlops_lab as ml\nml.output('v', alpha)")
    run = json.loads(cli("run", "ok.ipynb", "-p", "alpha", "3", "--json").stdout)
    assert "environment changes" in cli("reproduce", run["id"][:10], "--check").stdout
    done = cli("reproduce", run["id"])
    assert "result: reproduced: 2 things compared, all equal" in done.stdout  # output, cell


def test_reproduce_that_differs_prints_a_table_and_exits_1(cli):
    (cli.work / "data.txt").write_text("0.5")
    notebook(cli.work / "drift.ipynb", "import mlops_lab as ml, pathlib\n"
             "ml.output('score', float(pathlib.Path('data.txt').read_text()))")
    run = json.loads(cli("run", "drift.ipynb", "--json").stdout)
    (cli.work / "data.txt").write_text("0.75")
    done = cli("reproduce", run["id"], expect=1)
    lines = [line.split() for line in done.stdout.splitlines()]
    assert ["WHAT", "NAME", "BEFORE", "AFTER"] in lines
    assert ["output", "score", "0.5", "0.75"] in lines
    assert "result: differs: 2 of 2 things compared differ" in done.stdout


def test_reproduce_with_nothing_recorded_cannot_tell_and_exits_3(cli):
    notebook(cli.work / "quiet.ipynb", "x = alpha")
    run = json.loads(cli("run", "quiet.ipynb", "--json").stdout)
    report = json.loads(cli("reproduce", run["id"], "--json", expect=3).stdout)
    assert report["comparison"]["verdict"] == "cannot tell"
    assert report["comparison"]["compared"] == 0
    cli("reproduce", run["id"], "--rel-tol", "2", expect=2)  # a bad tolerance: bad input


def test_run_refuses_an_undeclared_parameter_before_anything_runs(cli):
    notebook(cli.work / "nb.ipynb", "import mlops_lab as ml\nml.output('v', alpha)")
    done = cli("run", "nb.ipynb", "-p", "alpah", "5.0", expect=2)
    assert "does not declare alpah" in done.stderr and "declares: alpha" in done.stderr
    assert "--allow-undeclared" in done.stderr and "Traceback" not in done.stderr
    notebook(cli.work / "plain.ipynb", "print(1)", parameters=None)
    done = cli("run", "plain.ipynb", "-p", "cv", "5", expect=2)
    assert "no cell tagged `parameters`, so cv would not" in done.stderr
    assert json.loads(cli("pipeline-runs", "--json").stdout)["pipeline_runs"] == []


def test_run_with_allow_undeclared_records_it_as_not_declared(cli):
    notebook(cli.work / "nb.ipynb", "import mlops_lab as ml\nml.output('v', alpha)",
             parameters="alpha = 1\ncv = 5")
    done = cli("run", "nb.ipynb", "-p", "alpah", "5.0", "-p", "cv", "3", "--allow-undeclared")
    assert "alpha=1 (default), cv=3 (given), alpah=5.0 (not declared)" in done.stdout


def test_run_does_not_build_the_grammars_of_an_unused_schema_format(cli, monkeypatch):
    """Importing nbformat imports jsonschema, which compiles rfc3987_syntax's 38 grammars
    (seconds per process start) for IRI checks nbformat never makes: `run` skips them."""
    notebook(cli.work / "nb.ipynb", "print(alpha)")
    monkeypatch.setenv("PYTHONPROFILEIMPORTTIME", "1")
    done = cli("run", "nb.ipynb", "-p", "alpha", "2")
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "nbformat" in imported and "jsonschema" in imported
    assert "lark" not in imported  # the grammar library rfc3987_syntax builds them with


def test_run_executes_the_notebook_in_its_own_process(cli):
    """A waiting `run` is its run's worker: no second process start and papermill import."""
    notebook(cli.work / "nb.ipynb", "import mlops_lab as ml\nml.output('v', alpha)")
    proc = subprocess.Popen([sys.executable, "-m", "mlops_lab.cli", "run", "nb.ipynb", "--json"],
                            cwd=cli.work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    run = json.loads(out)
    assert run["status"] == "SUCCEEDED" and run["outputs"] == {"v": 1}
    shown = json.loads(cli("pipeline-runs", "show", run["id"], "--json").stdout)
    assert shown["status"] == "SUCCEEDED"
    from mlops_lab.pipelines.runs.service import PipelineService
    from mlops_lab.store import open_store

    assert PipelineService(open_store()).get(run["id"]).pid == proc.pid
