"""The `mlops-lab` command, run as a real process against a store of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

CLI = Path(sys.executable).with_name("mlops-lab")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, cwd=cwd,
                          env=os.environ.copy(), timeout=120)


@pytest.fixture
def runs(tracking):
    exp = tracking.get_or_create_experiment("churn model")
    ids = []
    for name, model, auc in [("alpha", "rf", 0.91), ("beta", "lr", 0.85)]:
        run = tracking.create_run(exp.id, name=name)
        tracking.log_params(run.id, {"model": model})
        tracking.log_metrics(run.id, {"auc": auc})
        tracking.end_run(run.id)
        ids.append(run.id)
    # Both may start within one millisecond: make "beta" the newer one, as the tests expect.
    from sqlalchemy import update

    from mlops_lab.store.tables import tracking as schema

    with tracking.db.write() as conn:
        conn.execute(update(schema.runs).where(schema.runs.c.id == ids[0])
                     .values(start_time=schema.runs.c.start_time - 1000))
    return ids


@pytest.mark.parametrize("command", [
    [], ["runs"], ["runs", "show"], ["runs", "artifacts"], ["runs", "get"], ["experiments"], ["db"], ["db", "current"],
    ["db", "upgrade"], ["gc"],
])
def test_every_command_has_help_with_examples(tmp_path, command):
    result = cli(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "usage: mlops-lab" in result.stdout and "examples:" in result.stdout
    assert not (tmp_path / ".mlops-lab").exists()  # help touches no store


def test_runs_table(tmp_path, runs, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # wide enough for every column, whatever runs the test
    result = cli("runs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header, rule, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "name", "status", "start", "duration", "metrics.auc",
                              "params.model"]
    assert set(rule) <= {"-", " "}
    assert rows[0].startswith(runs[1][:8] + "  ") and "beta" in rows[0] and "0.85" in rows[0]
    assert rows[1].startswith(runs[0][:8] + "  ") and "rf" in rows[1]
    # Columns line up: every value starts where its header does.
    column = header.index("metrics.auc")
    assert all(row[column:].startswith(("0.85", "0.91")) for row in rows)


@pytest.fixture
def many_params(tracking):
    """Runs as %%track records them: a few named by the user, dozens of estimator params."""
    exp = tracking.get_or_create_experiment("gallery")
    ids = []
    for n in (100, 200):
        run = tracking.create_run(exp.id, name=f"forest-{n}")
        tracking.log_params(run.id, {"n_trees": n, **{f"clf.param_{i:02d}": "x" * 40
                                                      for i in range(60)}})
        tracking.log_metrics(run.id, {"rmse": 1 / n, "clf.train_score": 0.9})
        ids.append(run.id)
    return ids


def test_runs_table_fits_the_terminal_with_the_users_columns_first(tmp_path, many_params,
                                                                   monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    result = cli("runs", "-n", "5", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0].split()[:7] == ["id", "name", "status", "start", "duration", "metrics.rmse",
                                    "params.n_trees"]
    assert "--wide shows all" in result.stderr and "--columns" in result.stderr

    wide = cli("runs", "--wide", cwd=tmp_path)
    header = wide.stdout.splitlines()[0].split()
    assert "params.clf.param_59" in header and "metrics.clf.train_score" in header
    assert "x" * 40 in wide.stdout

    picked = cli("runs", "--columns", "name,metrics.rmse", "--columns", "params.clf.param_0*",
                 cwd=tmp_path)
    assert picked.stdout.splitlines()[0].split() == [
        "id", "name", "metrics.rmse", *[f"params.clf.param_0{i}" for i in range(10)]]
    bad = cli("runs", "--columns", "colour", cwd=tmp_path)
    assert bad.returncode == 2 and "Unknown column 'colour'" in bad.stderr


def test_runs_filter_on_dotted_keys_and_children(tmp_path, tracking, many_params):
    child = tracking.create_run(tracking.get_run(many_params[0]).experiment_id, name="cv-fold",
                                parent_run_id=many_params[0])
    dotted = cli("runs", "-f", "params.n_trees = 100 and params.clf.param_00 like 'x%'",
                 "--json", cwd=tmp_path)
    assert [r["id"] for r in json.loads(dotted.stdout)["runs"]] == [many_params[0]]
    children = cli("runs", "-f", f"attributes.parent_run_id = '{many_params[0]}'", "--json",
                   cwd=tmp_path)
    assert [r["id"] for r in json.loads(children.stdout)["runs"]] == [child.id]


def test_runs_artifacts_lists_and_get_downloads(tmp_path, tracking, runs):
    run_id = runs[0]
    tracking.log_artifact_bytes(run_id, b"model bytes", "models/clf.skops")
    tracking.log_artifact_bytes(run_id, b"a,b\n1,2\n", "models/meta/schema.csv")
    tracking.log_artifact_bytes(run_id, b"<svg/>", "plots/roc.svg")
    listed = cli("runs", "artifacts", run_id[:8], cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    paths = [line.split()[0] for line in listed.stdout.splitlines()[2:]]
    assert paths == ["models/clf.skops", "models/meta/schema.csv", "plots/roc.svg"]
    only = json.loads(cli("runs", "artifacts", run_id, "models", "--json", cwd=tmp_path).stdout)
    assert [a["path"] for a in only["artifacts"]] == ["models/clf.skops", "models/meta/schema.csv"]

    got = cli("runs", "get", run_id[:8], "models/clf.skops", "-o", "clf.bin", cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "clf.bin").read_bytes() == b"model bytes" and "1 file" in got.stdout
    (tmp_path / "clf.bin").write_bytes(b"mine")
    again = cli("runs", "get", run_id, "models/clf.skops", "-o", "clf.bin", cwd=tmp_path)
    assert again.returncode == 2 and "Not overwriting" in again.stderr and "--force" in again.stderr
    assert (tmp_path / "clf.bin").read_bytes() == b"mine"
    forced = cli("runs", "get", run_id, "models/clf.skops", "-o", "clf.bin", "--force",
                 cwd=tmp_path)
    assert forced.returncode == 0 and (tmp_path / "clf.bin").read_bytes() == b"model bytes"

    folder = cli("runs", "get", run_id, "models", cwd=tmp_path)
    assert folder.returncode == 0 and "2 files" in folder.stdout
    assert (tmp_path / "models" / "meta" / "schema.csv").read_bytes() == b"a,b\n1,2\n"
    missing = cli("runs", "get", run_id, "nope", cwd=tmp_path)
    assert missing.returncode == 1 and "no artifact or folder 'nope'" in missing.stderr
    escape = cli("runs", "get", run_id, "../etc", cwd=tmp_path)
    assert escape.returncode == 2 and "Traceback" not in escape.stderr


def test_runs_filter_order_and_json(tmp_path, runs):
    result = cli("runs", "-e", "churn model", "-f", "metrics.auc > 0.8", "-o", "metrics.auc desc",
                 "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert [r["id"] for r in page["runs"]] == runs and page["next_page_token"] is None
    only = json.loads(cli("runs", "-f", "params.model = 'lr'", "--json", cwd=tmp_path).stdout)
    assert [r["name"] for r in only["runs"]] == ["beta"]


def test_runs_pages(tmp_path, runs):
    first = cli("runs", "-n", "1", "-o", "metrics.auc", cwd=tmp_path)
    assert first.returncode == 0 and "beta" in first.stdout and "alpha" not in first.stdout
    token = first.stderr.split("--page-token", 1)[1].split()[0]
    second = cli("runs", "-n", "1", "-o", "metrics.auc", "--page-token", token, cwd=tmp_path)
    assert "alpha" in second.stdout


def test_runs_show(tmp_path, runs, tracking):
    tracking.update_run_info(runs[0], source={"cell": "model.fit(X, y)", "kind": "cell"},
                             environment={"python": "3.11.7"})
    shown = cli("runs", "show", runs[0][:8], cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert runs[0] in shown.stdout and "model.fit(X, y)" in shown.stdout
    assert "3.11.7" in shown.stdout and "auc" in shown.stdout
    lines = {line.split(None, 1)[0]: line.split(None, 1)[1] for line in shown.stdout.splitlines()
             if line.startswith(("children", "artifacts"))}
    assert lines == {"children": "none", "artifacts": "none"}
    child = tracking.create_run(tracking.get_run(runs[0]).experiment_id, parent_run_id=runs[0])
    tracking.log_artifact_bytes(runs[0], b"x", "notes.txt")
    shown = cli("runs", "show", runs[0][:8], cwd=tmp_path).stdout
    assert f"""1  (mlops-lab runs -f "parent_run_id = '{runs[0]}'")""" in shown
    assert f"1  (mlops-lab runs artifacts {runs[0][:8]})" in shown
    listed = cli("runs", "-f", f"parent_run_id = '{runs[0]}'", "--json", cwd=tmp_path).stdout
    assert [r["id"] for r in json.loads(listed)["runs"]] == [child.id]
    doc = json.loads(cli("runs", "show", runs[0], "--json", cwd=tmp_path).stdout)
    assert doc["id"] == runs[0] and doc["source"]["kind"] == "cell"


def test_hostile_names_do_not_reach_the_terminal_raw(tmp_path, tracking):
    exp = tracking.get_or_create_experiment("x")
    tracking.create_run(exp.id, name="evil\x1b[31mred\u202eflipped")
    result = cli("runs", cwd=tmp_path)
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "evil\\x1b[31mred\\u202eflipped" in result.stdout


def test_experiments(tmp_path, runs):
    result = cli("experiments", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (line,) = [l for l in result.stdout.splitlines() if "churn model" in l]
    assert line.split()[3] == "2"  # id, "churn", "model", runs
    doc = json.loads(cli("experiments", "--json", cwd=tmp_path).stdout)
    assert {e["name"]: e["run_count"] for e in doc["experiments"]}["churn model"] == 2


@pytest.mark.parametrize("args, code", [
    (["runs", "-f", "metrics.auc >"], 2),
    (["runs", "-f", "bogus.auc > 1"], 2),
    (["runs", "-o", "metrics.auc sideways"], 2),
    (["runs", "--page-token", "garbage"], 2),
    (["runs", "show", "xyz"], 2),
    (["runs", "-e", "no such experiment"], 1),
    (["runs", "show", "0" * 32], 1),
])
def test_errors_are_one_line(tmp_path, runs, args, code):
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlops-lab: error: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_bad_filter_says_where(tmp_path, runs):
    result = cli("runs", "-f", "metrics.auc >", cwd=tmp_path)
    assert "column 14: expected a value" in result.stderr


def test_argument_errors_exit_2(tmp_path):
    for args in (["runs", "-n", "0"], ["gc", "--grace-minutes", "-5"], ["nope"]):
        result = cli(*args, cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr


def test_db_current_and_upgrade(tmp_path, store_home):
    from mlops_lab.store.migrate import HEAD

    assert cli("db", "current", cwd=tmp_path).stdout.startswith("none (empty database")
    result = cli("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0 and f"from schema none to {HEAD}" in result.stdout
    assert cli("db", "current", cwd=tmp_path).stdout.split()[0] == HEAD
    again = cli("db", "upgrade", cwd=tmp_path)
    assert again.returncode == 0 and "already at the newest schema" in again.stdout


def test_db_upgrade_from_an_older_schema_makes_a_backup(tmp_path, monkeypatch):
    from alembic.script import ScriptDirectory

    from mlops_lab.store import migrate
    from mlops_lab.store.db import Database

    home = tmp_path / "old-store"
    monkeypatch.setenv("MLOPS_LAB_HOME", str(home))
    monkeypatch.delenv("MLOPS_LAB_URI", raising=False)
    script = ScriptDirectory(str(migrate._MIGRATIONS))
    oldest = script.get_base()
    assert oldest != migrate.HEAD
    db = Database(f"sqlite:///{home / 'mlops.db'}")
    migrate.migrate_to(db, oldest)
    db.dispose()

    assert cli("db", "current", cwd=tmp_path).stdout.split()[0] == oldest
    result = cli("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"from schema {oldest} to {migrate.HEAD}" in result.stdout
    backup = result.stdout.split("saved at ", 1)[1].strip().rstrip(".")
    assert Path(backup).is_file()
    assert cli("db", "current", cwd=tmp_path).stdout.split()[0] == migrate.HEAD


def _age(store, blob: str, seconds: float) -> None:
    path = Path(store.artifacts._path(blob))
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_gc_removes_orphans_and_keeps_referenced_and_recent_blobs(tmp_path, tracking, runs):
    store = tracking.store
    kept = tracking.log_artifact_bytes(runs[0], b"a model", "model.bin").blob
    orphan, _ = store.artifacts.put_bytes(b"written, then the process died before its row")
    recent, _ = store.artifacts.put_bytes(b"written a moment ago by a running process")
    for blob in (kept, orphan):
        _age(store, blob, 3 * 3600)

    dry = cli("gc", "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert orphan in dry.stdout and kept not in dry.stdout and recent not in dry.stdout
    assert store.artifacts.exists(orphan)

    result = cli("gc", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["blobs"] == [orphan]
    assert not store.artifacts.exists(orphan)
    assert store.artifacts.exists(kept) and store.artifacts.exists(recent)

    now = cli("gc", "--grace-minutes", "0", cwd=tmp_path)
    assert now.returncode == 0 and "Deleted 1 " in now.stdout
    assert not store.artifacts.exists(recent) and store.artifacts.exists(kept)
