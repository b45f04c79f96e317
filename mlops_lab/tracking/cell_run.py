"""What ``%%track`` records for a cell, as tracking's rules: the run it starts (source and
environment), which params are logged (the cell's literals, each fitted model's params and what
autologging found) and the one-by-one fallback when a batch is refused, the models saved, the
snapshots linked, and the git state written once the cell is over. The magic parses its line,
runs the cell and renders the summary; it calls `start` and `finish` here.
"""

from __future__ import annotations

import os
import sys
from typing import Callable

from ..errors import Conflict, InvalidInput, MlopsLabError
from . import autolog, capture, capture_env, capture_models, model_saving
from .capture_git import GitRecorder


def start(name, experiment, cell: str, digest: str, execution_count, analysis, user_ns,
          folder: str):
    """The cell's run, started; None when the store is unavailable (the cell runs anyway and
    stderr says so). InvalidInput: the user's run or experiment name (nothing has run yet)."""
    from . import fluent

    source = {"cell": cell, "cell_hash": digest, "notebook": capture_env.notebook_path(user_ns),
              "execution_count": execution_count, "kind": "cell"}
    # The folder's git state as last read; checked again after the cell, off its critical path.
    environment = {**capture_env.environment(), "git": _git_known.get(folder),
                   "seeds": analysis.seeds}
    try:
        return fluent.start_run(name=name, experiment=experiment, source=source,
                                environment=environment)
    except InvalidInput:
        raise
    except MlopsLabError as exc:
        warn(f"this cell runs but is not recorded: {exc}")
        return None


def finish(run, exc, analysis, before, user_ns, folder: str, seen,
           before_next_cell: Callable[[], None]) -> list[str]:
    """Records what the cell did and ends its run (`exc`: what the cell raised, or None);
    returns notes for the summary. `seen` is (autolog parts off, what the cell displayed, the
    figures open before it); `before_next_cell` is called when model files are still being
    written after the cell returns."""
    svc = run.service
    notes: list[str] = []
    to_save: dict = {}
    try:
        params = dict(analysis.params)
        models = _fitted_models(user_ns, before, analysis)
        to_save, inside = model_saving.models_to_save(models)
        for variable, model in models.items():
            params.update(capture_models.estimator_params(variable, model))
        found = _autolog(run, models, analysis, user_ns, seen)
        params.update(found.params)
        notes += log_params(svc, run, params)
        notes += autolog.write(run, found)
        notes += _link_snapshots(run, user_ns, before)
    except MlopsLabError as error:
        notes.append(f"params or models not recorded: {error}")
    finally:
        try:
            # The fluent API's own rule: exception -> FAILED, KeyboardInterrupt/SystemExit -> KILLED.
            kind = type(exc) if exc is not None else None
            if to_save:  # written after the cell returns; the run ends once they are in place
                before_next_cell()
                failed = model_saving.write_then_end(run, kind, exc, to_save, _log_model)
                notes += _saved_note(to_save, inside, failed) + failed
            else:
                run.__exit__(kind, exc, None)
        except MlopsLabError as error:
            warn(f"could not end run {run.id}: {error}")
    packages = capture_env.environment()["packages"]
    changed = {"packages": packages} if packages != run.info.environment.get("packages") else {}
    _after_cell[run.id] = (svc, folder, run.info.environment.get("git"), changed)
    _git_recorder().record(run.id, folder)
    return notes


def namespace_ids(user_ns) -> dict | None:
    """id of every value before the cell, to see what it rebinds. None while neither
    scikit-learn nor pandas is imported: no model or DataFrame can exist yet, so every one
    found afterwards is the cell's."""
    if "sklearn.base" not in sys.modules and "pandas" not in sys.modules:
        return None
    return {k: id(v) for k, v in user_ns.items()}


def git_folder(user_ns) -> str:
    """The folder whose git state the run records: the notebook's, else the working one."""
    notebook = capture_env.notebook_path(user_ns)
    folder = os.path.dirname(notebook) if notebook and os.path.isabs(notebook) else ""
    return folder if folder and os.path.isdir(folder) else os.getcwd()


def log_params(svc, run, params) -> list[str]:
    """Logs the params in one batch; if the batch is refused (a value too long, or a param the
    cell already logged with another value), logs them one by one and reports the refused."""
    try:
        svc.log_params(run.id, params)
        run.remember_params(params)
        return []
    except (Conflict, InvalidInput):
        pass
    notes = []
    for key, value in params.items():
        try:
            svc.log_params(run.id, {key: value})
            run.remember_params({key: value})
        except (Conflict, InvalidInput) as exc:
            notes.append(f"param {key!r} not recorded: {exc}")
    return notes


def warn(message: str) -> None:
    print(f"mlops-lab: {message}", file=sys.stderr)


def _autolog(run, models, analysis, user_ns, seen) -> autolog.Recorded:
    off, shown, figures_before = seen
    try:
        return autolog.collect(off, models, analysis, user_ns, run.metrics, shown, figures_before)
    except Exception as exc:  # an object autologging did not expect: the run is kept
        found = autolog.Recorded()
        found.notes.append(f"autologging stopped: {type(exc).__name__}: {exc} "
                           "(%%track --no-autolog switches it off)")
        return found


def _saved_note(to_save: dict, inside: dict, failed: list[str]) -> list[str]:
    """What is (or, written in the background, will be) saved; a file whose write already
    failed is left out (its own note says why)."""
    to_save = [v for v in to_save if not any(f"model {v!r} not saved" in n for n in failed)]
    if not to_save:
        return []
    text = "saving " + ", ".join(capture_models.model_artifact_path(v) for v in to_save)
    if inside:
        text += " (" + ", ".join(f"{v} inside {holder}" for v, holder in inside.items()) + ")"
    if not model_saving.in_background():
        return [text.replace("saving", "saved", 1)]
    return [text + " after the cell; the run's status is stored once they are in place "
                   "(ml.flush() waits)"]


def _log_model(svc, run_id, variable, model) -> list[str]:
    try:
        data, trusted_types = capture_models.serialize_estimator(model)
    except Exception as exc:  # skops cannot save every custom object: keep the run, say so
        return [f"model {variable!r} not saved: {type(exc).__name__}: {exc}"]
    svc.log_artifact_bytes(run_id, data, capture_models.model_artifact_path(variable),
                           "application/octet-stream", trusted_types=trusted_types)
    return []


def _link_snapshots(run, user_ns, before) -> list[str]:
    """DataFrames the cell bound that equal a stored snapshot become inputs of the run."""
    if "pandas" not in sys.modules:  # no DataFrame can exist
        return []
    from ..datasets.autolink import link_cell_frames

    return link_cell_frames(run, user_ns, before)


def _fitted_models(user_ns, before, analysis) -> dict:
    if "sklearn.base" not in sys.modules:
        return {}
    names = capture.changed_names(before, user_ns) if before is not None else [
        k for k in user_ns if not k.startswith("_")]
    names += [n for n in sorted(analysis.fit_targets) if n not in names]
    return capture_models.fitted_estimators(user_ns, names)


# ---- the git follow-up ---------------------------------------------------------------------

_recorder: GitRecorder | None = None
_git_known: dict[str, dict | None] = {}  # folder -> its git state when last read
_after_cell: dict[str, tuple] = {}  # run id -> (service, folder, git state recorded, changes)


def _git_recorder() -> GitRecorder:
    """One per process, on the tracking API's background executor (``ml.flush()`` waits)."""
    global _recorder
    if _recorder is None:
        from . import background

        _recorder = GitRecorder(_write_after_cell, background.submit,
                                on_error=lambda run_id, exc: warn(
                                    f"git state of run {run_id} not recorded: {exc}"))
    return _recorder


def _write_after_cell(run_id: str, git: dict | None) -> None:
    """Completes the run's environment once git was read: a write only when the git state
    differs from the one recorded at the start, or the cell imported new key packages."""
    svc, folder, recorded, changed = _after_cell.pop(run_id)
    _git_known[folder] = git
    if git != recorded:
        changed = {**changed, "git": git}
    if changed:
        svc.update_run_info(run_id, environment=changed)
