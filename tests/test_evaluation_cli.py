"""`mlops-lab gate`, `benchmark` and `evaluations` as real processes: the exit codes a CI
step relies on (0 pass, 1 fail, 2 could not run), --json, and the one-screen summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation_models import churn_store

CLI = Path(sys.executable).with_name("mlops-lab")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, cwd=cwd,
                          env=os.environ.copy(), timeout=120)


@pytest.fixture
def ml(store_home):
    return churn_store()


def test_gate_exit_codes_say_pass_fail_or_could_not_run(ml, tmp_path):
    data = ["--data", "holdout", "--label", "churned"]
    passed = cli("gate", "churn/2", "churn@champion", *data, "--promote", "champion",
                 "--keep-previous", "previous", cwd=tmp_path)
    assert passed.returncode == 0, passed.stderr
    assert "PASSED" in passed.stdout and "Moved champion from version 1 to version 2" in \
        passed.stdout
    assert ml.models.alias_target("churn", "champion") == 2
    assert ml.models.alias_target("churn", "previous") == 1

    failed = cli("gate", "churn/1", "churn@champion", *data, "--json", cwd=tmp_path)
    assert failed.returncode == 1, failed.stderr
    doc = json.loads(failed.stdout)
    assert doc["passed"] is False and doc["reasons"]

    card = cli("models", "show", "churn/2", cwd=tmp_path)
    assert "## Gates (as challenger)" in card.stdout and "PASSED against version 1" in card.stdout
    assert json.loads(cli("models", "show", "churn/1", "--json", cwd=tmp_path).stdout)[
        "gates"][0]["passed"] is False

    broken = cli("gate", "churn/2", "churn/1", "--data", "holdout", "--label", "nope",
                 cwd=tmp_path)
    assert broken.returncode == 2
    assert "gate could not run" in broken.stderr and "no column 'nope'" in broken.stderr
    assert broken.stdout == ""


def test_benchmark_and_the_list_of_evaluations(ml, tmp_path):
    bench = cli("benchmark", "churn/1", "churn/2", "churn/3", "--data", "holdout@1",
                "--label", "churned", "--metric", "roc_auc", "--metric", "accuracy",
                cwd=tmp_path)
    assert bench.returncode == 0, bench.stderr
    lines = bench.stdout.splitlines()
    assert "rank" in lines[1] and "roc_auc" in lines[1] and "accuracy" in lines[1]
    assert lines[0].endswith("95% intervals (roc_auc by DeLong's paired test, accuracy by "
                             "paired bootstrap; 1,000 resamples, seed 0)"), lines[0]
    assert len([line for line in lines if line.strip()[:1].isdigit()]) == 3
    listed = cli("evaluations", "churn", cwd=tmp_path)
    assert listed.returncode == 0 and "benchmark" in listed.stdout
    shown = cli("evaluations", "churn", "--show", "1", "--json", cwd=tmp_path)
    assert json.loads(shown.stdout)["kind"] == "benchmark"
    empty = cli("evaluations", "churn", "--kind", "gate", cwd=tmp_path)
    assert "No gates or benchmarks" in empty.stdout


def test_gate_help_names_the_exit_codes(tmp_path):
    shown = cli("gate", "--help", cwd=tmp_path)
    assert shown.returncode == 0
    assert "0 the challenger passed, 1 it failed, 2 the gate could not run" in shown.stdout
