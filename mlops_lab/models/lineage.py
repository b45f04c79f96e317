"""A version's lineage (version -> run -> cell/notebook -> data it read), and which run of this
kernel saved a live model, both asked of tracking."""

from __future__ import annotations

from typing import Any

from ..errors import MlopsLabError, NotFound
from . import serialization as model_files
from .entities import SavedBy


class Lineage:
    """The lineage methods of ModelService."""

    def run_that_saved(self, model, variable: str | None = None) -> SavedBy:
        """The newest run of this process that saved this very model: as
        ``models/<variable>.skops`` (what ``%%track`` does) when `variable` is given, else as
        any ``models/*.skops`` file. Registering it then reuses the run's file and keeps its
        lineage. Otherwise `SavedBy.run_id` is None and `reason` says why (no such run, a file
        whose types were not reviewed when it was saved, the model changed since). "This very
        model" means its state now equals its state when saved; nothing of the file is loaded."""
        from ..tracking.capture_models import blobs_saved_from, model_artifact_path, saved_from
        from ..tracking.model_saving import wait_for_writes

        wait_for_writes()  # a tracked cell's files are written after it returns

        what = repr(variable) if variable else "this model in its present state"
        if variable:
            row = self.tracking.model_file_saved_here(path=model_artifact_path(variable))
        else:
            row = self.tracking.model_file_saved_here(blobs=blobs_saved_from(model))
        if row is None:
            return SavedBy(reason=f"no tracked cell of this kernel saved {what}; run the cell "
                                  "that fits it with %%track to keep its lineage")
        where = f"run {row.run_name!r} ({row.run_id[:8]})"
        same = saved_from(row.blob, model)  # in memory: no file read for a changed model
        if same is False:
            return SavedBy(reason=f"{what} changed after {where} saved it (refitted or "
                                  "modified outside a tracked cell)")
        try:
            model_files.unreviewed_types(self.store.artifacts.read(row.blob),
                                         row.trusted_types,
                                         what=f"its file {row.path!r}")
        except MlopsLabError as exc:
            return SavedBy(reason=f"{where} saved {what}, but that file was not used: {exc}")
        if same is None:
            return SavedBy(reason=f"the file {row.path!r} of {where} was not saved from this "
                                  f"{type(model).__name__} by this kernel, or cannot be "
                                  "compared with it")
        metrics = self.tracking.get_run(row.run_id).metrics
        return SavedBy(run_id=row.run_id, run_name=row.run_name, artifact=row.path,
                       metrics=dict(metrics))

    def lineage(self, name: str, version) -> dict:
        """version -> run -> cell/notebook -> data and features it read, plus what else the
        run made. The run part is read live (None if the run is gone)."""
        mv = self.get_version(name, version)
        doc: dict[str, Any] = {"version": mv.ref, "run": None, "source": mv.source,
                               "inputs": mv.inputs, "outputs": [], "artifact": mv.artifact}
        if mv.run_id:
            try:
                run = self.tracking.get_run(mv.run_id)
            except NotFound:
                return doc
            doc["run"] = {"id": run.id, "name": run.name, "status": run.status,
                          "experiment_id": run.experiment_id, "start_time": run.start_time,
                          "end_time": run.end_time}
            known = {(i["kind"], i["ref"]) for i in mv.inputs}
            doc["inputs"] = mv.inputs + [
                {"kind": link.kind, "ref": link.ref, "label": link.label}
                for link in run.links if link.direction == "input"
                and (link.kind, link.ref) not in known]
            doc["outputs"] = [{"kind": link.kind, "ref": link.ref, "label": link.label}
                              for link in run.links if link.direction == "output"]
        return doc
