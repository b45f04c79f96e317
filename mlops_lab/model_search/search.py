"""AutoML-lite: `ml.automl(X, y, task=…, time_budget=…)`.

Tries several scikit-learn model families with sampled hyperparameters (ParameterSampler),
scores each trial by cross-validation, and returns a leaderboard and the best model refit on
all the data. Every trial is a child run of one "automl" tracking run, so trials are compared in
the runs table like any other runs.

Trials take turns across families (so a short budget still sees every family once). The time
budget is checked between trials (the first always runs); a trial also has a time cap (by
default the budget), enforced by running its folds in worker processes that are killed when the
cap passes. A trial that fails or times out is a
FAILED child run and is skipped.
"""

from __future__ import annotations

import html
import math
import os
import time
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInput
from ..jsonvalues import plain as _plain

TASKS = ("classification", "regression")
SMALL_DATA_ROWS = 5000  # SVMs scale quadratically: tried only up to this many rows


# ---- model families: name -> (estimator factory, search space, needs scaling) -------------

def _spaces(task: str, random_state: int) -> dict[str, tuple[Any, dict, bool]]:
    from scipy.stats import loguniform, randint
    from sklearn import ensemble, linear_model, neighbors, svm

    rs = {"random_state": random_state}
    if task == "classification":
        return {
            "logistic": (linear_model.LogisticRegression(max_iter=2000),
                         {"C": loguniform(1e-3, 1e2)}, True),
            "random_forest": (ensemble.RandomForestClassifier(n_jobs=1, **rs), {
                "n_estimators": randint(50, 300), "max_depth": [None, 4, 8, 16],
                "min_samples_leaf": randint(1, 8), "max_features": ["sqrt", 0.5, 1.0]}, False),
            "hist_gradient_boosting": (ensemble.HistGradientBoostingClassifier(**rs), {
                "learning_rate": loguniform(0.01, 0.3), "max_iter": randint(50, 300),
                "max_leaf_nodes": randint(8, 64), "l2_regularization": loguniform(1e-6, 1.0)},
                False),
            "knn": (neighbors.KNeighborsClassifier(), {
                "n_neighbors": randint(1, 31), "weights": ["uniform", "distance"]}, True),
            "svm": (svm.SVC(**rs), {"C": loguniform(1e-2, 1e3),
                                    "gamma": ["scale", "auto"]}, True),
        }
    return {
        "ridge": (linear_model.Ridge(), {"alpha": loguniform(1e-3, 1e3)}, True),
        "random_forest": (ensemble.RandomForestRegressor(n_jobs=1, **rs), {
            "n_estimators": randint(50, 300), "max_depth": [None, 4, 8, 16],
            "min_samples_leaf": randint(1, 8), "max_features": [1.0, 0.5, "sqrt"]}, False),
        "hist_gradient_boosting": (ensemble.HistGradientBoostingRegressor(**rs), {
            "learning_rate": loguniform(0.01, 0.3), "max_iter": randint(50, 300),
            "max_leaf_nodes": randint(8, 64), "l2_regularization": loguniform(1e-6, 1.0)}, False),
        "knn": (neighbors.KNeighborsRegressor(), {
            "n_neighbors": randint(1, 31), "weights": ["uniform", "distance"]}, True),
        "svm": (svm.SVR(), {"C": loguniform(1e-2, 1e3), "epsilon": loguniform(1e-3, 1.0)}, True),
    }


def default_metric(task: str, y) -> str:
    """roc_auc for two classes, accuracy for more; r2 for regression."""
    if task == "regression":
        return "r2"
    import numpy as np

    return "roc_auc" if len(np.unique(y)) == 2 else "accuracy"


# ---- the result ---------------------------------------------------------------------------

@dataclass
class AutoMLResult:
    """What `automl` found: `.leaderboard` (best first), `.best_model` (refit on all data, ready
    for `register_model`), `.best_params`, `.run_id` (the parent "automl" run)."""

    task: str
    metric: str
    leaderboard: Any  # pandas DataFrame
    best_model: Any
    best_family: str
    best_params: dict
    best_score: float
    run_id: str
    best_run_id: str
    failed_trials: list[dict] = field(default_factory=list)
    elapsed_s: float = 0.0

    def __repr__(self) -> str:
        return (f"<AutoMLResult {self.task} best={self.best_family} {self.metric}="
                f"{self.best_score:.4g} trials={len(self.leaderboard)} run={self.run_id}>")

    def _repr_html_(self) -> str:
        table = self.leaderboard.head(10).to_html(index=False, escape=True, float_format="%.4g")
        failed = (f", {len(self.failed_trials)} failed" if self.failed_trials else "")
        return (
            "<div class='mlops-lab-automl'>"
            f"<p><b>AutoML</b> ({html.escape(self.task)}, {html.escape(self.metric)}): best "
            f"<b>{html.escape(self.best_family)}</b> with {self.best_score:.4g} — "
            f"{len(self.leaderboard)} trials{failed} in {self.elapsed_s:.1f} s, "
            f"run <code>{html.escape(self.run_id)}</code></p>{table}</div>"
        )


# ---- the search ---------------------------------------------------------------------------

def automl(X, y, task: str = "classification", time_budget: float = 60.0, *,
           metric: str | None = None, cv: int = 5, families=None, max_trials: int | None = None,
           trial_time_limit: float | None = None, random_state: int = 0,
           n_jobs: int | None = None, experiment: str | None = None,
           run_name: str = "automl") -> AutoMLResult:
    """Searches model families and hyperparameters for `task` within `time_budget` seconds.

    - `metric`: any scikit-learn scorer name (default roc_auc for two classes, accuracy for
      more, r2 for regression; e.g. "neg_root_mean_squared_error"). Higher is better.
    - `families`: names to try (default all: logistic/ridge, random_forest,
      hist_gradient_boosting, knn, svm — svm only up to 5,000 rows), or a dict
      {name: (estimator, {param: list or scipy distribution})} to add your own.
    - `max_trials`: stop after this many trials even if time is left.
    - `time_budget`: seconds, checked between trials (the first trial always runs).
    - `trial_time_limit`: a trial taking longer is stopped and recorded FAILED
      (default: the whole time_budget, so a search ends within about twice its budget).
    - `random_state`: the same value gives the same trials and scores.

        result = ml.automl(X, y, task="classification", time_budget=30)
        result.leaderboard.head(); model = result.best_model
    """
    import numpy as np
    import pandas as pd
    from sklearn.base import clone
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import KFold, ParameterSampler, StratifiedKFold

    from ..tracking import fluent

    started = time.monotonic()
    X, y = _check_data(X, y)
    task = _check_choice(task, TASKS, "task")
    budget = _positive(time_budget, "time_budget")
    cap = _positive(trial_time_limit, "trial_time_limit") if trial_time_limit is not None else None
    if isinstance(cv, bool) or not isinstance(cv, int) or cv < 2:
        raise InvalidInput(f"cv is the number of cross-validation folds, a whole number >= 2, "
                           f"not {cv!r}.")
    if max_trials is not None and (not isinstance(max_trials, int) or max_trials < 1):
        raise InvalidInput(f"max_trials must be a whole number >= 1, not {max_trials!r}.")
    if task == "classification":
        _, counts = np.unique(np.asarray(y), return_counts=True)
        if len(counts) < 2:
            raise InvalidInput("Classification needs at least two classes in y.")
        if counts.min() < cv:
            raise InvalidInput(f"The rarest class has {counts.min()} rows, fewer than cv={cv} "
                               "folds: pass a smaller cv or more data.")
    metric = metric or default_metric(task, y)
    try:
        scorer = get_scorer(metric)
    except ValueError:
        raise InvalidInput(f"Unknown metric {metric!r}: use a scikit-learn scorer name such as "
                           "'roc_auc', 'accuracy', 'f1_macro', 'r2' or "
                           "'neg_root_mean_squared_error'.") from None
    space = _families(task, families, random_state, n_rows=len(y))
    splitter = (StratifiedKFold if task == "classification" else KFold)(
        n_splits=cv, shuffle=True, random_state=random_state)
    folds = list(splitter.split(X, y))
    workers = max(1, min(cv, n_jobs if n_jobs and n_jobs > 0 else (os.cpu_count() or 1)))

    # Each family's own stream of sampled settings, taken in turns.
    streams = {name: iter(ParameterSampler(params, n_iter=_draws(params),
                                           random_state=random_state + i))
               for i, (name, (_, params, _)) in enumerate(space.items())}
    rows, failed = [], []
    with fluent.start_run(run_name, experiment=experiment,
                          tags={"mlops_lab.kind": "automl", "automl.task": task,
                                "automl.metric": metric}) as parent:
        fluent.log_params({"task": task, "metric": metric, "cv": cv,
                           "time_budget": budget, "families": ",".join(space),
                           "random_state": random_state, "rows": len(y)})
        trial = 0
        while streams and (max_trials is None or trial < max_trials):
            if trial and time.monotonic() - started >= budget:
                break  # checked between trials: the first one always runs
            name = list(streams)[trial % len(streams)]
            try:
                params = next(streams[name])
            except StopIteration:
                del streams[name]
                continue
            trial += 1
            estimator, _, scaled = space[name]
            model = _pipeline(clone(estimator).set_params(**params), scaled, X)
            limit = cap if cap is not None else budget
            with fluent.start_run(f"{name}-{trial}", tags={"automl.family": name}) as child:
                fluent.log_params({"family": name, "trial": trial,
                                   **{k: _plain(v) for k, v in params.items()}})
                try:
                    scores, fit_times = _cross_validate(model, X, y, folds, scorer, limit, workers)
                except Exception as exc:  # noqa: BLE001 - a trial's failure is recorded, not fatal
                    error = (f"The trial took longer than its {limit:.1f} s limit."
                             if isinstance(exc, FutureTimeout) else f"{type(exc).__name__}: {exc}")
                    fluent.end_run("FAILED", error)
                    failed.append({"family": name, "params": params, "run_id": child.id,
                                   "error": error})
                    continue
                mean, std = float(np.mean(scores)), float(np.std(scores))
                fluent.log_metrics({f"cv_{metric}_mean": mean, f"cv_{metric}_std": std,
                                    "fit_time_s": float(np.sum(fit_times))})
                rows.append({"family": name, "score_mean": mean, "score_std": std,
                             "fit_time_s": float(np.sum(fit_times)), "params": params,
                             "run_id": child.id, "trial": trial})
        if not rows:
            fluent.end_run("FAILED", "No trial finished.")
            detail = f" The last failure: {failed[-1]['error']}" if failed else ""
            raise InvalidInput(f"No AutoML trial finished within time_budget={budget:g} s; "
                               f"give it more time or fewer rows.{detail}")
        board = (pd.DataFrame(rows)
                 .sort_values(["score_mean", "score_std", "trial"],
                              ascending=[False, True, True], kind="stable")
                 .reset_index(drop=True))
        board.insert(0, "rank", range(1, len(board) + 1))
        best = board.iloc[0]
        best_model = _pipeline(clone(space[best.family][0]).set_params(**best.params),
                               space[best.family][2], X).fit(X, y)
        fluent.log_metrics({f"best_{metric}": float(best.score_mean), "trials": len(rows),
                            "failed_trials": len(failed)})
        fluent.set_tags({"automl.best_family": best.family, "automl.best_run_id": best.run_id})
        fluent.log_artifact_bytes(board.assign(params=board.params.map(str)).to_csv(
            index=False).encode(), "leaderboard.csv", "text/csv")
    return AutoMLResult(task=task, metric=metric, leaderboard=board, best_model=best_model,
                        best_family=str(best.family), best_params=dict(best.params),
                        best_score=float(best.score_mean), run_id=parent.id,
                        best_run_id=str(best.run_id), failed_trials=failed,
                        elapsed_s=time.monotonic() - started)


def _draws(params: dict) -> int:
    """How many settings to draw: all of a finite grid (lists only), else plenty."""
    from sklearn.model_selection import ParameterGrid

    if all(isinstance(v, (list, tuple)) for v in params.values()):
        return len(ParameterGrid(params))
    return 10_000


def _cross_validate(model, X, y, folds, scorer, limit: float, workers: int):
    """Scores of `model` on each fold, the folds run in worker processes; past `limit`
    seconds the workers are killed and FutureTimeout is raised."""
    from concurrent.futures import BrokenExecutor

    from joblib.externals.loky import get_reusable_executor
    from joblib.externals.loky.process_executor import ShutdownExecutorError

    deadline = time.monotonic() + limit
    for attempt in (1, 2):
        executor = get_reusable_executor(max_workers=workers)
        try:
            futures = [executor.submit(_fold, model, X, y, train, test, scorer)
                       for train, test in folds]
            results = [f.result(timeout=max(0.0, deadline - time.monotonic())) for f in futures]
            return [r[0] for r in results], [r[1] for r in results]
        except FutureTimeout:
            executor.shutdown(wait=False, kill_workers=True)
            raise
        except (BrokenExecutor, ShutdownExecutorError):
            # The pool itself broke (a worker killed from outside, or still going down after
            # the previous trial's timeout): not the model's fault, so once more on a new pool.
            executor.shutdown(wait=False, kill_workers=True)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _fold(model, X, y, train, test, scorer):
    """One fold in a worker process: fit on train, score on test."""
    import math as _math

    from sklearn.utils import _safe_indexing

    started = time.perf_counter()
    model.fit(_safe_indexing(X, train), _safe_indexing(y, train))
    fit_time = time.perf_counter() - started
    score = float(scorer(model, _safe_indexing(X, test), _safe_indexing(y, test)))
    if not _math.isfinite(score):
        raise ValueError(f"The fold's score is {score}.")
    return score, fit_time


def _pipeline(estimator, scaled: bool, X):
    """Missing values imputed, categories one-hot encoded, numbers scaled where it matters."""
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [SimpleImputer(strategy="median")] + ([StandardScaler()] if scaled else [])
    if hasattr(X, "select_dtypes") and len(X.select_dtypes(exclude="number").columns):
        prep = make_column_transformer(
            (make_pipeline(*numeric), make_column_selector(dtype_include="number")),
            (make_pipeline(SimpleImputer(strategy="most_frequent"),
                           OneHotEncoder(handle_unknown="ignore")),
             make_column_selector(dtype_exclude="number")))
        return make_pipeline(prep, estimator)
    return make_pipeline(*numeric, estimator)


def _families(task, families, random_state, n_rows) -> dict:
    known = _spaces(task, random_state)
    if families is None:
        return {k: v for k, v in known.items() if k != "svm" or n_rows <= SMALL_DATA_ROWS}
    if isinstance(families, str):
        families = [families]
    chosen = {}
    items = families.items() if isinstance(families, dict) else ((f, None) for f in families)
    for name, spec in items:
        if spec is None:
            if name not in known:
                raise InvalidInput(f"Unknown model family {name!r} for {task}: choose from "
                                   f"{', '.join(known)} or pass {{name: (estimator, params)}}.")
            chosen[name] = known[name]
            continue
        try:
            estimator, params = spec
        except (TypeError, ValueError):
            raise InvalidInput(f"Model family {name!r}: give (estimator, {{param: values}}).") from None
        if not hasattr(estimator, "fit") or not isinstance(params, dict):
            raise InvalidInput(f"Model family {name!r}: give (estimator, {{param: values}}).")
        chosen[str(name)] = (estimator, params, True)
    if not chosen:
        raise InvalidInput("families is empty: name at least one model family.")
    return chosen


def _check_data(X, y):
    if X is None or y is None:
        raise InvalidInput("automl needs both X (features) and y (target).")
    if not hasattr(X, "shape"):
        import numpy as np

        X = np.asarray(X)
    if getattr(X, "ndim", 2) != 2:
        raise InvalidInput(f"X must be two-dimensional (rows × features), not shape {X.shape}.")
    if len(X) != len(y):
        raise InvalidInput(f"X has {len(X)} rows but y has {len(y)}: they must match.")
    if len(y) < 4:
        raise InvalidInput(f"automl needs more than {len(y)} rows to cross-validate.")
    return X, y


def _check_choice(value, choices, what):
    if value not in choices:
        raise InvalidInput(f"{what} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def _positive(value, what) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 \
            or math.isinf(value):
        raise InvalidInput(f"{what} is a number of seconds > 0, not {value!r}.")
    return float(value)


