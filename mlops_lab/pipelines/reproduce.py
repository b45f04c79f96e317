"""Reproduce a pipeline run: the same notebook snapshot with the same parameters, after checking
that the dataset snapshots it read still exist and noting what changed in the environment;
then a report comparing metrics and outputs with the original.

A tracked run made inside a pipeline run (a `%%track` cell of it) reproduces that pipeline run.
"""

from __future__ import annotations

import math
from pathlib import Path

from sqlalchemy import select

from ..errors import Conflict, InvalidInput, NotFound
from ..store import Store
from ..store import schema as t
from .entities import PipelineRun
from .environment import current_environment, environment_diff
from .service import PipelineService

MAX_TREE = 10_000


class ReproduceService:
    def __init__(self, store: Store):
        self.store = store
        self.pipelines = PipelineService(store)
        from ..tracking.service import TrackingService

        self.tracking = TrackingService(store)

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

    def reproduce(self, run_id: str, *, wait: bool = True, force: bool = False) -> dict:
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
                "comparison": self.compare(original, new) if new.ended else None}

    def report(self, pipeline_run_id: str) -> dict:
        """The comparison of a reproduction with the run it reproduces."""
        new = self.pipelines.find(pipeline_run_id)
        if not new.reproduce_of:
            raise InvalidInput(f"Pipeline run {new.id} is not a reproduction of another run.")
        return self.compare(self.pipelines.get(new.reproduce_of), new)

    def compare(self, original: PipelineRun, new: PipelineRun) -> dict:
        outputs = _compare(original.outputs, new.outputs)
        metrics = _compare(self._metrics(original), self._metrics(new))
        same = all(o["same"] for o in outputs + metrics) and original.status == new.status
        return {"original_id": original.id, "reproduction_id": new.id,
                "status": {"original": original.status, "reproduction": new.status},
                "outputs": outputs, "metrics": metrics, "same": same,
                "same_notebook": original.notebook_hash == new.notebook_hash}

    # ---- the tracked runs of a pipeline run -------------------------------------------

    def _tree(self, pipeline_run: PipelineRun) -> list:
        if not pipeline_run.run_id:
            return []
        ids, frontier = [pipeline_run.run_id], [pipeline_run.run_id]
        with self.store.db.read() as conn:
            while frontier and len(ids) < MAX_TREE:
                frontier = list(conn.execute(select(t.runs.c.id).where(
                    t.runs.c.parent_run_id.in_(frontier))).scalars())
                ids += frontier
        return [self.tracking.get_run(i) for i in ids]

    def _metrics(self, pipeline_run: PipelineRun) -> dict:
        found = {}
        for depth, run in enumerate(self._tree(pipeline_run)):
            prefix = "" if depth == 0 else f"{run.name}/"
            for key, value in run.metrics.items():
                found[f"{prefix}{key}"] = value
        return found

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
            from ..datasets.service import DatasetService
        except ImportError:
            return None, "datasets are not available to check this snapshot"
        try:
            version = DatasetService(self.store).get_snapshot(ref)
        except NotFound:
            return False, "the snapshot is gone"
        blob = getattr(version, "blob", None)
        if blob and not self.store.artifacts.exists(blob):
            return False, "the snapshot's data is gone from the artifact store"
        return True, None


def _compare(before: dict, after: dict) -> list[dict]:
    rows = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        row = {"name": key, "original": a, "reproduction": b, "same": _same(a, b)}
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
                and math.isfinite(a) and math.isfinite(b):
            row["delta"] = b - a
        rows.append(row)
    return rows


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b
