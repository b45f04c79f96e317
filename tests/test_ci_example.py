"""The CI example (example_notebooks/ci/) does what its workflow promises, run as CI runs it.

The workflow file is the script: its `run:` steps are taken in order and run with bash as
GitHub Actions runs them (`bash --noprofile --norc -eo pipefail`, a fresh checkout per run,
the job stops at the first failing step, `$GITHUB_ENV` carries values to later steps). Only
the steps named in SKIPPED are left out: the checkout (a temporary copy of the folder stands
in), the Python set-up and install (the project's venv on PATH stands in) and the upload.
Nothing is substituted but the environment: no secrets, so the store is a temporary
MLOPS_LAB_HOME, and the workflow's inputs (or, when a run gives none, their defaults).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = Path("example_notebooks") / "ci"
WORKFLOW = ROOT / EXAMPLE / "github-actions.yml"
SKIPPED = {"Check out", "Set up Python", "Install mlops-lab", "Upload the serving context"}
GATE_STEP = "Gate the new version against the champion"
PACKAGE_STEP = "Package the champion"
STEP_TIMEOUT = 300  # seconds: a guard against a hung step, not a speed requirement

# The two shapes the workflow's env values take: `${{ secrets.NAME }}` and
# `${{ inputs.name || 'default' }}`. Anything else is refused below, not guessed at.
SECRET = re.compile(r"^\$\{\{\s*secrets\.(\w+)\s*\}\}$")
INPUT = re.compile(r"^\$\{\{\s*inputs\.(\w+)\s*\|\|\s*'([^']*)'\s*\}\}$")


@dataclass
class Step:
    name: str
    exit_code: int
    output: str


def load_workflow() -> tuple[dict, list[dict]]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    (job,) = doc["jobs"].values()
    return doc, job["steps"]


def job_environment(doc: dict, inputs: dict) -> dict:
    """The workflow-level env as GitHub fills it for a manual run with `inputs` and no
    secrets configured (a missing secret is an empty string)."""
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as True
    declared = triggers["workflow_dispatch"]["inputs"]
    assert set(inputs) <= set(declared), f"the workflow has no input {set(inputs) - set(declared)}"
    env = {}
    for name, expression in doc["env"].items():
        if SECRET.match(expression):
            env[name] = ""
        elif match := INPUT.match(expression):
            key, default = match.groups()
            assert declared[key]["default"] == default, f"{name}: two defaults for {key}"
            env[name] = str(inputs.get(key, default))
        else:
            raise AssertionError(f"env {name}: {expression!r} is neither a secret nor an input")
    return env


def run_job(work: Path, home: Path, inputs: dict) -> list[Step]:
    """Runs the workflow's job once in a fresh copy of the example (a checkout), returning the
    steps that ran; the first failing one is the last."""
    doc, steps = load_workflow()
    assert doc["defaults"]["run"]["shell"] == "bash"
    checkout = work / "checkout"
    shutil.copytree(ROOT / EXAMPLE, checkout / EXAMPLE, ignore=shutil.ignore_patterns(
        "*.runs", ".ipynb_checkpoints", ".mlops-lab"))
    env = {**os.environ, **job_environment(doc, inputs), "MLOPS_LAB_HOME": str(home),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    ran = []
    for number, step in enumerate(steps):
        if step["name"] in SKIPPED:
            continue
        # Keys that would change how a step runs are not emulated here: refuse them.
        assert set(step) == {"name", "run"}, f"{step['name']}: {sorted(step)}"
        script = work / f"step-{number}.sh"
        script.write_text(step["run"], encoding="utf-8")
        github_env = work / f"step-{number}.env"
        github_env.touch()
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=checkout, env={**env, "GITHUB_ENV": str(github_env)},
                              capture_output=True, text=True, timeout=STEP_TIMEOUT)
        ran.append(Step(step["name"], done.returncode, done.stdout + done.stderr))
        if done.returncode:
            break  # GitHub skips the steps after a failure (no step says `if: failure()`)
        for line in github_env.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            env[name] = value
    return ran


def ran_ok(steps: list[Step]) -> bool:
    return all(s.exit_code == 0 for s in steps)


def transcript(steps: list[Step]) -> str:
    return "\n".join(f"--- {s.name}: exit {s.exit_code}\n{s.output}" for s in steps)


def packaged_version(work: Path) -> int:
    return json.loads((work / "checkout" / "build" / "churn" / "model.json")
                      .read_text(encoding="utf-8"))["version"]


def test_the_workflow_skips_only_checkout_setup_install_and_upload():
    _, steps = load_workflow()
    names = [s["name"] for s in steps]
    assert SKIPPED <= set(names)
    assert {s["name"] for s in steps if "run" not in s} == SKIPPED - {"Install mlops-lab"}
    (install,) = [s for s in steps if s["name"] == "Install mlops-lab"]
    assert install["run"].startswith("pip install ")
    run = [n for n in names if n not in SKIPPED]
    assert run == ["Train", "Make the first version champion (first run only)", GATE_STEP,
                   PACKAGE_STEP]


@pytest.mark.timeout(600)  # a guard against a hang on a loaded machine
def test_the_workflow_bootstraps_then_promotes_a_better_model_and_stops_a_worse_one(
        store_home, tmp_path):
    from mlops_lab.services import services

    # First run ever, with a small forest: no champion yet, so the new version becomes it.
    first = run_job(tmp_path / "first", store_home, {"n_estimators": 5, "max_depth": 2})
    assert ran_ok(first) and len(first) == 4, transcript(first)
    models = services().models
    assert models.alias_target("churn", "champion") == 1
    (move,) = models.alias_history("churn")
    assert (move.alias, move.from_version, move.to_version) == ("champion", None, 1)
    assert move.evaluation_id is None
    assert services().evaluation.list_evaluations("churn", None, None, 10) == []  # no gate ran
    assert packaged_version(tmp_path / "first") == 1

    # A run with the workflow's defaults (a larger forest): it passes the gate and is promoted.
    second = run_job(tmp_path / "second", store_home, {})
    assert ran_ok(second) and len(second) == 4, transcript(second)
    assert models.alias_target("churn", "champion") == 2
    assert models.alias_target("churn", "previous") == 1
    (gate,) = services().evaluation.list_evaluations("churn", "gate", 2, 10)
    assert gate.passed and gate.doc["champion"]["version"] == 1
    promoted = [h for h in models.alias_history("churn", "champion") if h.to_version == 2]
    assert [h.evaluation_id for h in promoted] == [gate.id]
    assert packaged_version(tmp_path / "second") == 2

    # A clearly worse forest: `mlops-lab gate` exits 1, the job stops there, nothing moves.
    history = models.alias_history("churn")
    third = run_job(tmp_path / "third", store_home, {"n_estimators": 1, "max_depth": 1})
    assert [s.name for s in third][-1] == GATE_STEP, transcript(third)
    assert third[-1].exit_code == 1 and ran_ok(third[:-1]), transcript(third)
    (failed,) = services().evaluation.list_evaluations("churn", "gate", 3, 10)
    assert not failed.passed and failed.doc["champion"]["version"] == 2
    assert models.alias_target("churn", "champion") == 2
    assert [h.to_json() for h in models.alias_history("churn")] == \
        [h.to_json() for h in history]
    assert not (tmp_path / "third" / "checkout" / "build").exists()
