"""Which of a cell's fitted models get a file of their own, and writing them off the cell's path.

A model is saved once: a fitted model that is part of another model the cell also saves (a
member of a VotingRegressor, a step of a Pipeline, a search's estimator, by identity, in its
params or its fitted attributes) is already inside that model's file and gets no file of its
own. Two variables bound to one model get one file, under the first name.

The files are written on the background thread after the cell returns; the run ends only once
they are in place (``ml.flush()`` waits). The next cell of the notebook waits for them before
it runs, so no cell changes a model while it is being written. In the kernel of a pipeline run
(``mlops-lab run``) they are written before the cell returns.
"""

from __future__ import annotations

import os

from .capture_models import is_estimator

MAX_DEPTH = 6  # levels of nesting searched for members (Pipeline in a search in a Voting*)
MAX_ITEMS = 10_000  # items of one list searched (a forest's trees, not a list of numbers)


def models_to_save(models: dict) -> tuple[dict, dict]:
    """(variable -> model to save, variable -> the variable whose file already holds it)."""
    members: dict[int, str] = {}
    for variable, model in models.items():
        for inner in _members(model):
            members.setdefault(inner, variable)
    save, inside, seen = {}, {}, {}
    for variable, model in models.items():
        holder = members.get(id(model)) or seen.get(id(model))
        if holder is not None and holder != variable:
            inside[variable] = holder
        else:
            save[variable] = model
            seen[id(model)] = variable
    # a holder itself inside another model: point at the outermost file
    for variable, holder in inside.items():
        while holder in inside:
            holder = inside[holder]
        inside[variable] = holder
    return save, inside


def _members(model) -> set[int]:
    """ids of the estimators nested anywhere inside ``model`` (not ``model`` itself)."""
    found: set[int] = set()
    pending = [(value, 1) for value in _children(model)]
    while pending:
        value, depth = pending.pop()
        if is_estimator(value):
            if id(value) in found:
                continue
            found.add(id(value))
            if depth < MAX_DEPTH:
                pending += [(child, depth + 1) for child in _children(value)]
        elif isinstance(value, (list, tuple)) and depth < MAX_DEPTH:
            pending += [(child, depth) for child in value[:MAX_ITEMS]]
        elif isinstance(value, dict) and depth < MAX_DEPTH:
            pending += [(child, depth) for child in list(value.values())[:MAX_ITEMS]]
    return found


def _children(model) -> list:
    """What a model holds: its attributes (params and fitted ones such as ``estimators_``)."""
    try:
        return list(vars(model).values())
    except TypeError:
        return []


_pending: list = []  # model writes not yet done (futures), so the next cell can wait for them


def write_then_end(run, kind, exc, models: dict, save_one) -> list[str]:
    """Saves ``models`` (variable -> model) with ``save_one(svc, run_id, variable, model)``
    (which returns notes on what it could not save), then ends ``run``; after the cell, on the
    background thread, except in the kernel of a pipeline run, where the files are written
    before the cell returns and the notes returned. A failure of the writer is recorded on the
    run as the tag ``models.not_saved``."""

    def work():
        notes = []
        for variable, model in models.items():
            try:
                notes += save_one(run.service, run.id, variable, model)
            except Exception as error:  # the store failed: the run must say the file is missing
                notes.append(f"model {variable!r} not saved: {type(error).__name__}: {error}")
        if notes:
            run.service.set_tags(run.id, {"models.not_saved": "; ".join(notes)[:5000]})
        return notes

    if not in_background():
        notes = work()
        run.__exit__(kind, exc, None)
        return notes
    _pending.append(run.end_after(kind, exc, lambda: [f"run {run.id}: {n}" for n in work()]))
    return []


def in_background() -> bool:
    """False in the kernel of a pipeline run: its cells run back to back (the next one would
    wait anyway) and the kernel is stopped a few seconds after the last one, so the files are
    written before the cell returns and none is cut short."""
    return not os.environ.get("MLOPS_LAB_PARENT_RUN")


def wait_for_writes(*_args) -> None:
    """Waits until the model files of earlier cells are written (before the next cell runs)
    and says on stderr which could not be saved (their runs also say it)."""
    import sys

    while _pending:
        for note in _pending.pop(0).result() or ():
            print(f"mlops-lab: {note}", file=sys.stderr)
