"""`mlops-lab demo` as a real process: the whole loop in a fresh folder, each step's figures,
and every id of the printed lineage found in the folder's store."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def demo(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlops_lab.cli", "demo", *args],
                          capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture
def elsewhere(tmp_path):
    """The environment of a user whose own store is somewhere else: the demo leaves it be."""
    env = {**os.environ, "MLOPS_LAB_HOME": str(tmp_path / "mine" / ".mlops-lab")}
    env.pop("MLOPS_LAB_URI", None)
    env.pop("MLOPS_LAB_ARTIFACTS", None)
    return env


def test_the_demo_runs_the_loop_and_its_lineage_is_in_the_store(tmp_path, elsewhere):
    folder = tmp_path / "ct"
    proc = demo("--folder", str(folder), "--json", env=elsewhere)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    steps = doc["steps"]
    assert doc["folder"] == str(folder) and doc["kept"] is True
    assert list(steps) == ["snapshot", "train", "register", "champion", "watch", "serve",
                           "traffic", "shifted_traffic", "labels", "monitor", "alert", "fired",
                           "pipeline", "registered", "gate", "promoted", "swapped", "lineage"]
    assert steps["train"]["roc_auc"] > 0.9 and steps["serve"]["version"] == 1
    assert steps["traffic"]["versions"] == "1" and steps["shifted_traffic"]["logged"] == 1500
    assert steps["monitor"]["status"] == "drift"
    assert list(steps["monitor"]["drifted"]) == ["support_calls"]  # the shifted feature only
    assert steps["monitor"]["drifted"]["support_calls"]["effect_size"] > 1
    assert steps["monitor"]["performance"]["value"] < steps["monitor"]["performance"]["training"]
    assert steps["alert"]["features"] == ["support_calls"]
    assert steps["pipeline"]["status"] == "SUCCEEDED"
    assert steps["registered"] == {**steps["registered"], "version": 2, "inputs": "train@2"}
    gate = steps["gate"]
    assert gate["passed"] and gate["metric"] == "roc_auc"
    assert gate["data"]["snapshot"] == "holdout@2"
    assert gate["challenger"]["version"] == 2 and gate["champion"]["version"] == 1
    assert gate["improvement"]["low"] > 0.01  # better by more than the margin, all the interval
    assert steps["promoted"]["to_version"] == 2
    assert steps["promoted"]["evaluation_id"] == gate["gate"]
    swapped = steps["swapped"]
    assert swapped["version"] == 2
    timing = swapped["timing"]
    assert 0 < timing["swap_s"] <= timing["total_s"]
    assert timing["pipeline_s"] + timing["judge_s"] <= timing["total_s"]

    lineage = doc["lineage"]
    from mlops_lab.services import services_for
    from mlops_lab.store import open_store

    home = folder / ".mlops-lab"
    s = services_for(open_store(f"sqlite:///{home / 'mlops.db'}", str(home / "artifacts")))
    alert = s.alerts.get_alert(lineage["alert"])
    assert alert.feature == "support_calls" and alert.model == "churn"
    firing = s.retraining.get_firing(lineage["firing"])
    assert firing.trigger["alert"] == alert.id and firing.status == "promoted"
    assert firing.pipeline_run_id == lineage["pipeline_run"]
    run = s.pipelines.get(lineage["pipeline_run"])
    assert run.status == "SUCCEEDED" and run.tags["mlops_lab.retraining_rule"] == "churn-on-drift"
    under = [run.run_id, *s.tracking.descendant_ids(run.run_id)]  # the runs it made
    assert s.models.versions_from_runs("churn", under) == [lineage["version"]] == [2]
    evaluation = s.evaluation.get_evaluation(lineage["gate"])
    assert evaluation.passed and evaluation.version == 2 and firing.evaluation_id == evaluation.id
    move = s.models.alias_history("churn", "champion")[0]
    assert (move.from_version, move.to_version, move.evaluation_id) == (1, 2, evaluation.id)
    assert s.models.alias_target("churn", "champion") == 2
    assert (folder / "retrain.ipynb").is_file()
    assert not (tmp_path / "mine").exists(), "the demo wrote to the user's own store"


def test_a_folder_that_is_not_empty_is_refused(tmp_path, elsewhere):
    (tmp_path / "notes.txt").write_text("mine")
    proc = demo("--folder", str(tmp_path), env=elsewhere, timeout=60)
    assert proc.returncode == 2
    assert "is not an empty folder" in proc.stderr and "--folder" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_temporary_folder_is_removed_and_the_environment_restored(monkeypatch):
    from mlops_lab.demo.folder import demo_folder

    monkeypatch.setenv("MLOPS_LAB_URI", "sqlite:///somewhere-else.db")
    here = os.getcwd()
    with demo_folder() as folder:
        assert os.getcwd() == str(folder)
        assert os.environ["MLOPS_LAB_HOME"] == str(folder / ".mlops-lab")
        assert "MLOPS_LAB_URI" not in os.environ
    assert not folder.exists() and os.getcwd() == here
    assert os.environ["MLOPS_LAB_URI"] == "sqlite:///somewhere-else.db"


def test_ctrl_c_stops_the_model_server_and_removes_the_temporary_folder(elsewhere):
    import re
    import signal

    proc = subprocess.Popen([sys.executable, "-m", "mlops_lab.cli", "demo"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=elsewhere,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = []
    try:
        for line in proc.stdout:  # the demo's own report, line by line, as it happens
            seen.append(line)
            if "answers on" in line:
                proc.send_signal(signal.SIGINT)
                break
        seen.append(proc.stdout.read())
        assert proc.wait(60) == 130, "".join(seen)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = "".join(seen)
    assert "interrupted: the model server is stopped" in text
    server = int(re.search(r"\(pid (\d+);", text).group(1))
    with pytest.raises(ProcessLookupError):
        os.kill(server, 0)
    folder = re.search(r"demo in (\S+)", text).group(1)
    assert not os.path.exists(folder)
