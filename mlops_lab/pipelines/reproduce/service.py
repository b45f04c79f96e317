"""Reproduce a pipeline run: the same notebook snapshot with the same parameters, after checking
that the dataset snapshots it read still exist and noting what changed in the environment;
then a report comparing what both runs recorded (comparison.py): outputs, params and metrics of
the tracked runs, and the executed notebooks' cell outputs.

A tracked run made inside a pipeline run (a `%%track` cell of it) reproduces that pipeline run.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ...errors import Conflict, InvalidInput, NotFound
from ...services import services_for
from ...store import Store
from ..runs.entities import PipelineRun
from ..runs.environment import current_environment, environment_diff
from . import comparison
from .comparison import Tolerance, cell_outputs

MAX_TREE = 10_000


class ReproduceService:
    def __init__(self, store: Store, pipelines=None, tracking=None, datasets=None):
        """`pipelines`, `tracking`, `datasets`: the services it asks (by default the store's
        own, from the composition root; datasets only when a snapshot input is checked)."""
        self.store = store
        self.pipelines = pipelines or services_for(store).pipelines
        self.tracking = tracking or services_for(store).tracking
        self._datasets = datasets

    def original(self, run_id: str) -> PipelineRun:
        """The pipeline run behind `run_id`: a pipeline run id (or prefix), or a tracked run
        made by a pipeline run or inside one."""
        try:
            return self.pipelines.find(run_id)
        except (NotFound, InvalidInput):
            pass
        tracked = self.tracking.find_run_id(run_id)
        seen = 0
        while tracked and seen < 100:
            found = self.pipelines.by_tracking_run(tracked)
            if found is not None:
                return found
            tracked = self.tracking.get_run(tracked).parent_run_id
            seen += 1
        raise InvalidInput(f"Run {run_id} was not made by a pipeline run, so there is no "
                           "notebook snapshot to re-execute; run its notebook with "
                           "`mlops-lab run` to make it reproducible.")

    def check(self, run_id: str) -> dict:
        """What re-executing would start from: inputs still there, environment changes."""
        original = self.original(run_id)
        inputs = self._inputs(original)
        before = {}
        if original.run_id:
            before = self.tracking.get_run(original.run_id).environment or {}
        diff = environment_diff(before, current_environment(original.cwd)) if before else None
        problems = [f"Input {i['label']} ({i['kind']} {i['ref']}) no longer exists."
                    for i in inputs if i["exists"] is False]
        if not original.notebook_hash or not self.store.artifacts.exists(original.notebook_hash):
            problems.append("The snapshot of the notebook is gone from the artifact store.")
        return {"original": original.to_json(), "inputs": inputs, "environment_changes": diff,
                "environment_recorded": bool(before), "problems": problems}

    def reproduce(self, run_id: str, *, wait: bool = True, force: bool = False,
                  tolerance: Tolerance | None = None) -> dict:
        checked = self.check(run_id)
        if checked["problems"] and not force:
            raise Conflict("Cannot reproduce: " + " ".join(checked["problems"]) +
                           " Pass force to run anyway.")
        original = self.original(checked["original"]["id"])
        data = self.store.artifacts.read(original.notebook_hash)
        new = self.pipelines.submit(
            Path(original.notebook), data, original.parameters, timeout=original.timeout,
            retries=original.retries, retry_backoff=original.retry_backoff,
            kernel_name=original.kernel_name, cwd=original.cwd, experiment=original.experiment,
            tags={**original.tags, "mlops_lab.reproduce_of": original.id},
            reproduce_of=original.id, allow_undeclared=True)  # what ran once runs again
        if wait and not new.ended:
            new = self.pipelines.wait(new.id)
        return {**checked, "reproduction": new.to_json(),
                "comparison": self.compare(original, new, tolerance) if new.ended else None}

    def report(self, pipeline_run_id: str, tolerance: Tolerance | None = None) -> dict:
        """The comparison of a reproduction with the run it reproduces."""
        new = self.pipelines.find(pipeline_run_id)
        if not new.reproduce_of:
            raise InvalidInput(f"Pipeline run {new.id} is not a reproduction of another run.")
        if not new.ended:
            raise Conflict(f"Pipeline run {new.id} is {new.status}: compare it once it has "
                           "ended.")
        return self.compare(self.pipelines.get(new.reproduce_of), new, tolerance)

    def compare(self, original: PipelineRun, new: PipelineRun,
                tolerance: Tolerance | None = None) -> dict:
        """What both runs recorded, compared (comparison.py): a verdict, counts and the table
        of what differs."""
        before = {"output": original.outputs, "param": {}, "metric": {}}
        after = {"output": new.outputs, "param": {}, "metric": {}}
        ids = {original.id, new.id}
        for label, old, now in self._run_pairs(original, new):
            ids.update(run.id for run in (old, now) if run)
            for side, run, pipeline in ((before, old, original), (after, now, new)):
                # The pipeline's own run's params are its parameters, passed again as they
                # were: equal by construction, so not evidence of anything. Its metrics named
                # like an output are that output (the worker logs numeric outputs as metrics):
                # compared once, as an output.
                for key, value in (run.params if run and label else {}).items():
                    side["param"][label + key] = value
                for key, value in (run.metrics if run else {}).items():
                    if label or key not in pipeline.outputs:
                        side["metric"][label + key] = value
        not_compared = []
        if original.output_blob and new.output_blob:
            before["cell output"] = cell_outputs(self.store.artifacts.read(original.output_blob))
            after["cell output"] = cell_outputs(self.store.artifacts.read(new.output_blob))
        else:
            missing = "original" if not original.output_blob else "reproduction"
            not_compared.append(f"cell outputs: the {missing} kept no output notebook")
        tolerance = dataclasses.replace(tolerance or Tolerance(), ids=frozenset(ids))
        result = comparison.compare(before, after, tolerance, not_compared)
        if original.status != new.status:
            result["differences"].insert(0, {"kind": "status", "name": "pipeline run",
                                              "before": original.status, "after": new.status})
            if result["verdict"] != "differs":
                result["verdict"] = "differs"
                result["summary"] = (f"differs: the original {original.status}, the "
                                     f"reproduction {new.status}")
        return {"original_id": original.id, "reproduction_id": new.id,
                "status": {"original": original.status, "reproduction": new.status},
                "same_notebook": original.notebook_hash == new.notebook_hash, **result}

    # ---- the tracked runs of a pipeline run -------------------------------------------

    def _tree(self, pipeline_run: PipelineRun) -> list:
        if not pipeline_run.run_id:
            return []
        ids = [pipeline_run.run_id] + self.tracking.descendant_ids(pipeline_run.run_id, MAX_TREE)
        return [self.tracking.get_run(i) for i in ids]

    def _run_pairs(self, original: PipelineRun, new: PipelineRun):
        """(label, original's run, reproduction's run) for the pipeline's tracked run ("") and
        each run under it ("cell [4]/", "fit/", "cell [4]/child/"): children are matched by the
        cell that made them, else by name; runs left over on both sides are paired in order
        of start (a name drawn at random differs each time)."""
        old, now = self._tree(original), self._tree(new)
        if not old and not now:
            return
        kids_old, kids_now = _children(old), _children(now)
        stack = [("", old[0] if old else None, now[0] if now else None)]
        while stack:
            label, a, b = stack.pop()
            yield label, a, b
            left = _keyed(kids_old.get(a.id, []) if a else [])
            right = _keyed(kids_now.get(b.id, []) if b else [])
            spare_left = [k for k in left if k not in right]
            spare_right = [k for k in right if k not in left]
            pairs = [(k, left[k], right[k]) for k in left if k in right]
            pairs += [(k, left[k], right[r]) for k, r in zip(spare_left, spare_right)]
            pairs += [(k, left[k], None) for k in spare_left[len(spare_right):]]
            pairs += [(k, None, right[k]) for k in spare_right[len(spare_left):]]
            stack += [(f"{label}{k}/", x, y) for k, x, y in reversed(pairs)]

    def _inputs(self, pipeline_run: PipelineRun) -> list[dict]:
        found, seen = [], set()
        for run in self._tree(pipeline_run):
            for link in run.links:
                if link.direction != "input" or (link.kind, link.ref) in seen:
                    continue
                seen.add((link.kind, link.ref))
                exists, note = self._exists(link.kind, link.ref)
                found.append({"kind": link.kind, "ref": link.ref, "label": link.label,
                              "run_id": run.id, "exists": exists, "note": note})
        return found

    def _exists(self, kind: str, ref: str) -> tuple[bool | None, str | None]:
        if kind != "snapshot":
            return None, f"{kind} inputs are not checked"
        try:
            datasets = self._datasets or services_for(self.store).datasets
        except ImportError:
            return None, "datasets are not available to check this snapshot"
        try:
            version = datasets.get_snapshot(ref)
        except NotFound:
            return False, "the snapshot is gone"
        blob = getattr(version, "blob", None)
        if blob and not self.store.artifacts.exists(blob):
            return False, "the snapshot's data is gone from the artifact store"
        return True, None


def _children(runs: list) -> dict[str, list]:
    found: dict[str, list] = {}
    for run in sorted(runs[1:], key=lambda r: (r.start_time, r.id)):
        found.setdefault(run.parent_run_id, []).append(run)
    return found


def _keyed(runs: list) -> dict:
    """Runs by the cell that made them ("cell [4]": execution counts are the same on every
    papermill run) or their name; a second run of one key is "key #2"."""
    found: dict = {}
    for run in runs:
        source = run.source or {}
        key = (f"cell [{source['execution_count']}]"
               if source.get("kind") == "cell" and source.get("execution_count") is not None
               else run.name)
        n, unique = 1, key
        while unique in found:
            n += 1
            unique = f"{key} #{n}"
        found[unique] = run
    return found
