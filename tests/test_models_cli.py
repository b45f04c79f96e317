"""`mlops-lab models …` run as a real process against a store of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from mlops_lab.models.service import ModelService
from mlops_lab.tracking.capture_models import serialize_estimator

from hostile_skops import HOSTILE_TYPE, hostile  # noqa: F401 - the fixture

CLI = Path(sys.executable).with_name("mlops-lab")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, cwd=cwd,
                          env=os.environ.copy(), timeout=120)


@pytest.fixture
def reg(tracking):
    return ModelService(tracking.store)


@pytest.fixture
def churn(reg):
    X = np.random.default_rng(0).random((30, 2))
    clf = LogisticRegression().fit(X, (X[:, 0] > 0.5).astype(int))
    reg.register(clf, "churn", input_example=X[:2], description="first", alias="champion")
    reg.register(clf, "churn")
    reg.register(clf, "\u202eevil <b>")
    return clf


@pytest.mark.parametrize("command", [
    ["models"], ["models", "show"], ["models", "versions"], ["models", "alias"],
    ["models", "history"], ["models", "verify"], ["models", "register"],
    ["models", "rollback"],
])
def test_every_models_command_has_help_with_examples(tmp_path, command):
    result = cli(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "usage: mlops-lab" in result.stdout and "examples:" in result.stdout
    assert not (tmp_path / ".mlops-lab").exists()


def test_list_show_and_versions(tmp_path, churn):
    listed = cli("models", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "churn" in listed.stdout and "champion→1" in listed.stdout
    assert "\u202e" not in listed.stdout and "\\u202eevil" in listed.stdout
    as_json = json.loads(cli("models", "-q", "CHURN", "--json", cwd=tmp_path).stdout)
    assert [m["name"] for m in as_json["models"]] == ["churn"]
    shown = cli("models", "show", "churn@champion", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "churn/1" in shown.stdout and "# churn — version 1" in shown.stdout
    assert "| f0 | float64 |" in shown.stdout
    assert json.loads(cli("models", "show", "churn", "--json", cwd=tmp_path).stdout)[
        "version"] == 2
    versions = cli("models", "versions", "churn", cwd=tmp_path).stdout.splitlines()
    assert versions[0].split()[:2] == ["version", "aliases"]
    assert versions[2].startswith("2 ") and versions[3].startswith("1 ")


def test_alias_moves_and_history(tmp_path, churn):
    moved = cli("models", "alias", "churn", "champion", "2", "--reason", "better", cwd=tmp_path)
    assert moved.returncode == 0, moved.stderr
    assert "churn@champion → version 2 (was 1)" in moved.stdout
    deleted = cli("models", "alias", "churn", "champion", "--delete", "--reason", "bye",
                  cwd=tmp_path)
    assert deleted.returncode == 0 and "Deleted alias champion" in deleted.stdout
    history = json.loads(cli("models", "history", "churn", "--json", cwd=tmp_path).stdout)
    assert [(h["from_version"], h["to_version"], h["reason"]) for h in history["history"]] == [
        (2, None, "bye"), (1, 2, "better"), (None, 1, None)]
    table = cli("models", "history", "churn", cwd=tmp_path).stdout
    assert "deleted" in table and "better" in table


def test_rollback_prints_the_move_and_keeps_why(tmp_path, churn):
    assert cli("models", "alias", "churn", "champion", "2", cwd=tmp_path).returncode == 0
    back = cli("models", "rollback", "churn", "--reason", "worse live", cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    assert back.stdout == "churn@champion → version 1 (was 2).\n"
    again = json.loads(cli("models", "rollback", "churn", "champion", "--json",
                           cwd=tmp_path).stdout)
    assert (again["from_version"], again["to_version"]) == (1, 2)
    history = json.loads(cli("models", "history", "churn", "--json", cwd=tmp_path).stdout)
    assert [h["reason"] for h in history["history"][:2]] == [
        "Rolled back from version 1 to version 2",
        "Rolled back from version 2 to version 1: worse live"]


@pytest.mark.parametrize("args, code, message", [
    (["models", "rollback", "churn"], 1, "Nothing to roll back to: @champion of 'churn'"),
    (["models", "rollback", "churn", "staging"], 1, "has no alias 'staging' to roll back"),
    (["models", "rollback", "nope"], 1, "No model named 'nope'"),
    (["models", "alias", "churn", "champion"], 2, "VERSION"),
    (["models", "alias", "churn", "champion", "1", "--delete"], 2, "either"),
    (["models", "alias", "churn", "bad alias", "1"], 2, "alias"),
    (["models", "alias", "churn", "champion", "99"], 1, "no version 99"),
    (["models", "alias", "churn", "champion", str(2**63)], 2, "from 1 to 9223372036854775807"),
    (["models", "alias", "churn", "champion", str(2**40)], 1, f"no version {2**40}"),
    (["models", "show", f"churn/{2**63}"], 1, f"no version {2**63}"),
    (["models", "show", "nope"], 1, "No model named 'nope'"),
    (["models", "history", "nope"], 1, "No model"),
])
def test_errors_are_one_line_with_exit_codes(tmp_path, churn, args, code, message):
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_verify_loads_and_refuses_a_hostile_pickle(tmp_path, reg, churn, hostile_model):
    assert cli("models", "verify", "churn@champion", cwd=tmp_path).stdout.startswith(
        "churn/1 loads: sklearn.linear_model")
    target = tmp_path / "pwned-by-cli.txt"
    reg.register(hostile_model(target), "evil", serialization="pickle")
    refused = cli("models", "verify", "evil", cwd=tmp_path)
    assert refused.returncode == 2 and "--allow-pickle" in refused.stderr
    assert not target.exists()
    shown = cli("models", "show", "evil", cwd=tmp_path)  # reading the card never loads it
    assert shown.returncode == 0 and not target.exists()


def test_register_refuses_a_hostile_run_file_and_verify_a_hostile_version(tmp_path, reg,
                                                                          tracking, churn,
                                                                          hostile):
    run = tracking.create_run(tracking.get_or_create_experiment("cli").id, name="fit")
    tracking.log_artifact_bytes(run.id, hostile.file(), "models/clf.skops")
    refused = cli("models", "register", run.id[:8], "models/clf.skops", "evil", cwd=tmp_path)
    assert refused.returncode == 2 and HOSTILE_TYPE in refused.stderr
    assert "--trust" in refused.stderr and "Traceback" not in refused.stderr
    # A version whose file was swapped for the hostile one: verify refuses before loading.
    from sqlalchemy import update

    from mlops_lab.store.tables import models as t

    blob, _ = reg.store.artifacts.put_bytes(hostile.file())
    with reg.db.write() as conn:
        conn.execute(update(t.model_versions).where(t.model_versions.c.version == 2)
                     .values(blob=blob))
    swapped = cli("models", "verify", "churn/2", cwd=tmp_path)
    assert swapped.returncode == 2 and HOSTILE_TYPE in swapped.stderr
    assert not hostile.written()


def test_register_a_run_file_with_trust_for_types_nobody_reviewed(tmp_path, reg, tracking):
    from sklearn.tree import DecisionTreeClassifier

    X = np.random.default_rng(0).random((30, 2))
    tree = DecisionTreeClassifier(max_depth=2).fit(X, X[:, 0] > 0.5)
    run = tracking.create_run(tracking.get_or_create_experiment("cli").id, name="fit")
    tracking.log_artifact_bytes(run.id, serialize_estimator(tree)[0], "models/tree.skops")
    args = ("models", "register", run.id, "models/tree.skops", "tree")
    refused = cli(*args, cwd=tmp_path)
    assert refused.returncode == 2 and "sklearn.tree._tree.Tree" in refused.stderr
    done = cli(*args, "--trust", "sklearn.tree._tree.Tree", "--alias", "champion", "--json",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    version = json.loads(done.stdout)
    assert version["ref"] == "tree/1" and version["run_id"] == run.id
    assert version["trusted_types"] == ["sklearn.tree._tree.Tree"]
    assert cli("models", "verify", "tree@champion", cwd=tmp_path).returncode == 0
