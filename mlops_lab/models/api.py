"""The registry's public functions (`import mlops_lab as ml`): register, load and alias models.

    v = ml.register_model(clf, "churn", input_example=X_test, alias="challenger")
    model = ml.load_model("churn@champion")
    ml.set_alias("churn", "champion", v.version, reason="better AUC on May data")
    ml.rollback("churn", reason="worse on live traffic")   # champion back where it was
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .entities import AliasMove, ModelVersion, SavedBy
from .service import ModelService

def service() -> ModelService:
    """The ModelService of the store the environment and working directory name."""
    from ..services import services

    return services().models


def register_model(model: Any = None, name: str | None = None, *, input_example: Any = None,
                   alias: str | None = None, description: str | None = None,
                   serialization: str = "skops", run_id: str | None = None,
                   artifact: str | None = None, reason: str | None = None,
                   trusted_types: list[str] | None = None, onnx: bool = False) -> ModelVersion:
    """Registers `model` as the next version of `name` and returns that version.

    - `input_example` (a DataFrame or 2-d array of a few rows) gives the signature.
    - Inside a run (``%%track`` or ``with ml.start_run()``) the version is linked to it: its
      cell, notebook, params, metrics and input data; otherwise pass `run_id` to link one.
    - scikit-learn models are saved with skops; ``serialization="pickle"`` is an explicit
      opt-in (loading such a version then needs ``allow_pickle=True``).
    - A model a run already logged: ``register_model(name="churn", run_id=run_id,
      artifact="models/clf.skops")`` (the stored file is reused, not copied). The file is
      loaded trusting only the types reviewed when ``%%track`` saved it; a file holding other
      types is refused with their names, and registers only if you pass them, once checked,
      as ``trusted_types=[...]``.
    - Outside a run you opened, a live model that a ``%%track`` cell of this process saved,
      unchanged since, is registered from that run's file, linked to that run (under
      ``mlops-lab run`` too, rather than to the pipeline's run).
    - ``onnx=True`` also exports the version to ONNX (see `export_onnx`); a model that cannot
      be exported, or whose export disagrees with it, registers nothing.
    - Input columns other than those of the newest version with a signature (added, removed
      or retyped) register, with a `SignatureChangeWarning` naming them.
    """
    if (model is not None and run_id is None and artifact is None and serialization == "skops"
            and trusted_types is None):
        return _register_live(model, name, None, input_example=input_example, alias=alias,
                              description=description, reason=reason, onnx=onnx)
    if run_id is None and artifact is None:
        run_id = _active_run_id()
    return service().register(model, name, input_example=input_example, alias=alias,
                              description=description, serialization=serialization,
                              run_id=run_id, artifact=artifact, reason=reason,
                              trusted_types=trusted_types, onnx=onnx)


def register_variable(model: Any, variable: str, name: str, *, input_example: Any = None,
                      alias: str | None = None, description: str | None = None) -> ModelVersion:
    """What `%register` and the toolbar button do: `register_model(model, name)`, looking for
    the tracked cell's file under the variable's name, ``models/<variable>.skops``."""
    return _register_live(model, name, variable, input_example=input_example, alias=alias,
                          description=description)


def _register_live(model, name, variable: str | None, **options) -> ModelVersion:
    """A live model: inside a run opened in this process (a ``%%track`` cell, ``start_run``),
    linked to it. Otherwise, if a tracked cell of this kernel saved this very model, that run's
    file is registered (lineage kept, no copy, its reviewed types trusted); else the live
    model, linked to the pipeline's run under ``mlops-lab run``, or with `note` saying why no
    tracked cell's file was used."""
    svc = service()
    opened = _run_opened_here()
    if opened is not None:
        return svc.register(model, name, run_id=opened, **options)
    saved = saved_by(model, variable)
    if saved.run_id is not None:
        return svc.register(name=name, run_id=saved.run_id, artifact=saved.artifact, **options)
    version = svc.register(model, name, run_id=_active_run_id(), **options)
    return replace(version, note=saved.reason) if version.run_id is None else version


def saved_by(model: Any, variable: str | None = None) -> SavedBy:
    """The tracked run of this kernel that saved this model (as `variable`'s file, when
    given), or why there is none."""
    return service().run_that_saved(model, variable)


def signature_change(model: Any, name: str, input_example: Any = None) -> dict | None:
    """How the input columns `model` would be registered with as `name` (from
    `input_example`) differ from the newest version's: {"version", "added", "removed",
    "retyped", "message"}, or None. `register_model` warns with the same message."""
    from . import signature

    return service().signature_change(name, signature.infer(model, input_example))


def _run_opened_here() -> str | None:
    """The innermost run opened in this process (not the pipeline run a kernel executes)."""
    from ..tracking import fluent

    active = fluent.active_run()
    return active.id if active is not None else None


def _active_run_id() -> str | None:
    from ..tracking import fluent

    return fluent.current_run_id()


def load_model(ref: str, allow_pickle: bool = False) -> Any:
    """The model of "name@alias", "name/3" or "name" (latest). Versions saved with pickle
    load only with ``allow_pickle=True``."""
    return service().load(ref, allow_pickle=allow_pickle)[1]


def export_onnx(ref: str, input_example: Any = None) -> ModelVersion:
    """Exports the version `ref` names ("churn/3", "churn@champion") to ONNX and returns it
    with its `onnx` record. The file is verified first: scikit-learn and onnxruntime score
    `input_example` (if given) and up to 1,000 rows of the version's training snapshot; labels
    must agree and probabilities be within 1e-4 (a regressor's values within 1e-5 relative),
    else nothing is stored. A version already exported is returned as it is."""
    return service().export_onnx(ref, input_example=input_example)


def get_model_version(ref: str) -> ModelVersion:
    return service().resolve(ref)


def list_model_versions(name: str) -> list[ModelVersion]:
    """The model's versions, newest first."""
    return service().list_versions(name)


def set_alias(name: str, alias: str, version: int, reason: str | None = None) -> AliasMove:
    """Points `alias` ("champion", "production", …) of model `name` at `version`; the move
    is kept in the alias history with who, when and `reason`."""
    return service().set_alias(name, alias, version, reason=reason)


def delete_alias(name: str, alias: str, reason: str | None = None) -> AliasMove:
    return service().delete_alias(name, alias, reason=reason)


def rollback(name: str, alias: str = "champion", reason: str | None = None) -> AliasMove:
    """Points `alias` of model `name` back at the version it pointed at before its latest
    move; the history keeps the move with the reason "Rolled back from version 7 to version
    5: `reason`". Rolling back a rollback goes back again (it undoes the latest move)."""
    return service().rollback(name, alias, reason=reason)
