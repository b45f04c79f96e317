"""What a tracked cell computed, recorded without extra lines (like MLflow's sklearn autolog,
per cell). Each part can be switched off (``%%track --no-autolog=figures,scores``):

- ``training_score``: for a model the cell fitted with ``model.fit(X, y)`` on variables of the
  namespace, ``model.score(X, y)`` as the metric ``<model>.training_score`` (skipped above
  ``MAX_SCORE_ROWS`` rows, where it stops being cheap);
- ``search``: for a fitted ``GridSearchCV``, ``RandomizedSearchCV`` or ``Halving*SearchCV``,
  its ``best_params_`` as params ``<search>.best.<param>``, ``best_score_`` as the metric
  ``<search>.best_cv_score``, ``cv_results_`` as the artifact
  ``search/<search>/cv_results.csv``, and one child run per candidate (its params and its
  ``mean_*``/``std_*``/``rank_*`` results as metrics), the ``MAX_TUNING_RUNS`` best ranked;
- ``scores``: a top-level ``name = f(...)`` where ``f`` is a ``sklearn.metrics`` function,
  ``cross_val_score`` or ``cross_validate``: a number is the metric ``name``, a 1-d array the
  metrics ``name.mean`` and ``name.std``, ``cross_validate``'s dict ``name.test_score.mean``…;
- ``figures``: matplotlib figures the cell left open (the inline backend shows them after the
  cell) as ``figures/figure-<n>.png``; plotly figures the cell displays as
  ``figures/figure-<n>.plotly.json`` (what the panel renders; no image engine needed) and
  images it displays as PNG.
"""

from __future__ import annotations

import io
import json
import math
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..errors import InvalidInput
from .capture_models import param_value

PARTS = ("training_score", "search", "scores", "figures")
MAX_TUNING_RUNS = 50  # child runs per search (MLflow's max_tuning_runs defaults to 5)
MAX_SCORE_ROWS = 100_000  # a training score above this many rows is not cheap: skipped
MAX_FIGURES = 20  # per cell
CROSS_VALIDATION = ("cross_val_score", "cross_validate")  # of sklearn.model_selection


def parts_off(text: str | None) -> frozenset:
    """The parts ``--no-autolog[=a,b]`` switches off: all without a list."""
    if text is None:
        return frozenset()
    if text in ("", "all"):
        return frozenset(PARTS)
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in PARTS]
    if unknown or not names:
        raise InvalidInput(f"--no-autolog takes a comma-separated list of {', '.join(PARTS)} "
                           f"(or nothing, for all), not {text!r}.")
    return frozenset(names)


@dataclass
class Recorded:
    """What autologging found, for the caller to write to the run."""
    params: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    artifacts: list = field(default_factory=list)  # (path, bytes, media type)
    children: list = field(default_factory=list)  # (name, params, metrics) of child runs
    notes: list = field(default_factory=list)


def collect(off: frozenset, models: dict, analysis, namespace: dict, already: dict,
            shown: list, figures_before: list) -> Recorded:
    """Everything the parts not switched ``off`` find after a cell: ``models`` are the fitted
    models the cell left (variable -> model), ``analysis`` the cell's ``CellAnalysis``,
    ``already`` the metrics the cell logged itself (never logged again), ``shown`` what
    ``displayed`` collected, ``figures_before`` the figures open before the cell."""
    found = Recorded()
    if "training_score" not in off:
        training_scores(models, analysis.fit_data, namespace, found)
    if "search" not in off:
        searches(models, found)
    if "scores" not in off:
        scores(analysis.score_calls, namespace, already, found)
    if "figures" not in off:
        figures(shown, figures_before, found)
    return found


# ---- training score ------------------------------------------------------------------------


def training_scores(models: dict, fit_data: dict, namespace: dict, found: Recorded) -> None:
    for variable, model in models.items():
        data = fit_data.get(variable)
        if data is None or len(data) != 2 or not hasattr(model, "score"):
            continue
        X, y = (namespace.get(name) for name in data)
        if X is None or y is None:
            continue
        try:
            if len(X) > MAX_SCORE_ROWS:
                found.notes.append(f"{variable}.training_score skipped: more than "
                                   f"{MAX_SCORE_ROWS:,} rows")
                continue
            score = model.score(X, y)
        except Exception as exc:  # the data changed after the fit, or the model cannot score
            found.notes.append(f"{variable}.training_score not computed: {type(exc).__name__}")
            continue
        if _number(score) is not None:
            found.metrics[f"{variable}.training_score"] = _number(score)


# ---- search estimators -----------------------------------------------------------------------


def is_search(model) -> bool:
    search = sys.modules.get("sklearn.model_selection._search")
    return search is not None and isinstance(model, search.BaseSearchCV) and hasattr(
        model, "cv_results_")


def searches(models: dict, found: Recorded, max_runs: int = MAX_TUNING_RUNS) -> None:
    for variable, model in models.items():
        if not is_search(model):
            continue
        for key, value in sorted(getattr(model, "best_params_", {}).items()):
            found.params[f"{variable}.best.{key}"] = param_value(value)
        best = _number(getattr(model, "best_score_", None))
        if best is not None:
            found.metrics[f"{variable}.best_cv_score"] = best
        results = model.cv_results_
        found.artifacts.append((f"search/{variable}/cv_results.csv", _csv(results), "text/csv"))
        found.children += _candidates(variable, results, max_runs,
                                      getattr(model, "best_index_", None))
        if len(results["params"]) > max_runs:
            found.notes.append(f"{variable}: child runs for the {max_runs} best of "
                               f"{len(results['params'])} candidates")


def _candidates(variable: str, results: dict, max_runs: int, best: int | None) -> list:
    """The best candidate first (the refit one), then by rank of the (first) score."""
    rank_columns = sorted(k for k in results if k.startswith("rank_test_"))
    ranks = results.get("rank_test_score", results[rank_columns[0]] if rank_columns else None)
    order = sorted(range(len(results["params"])),
                   key=lambda i: (i != best, ranks[i] if ranks is not None else 0, i))
    columns = [k for k in results if k.startswith(("mean_", "std_", "rank_"))]
    children = []
    for i in order[:max_runs]:
        params = {key: param_value(value) for key, value in sorted(results["params"][i].items())}
        metrics = {k: _number(results[k][i]) for k in columns}
        children.append((f"{variable} candidate {i}", params,
                         {k: v for k, v in metrics.items() if v is not None}))
    return children


def _csv(results: dict) -> bytes:
    import csv

    columns = list(results)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for i in range(len(results["params"])):
        writer.writerow([_cell(results[c][i]) for c in columns])
    return out.getvalue().encode()


def _cell(value):
    """A cv_results_ value as CSV text: a candidate's params as JSON, a param the candidate
    does not have (masked) as empty."""
    if isinstance(value, dict):
        return json.dumps({k: param_value(v) for k, v in value.items()}, default=str)
    masked = getattr(sys.modules.get("numpy.ma"), "masked", None)
    if value is None or (masked is not None and value is masked):
        return ""
    return value.item() if hasattr(value, "item") else param_value(value)


# ---- scores bound to names ---------------------------------------------------------------------


def scores(score_calls: dict, namespace: dict, already: dict, found: Recorded) -> None:
    """Metrics for names bound to a ``sklearn.metrics`` function's result (or a
    cross-validation's) whose value is a number, a 1-d array of numbers, or
    ``cross_validate``'s dict."""
    for name, dotted in score_calls.items():
        if name.startswith("_") or name in already:
            continue
        if not _is_score_function(_resolve(dotted, namespace)):
            continue
        value = namespace.get(name)
        if isinstance(value, dict):
            for key, inner in value.items():
                if str(key).startswith(("test_", "train_")):
                    found.metrics.update(_summary(f"{name}.{key}", inner))
        else:
            found.metrics.update(_summary(name, value))


def _is_score_function(function) -> bool:
    if str(getattr(function, "__module__", "")).startswith("sklearn.metrics."):
        return True
    selection = sys.modules.get("sklearn.model_selection")
    return selection is not None and any(
        function is getattr(selection, name, None) for name in CROSS_VALIDATION)


def _resolve(dotted: str, namespace: dict):
    head, *rest = dotted.split(".")
    value = namespace.get(head)
    for part in rest:
        value = getattr(value, part, None)
    return value


def _summary(name: str, value) -> dict:
    number = _number(value)
    if number is not None:
        return {name: number}
    shape = getattr(value, "shape", None)
    if shape is not None and len(shape) == 1 and shape[0] > 0:
        try:
            values = [float(v) for v in value]
        except (TypeError, ValueError):
            return {}
        mean = sum(values) / len(values)
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))  # numpy's std
        return {f"{name}.mean": mean, f"{name}.std": std}
    return {}


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()
    return float(value) if isinstance(value, (int, float)) else None


# ---- writing what was found ------------------------------------------------------------------


def write(run, found: Recorded) -> list[str]:
    """Writes the metrics, artifacts and child runs ``found`` to the active ``run`` (its
    params go with the cell's others); returns notes on what could not be written."""
    svc = run.service
    notes = list(found.notes)
    if found.metrics:
        fresh = {k: v for k, v in found.metrics.items() if k not in run.metrics}
        svc.log_metrics(run.id, fresh)
        run.remember_metrics(fresh, None)
    for path, data, media_type in found.artifacts:
        svc.log_artifact_bytes(run.id, data, path, media_type)
    # a candidate comes from the same cell (its text stays on the parent run only)
    source = {**{k: run.info.source.get(k) for k in ("notebook", "cell_hash", "execution_count")},
              "kind": "cell"}
    for name, params, metrics in found.children:
        child = svc.create_run(run.info.experiment_id, name=name, parent_run_id=run.id,
                               source=source)
        try:
            svc.log_params(child.id, params)
            svc.log_metrics(child.id, metrics)
        except InvalidInput as exc:  # a candidate's param too long for the store
            notes.append(f"{name}: {exc}")
        svc.end_run(child.id, "FINISHED")
    return notes


# ---- figures ------------------------------------------------------------------------------------


def open_figures() -> list:
    """matplotlib figures open now (none if the cell's code never imported pyplot)."""
    if "matplotlib.pyplot" not in sys.modules:
        return []
    from matplotlib._pylab_helpers import Gcf

    return [manager.canvas.figure for manager in Gcf.get_all_fig_managers()]


@contextmanager
def displayed(publisher):
    """Collects, in order, the plotly figures and PNG images published through ``publisher``
    (IPython's display publisher) while the block runs; the displays themselves go on as
    before."""
    shown: list = []
    own = vars(publisher).get("publish")  # an instance attribute to put back, if any
    publish = publisher.publish

    def keep(data, *args, **kwargs):
        if isinstance(data, dict):  # references only; figures() keeps MAX_FIGURES of them
            if "application/vnd.plotly.v1+json" in data:
                shown.append(("plotly", data["application/vnd.plotly.v1+json"]))
            elif "image/png" in data:
                shown.append(("png", data["image/png"]))
        return publish(data, *args, **kwargs)

    publisher.publish = keep
    try:
        yield shown
    finally:
        if own is not None:
            publisher.publish = own
        else:
            del publisher.publish


def figures(shown: list, before: list, found: Recorded) -> None:
    import base64

    number = dropped = 0
    for kind, payload in shown:
        if number >= MAX_FIGURES:
            dropped += 1
            continue
        number += 1
        if kind == "plotly":
            found.artifacts.append((f"figures/figure-{number}.plotly.json",
                                    json.dumps(payload).encode(), "application/vnd.plotly.v1+json"))
        else:
            data = payload if isinstance(payload, bytes) else base64.b64decode(payload)
            found.artifacts.append((f"figures/figure-{number}.png", data, "image/png"))
    known = {id(f) for f in before}
    for figure in open_figures():
        if id(figure) in known:
            continue
        if number >= MAX_FIGURES:
            dropped += 1
            continue
        number += 1
        buffer = io.BytesIO()
        try:
            figure.savefig(buffer, format="png", bbox_inches="tight")
        except Exception as exc:  # a figure that cannot render: keep the run, say so
            found.notes.append(f"figure {number} not saved: {type(exc).__name__}: {exc}")
            continue
        found.artifacts.append((f"figures/figure-{number}.png", buffer.getvalue(), "image/png"))
    if dropped:
        found.notes.append(f"{dropped} more figure(s) not kept: at most {MAX_FIGURES} a cell")
