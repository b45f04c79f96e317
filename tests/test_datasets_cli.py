"""`mlops-lab datasets` and `mlops-lab snapshots …`, run as real processes on a store of their
own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

CLI = Path(sys.executable).with_name("mlops-lab")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, cwd=cwd,
                          env=os.environ.copy(), timeout=120)


@pytest.mark.parametrize("command", [["datasets"], ["snapshots"], ["snapshots", "create"],
                                     ["snapshots", "show"], ["snapshots", "diff"]])
def test_every_command_has_help_with_examples(tmp_path, command):
    result = cli(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0 and "examples:" in result.stdout and "mlops-lab" in result.stdout


def test_snapshot_list_show_and_diff(store_home, tmp_path):
    a = pd.DataFrame({"id": [1, 2, 3], "x": [1.0, 2.0, 3.0], "city": ["\u202eevil", "b", "c"]})
    b = pd.DataFrame({"id": [1, 2, 4], "x": [1.0, 5.0, 3.0], "city": ["\u202eevil", "b", "d"]})
    a.to_csv(tmp_path / "a.csv", index=False)
    folder = tmp_path / "b"
    folder.mkdir()
    b.to_parquet(folder / "part-0.parquet")

    first = cli("snapshots", "create", str(tmp_path / "a.csv"), "customers", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "stored customers@1" in first.stdout and "3 rows x 3 columns" in first.stdout
    again = cli("snapshots", "create", str(tmp_path / "a.csv"), "customers", cwd=tmp_path)
    assert "unchanged: already stored as customers@1" in again.stdout
    second = json.loads(cli("snapshots", "create", str(folder), "customers", "--json", cwd=tmp_path).stdout)
    assert second["version"] == 2 and second["existed"] is False

    listed = cli("datasets", cwd=tmp_path)
    assert listed.returncode == 0 and "customers" in listed.stdout and "@2" in listed.stdout
    assert json.loads(cli("datasets", "-q", "CUST", "--json", cwd=tmp_path).stdout)[
        "datasets"][0]["version_count"] == 2

    shown = cli("snapshots", "show", "customers@1", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "customers@1" in shown.stdout and "profile:" in shown.stdout
    assert "\u202e" not in shown.stdout and "\\u202e" in shown.stdout  # shown, not obeyed
    assert "validation: no validation rules" in shown.stdout

    diff = cli("snapshots", "diff", "customers@1", "customers@2", "--key", "id", cwd=tmp_path)
    assert diff.returncode == 0, diff.stderr
    assert "+1 added, -1 removed, 1 changed (key id)" in diff.stdout
    data = json.loads(cli("snapshots", "diff", "customers@1", "customers@2", "-k", "id",
                          "--json", cwd=tmp_path).stdout)
    assert data["rows"]["changed"] == 1


def test_errors_are_one_line_with_exit_codes(store_home, tmp_path):
    missing = cli("snapshots", "show", "nothing", cwd=tmp_path)
    assert missing.returncode == 1 and "No snapshot of a dataset named 'nothing'" in missing.stderr
    bad = cli("snapshots", "create", str(tmp_path / "none.csv"), "x", cwd=tmp_path)
    assert bad.returncode == 1 and "No file or folder" in bad.stderr
    (tmp_path / "a.csv").write_text("x\n5\n")
    import mlops_lab as ml

    ml.expect("limited", column="x", max=1, on_fail="refuse")
    refused = cli("snapshots", "create", str(tmp_path / "a.csv"), "limited", cwd=tmp_path)
    assert refused.returncode == 2 and "refused" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_old_spellings_still_work_and_say_the_new_ones(store_home, tmp_path):
    pd.DataFrame({"id": [1, 2]}).to_csv(tmp_path / "a.csv", index=False)
    taken = cli("snapshot", str(tmp_path / "a.csv"), "old", "--json", cwd=tmp_path)
    assert taken.returncode == 0, taken.stderr
    assert json.loads(taken.stdout)["version"] == 1  # stdout stays what scripts parse
    assert "`mlops-lab snapshot` is deprecated" in taken.stderr
    assert "`mlops-lab snapshots create`" in taken.stderr
    shown = cli("datasets", "show", "old", cwd=tmp_path)
    assert shown.returncode == 0 and "old@1" in shown.stdout
    assert "use `mlops-lab snapshots show`" in shown.stderr
    diff = cli("datasets", "diff", "old@1", "old@1", cwd=tmp_path)
    assert diff.returncode == 0 and "use `mlops-lab snapshots diff`" in diff.stderr
    assert "snapshot " not in cli("--help", cwd=tmp_path).stdout  # not offered any more
