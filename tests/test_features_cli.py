"""`mlops-lab features` and `mlops-lab features show`, run as real processes on a store of their own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from feature_rollback import roll_back_to_v1
from mlops_lab.features.service import FeatureService

CLI = Path(sys.executable).with_name("mlops-lab")
T0 = pd.Timestamp("2024-03-01")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, cwd=cwd,
                          env=os.environ.copy(), timeout=120)


def stats(orders):
    return orders


def clicks(events):
    out = events.copy()
    out["clicks"] = 1
    return out


@pytest.fixture
def fsvc(store_home):
    from mlops_lab.store import open_store

    svc = FeatureService(open_store())
    frame = pd.DataFrame({"customer_id": [1, 2], "event_time": [T0, T0], "spend": [1.0, 2.0]})
    svc.register("customer_stats", stats, entity="customer_id", timestamp="event_time",
                 description="Spend per customer", tags={"team": "growth"})
    svc.materialize("customer_stats", frame)
    svc.register("customer_stats", clicks, entity="customer_id", timestamp="event_time",
                 description="Spend per customer", tags={"team": "growth"})
    svc.register("web\u202e\x1b[31m", stats, entity="session", timestamp="t",
                 tags={"team": "web"})
    return svc


@pytest.mark.parametrize("command", [["features"], ["features", "show"]])
def test_help_has_examples(tmp_path, command):
    result = cli(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "usage: mlops-lab features" in result.stdout and "examples:" in result.stdout
    assert not (tmp_path / ".mlops-lab").exists()


def test_search_table_words_tags_and_json(tmp_path, fsvc):
    result = cli("features", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header, rule, *rows = result.stdout.splitlines()
    assert header.split()[:4] == ["name", "versions", "live", "features"]
    assert len(rows) == 2 and rows[1].startswith("customer_stats") and " v1 " in rows[1]
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout  # shown escaped
    one = cli("features", "SPEND", "growth", cwd=tmp_path)
    assert one.returncode == 0 and len(one.stdout.splitlines()) == 3
    tagged = json.loads(cli("features", "--tag", "team=web", "--json", cwd=tmp_path).stdout)
    assert [f["tags"] for f in tagged["feature_sets"]] == [{"team": "web"}]
    words = json.loads(cli("features", "spend", "--json", cwd=tmp_path).stdout)
    assert [f["name"] for f in words["feature_sets"]] == ["customer_stats"]
    assert cli("features", "nothing here", cwd=tmp_path).stdout.strip() == "No feature sets match."


def test_show_definition_versions_freshness_and_source(tmp_path, fsvc):
    result = cli("features", "show", "customer_stats", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Spend per customer" in out and "live version       v1" in out
    assert "latest version     v2" in out and "rows               2" in out
    assert "v1 (live)" in out and "v2 " in out
    assert "source of v1:\n  def stats(orders):" in out
    v2 = cli("features", "show", "customer_stats", "--version", "2", cwd=tmp_path)
    assert v2.returncode == 0 and "def clicks(events):" in v2.stdout
    doc = json.loads(cli("features", "show", "customer_stats", "--json", cwd=tmp_path).stdout)
    assert [v["version"] for v in doc["versions"]] == [2, 1]
    assert doc["freshness"]["row_count"] == 2


def test_show_and_search_describe_the_live_version_after_a_rollback(tmp_path, fsvc):
    roll_back_to_v1(fsvc, "customer_stats", T0)
    out = cli("features", "show", "customer_stats", cwd=tmp_path).stdout
    assert "live version       v1" in out and "latest version     v3" in out
    assert "Spend per customer" in out and "Visits per customer" not in out
    assert "features           spend\n" in out and "team=growth" in out
    found = json.loads(cli("features", "spend", "--json", cwd=tmp_path).stdout)["feature_sets"]
    assert [(f["name"], f["features"], f["live_version"], f["latest_version"])
            for f in found] == [("customer_stats", ["spend"], 1, 3)]
    assert cli("features", "visits", cwd=tmp_path).stdout.strip() == "No feature sets match."


def test_unknown_names_and_bad_versions_are_clear_errors(tmp_path, fsvc):
    missing = cli("features", "show", "nope", cwd=tmp_path)
    assert missing.returncode == 1 and "No feature set named 'nope'" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad = cli("features", "show", "customer_stats", "--version", "0", cwd=tmp_path)
    assert bad.returncode == 2 and "at least 1" in bad.stderr
    colon = cli("features", "show", "a:b", cwd=tmp_path)
    assert colon.returncode == 2 and "cannot contain" in colon.stderr
