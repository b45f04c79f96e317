"""The Python API of model evaluation: `ml.gate` and `ml.benchmark_models`."""

from __future__ import annotations

from .entities import Evaluation


def _service():
    from ..services import services

    return services().evaluation


def gate(challenger: str, champion: str, data, label: str, *, metric: str | None = None,
         margin: float = 0.0, confidence: float = 0.95, resamples: int = 1000, seed: int = 0,
         slices: list[str] | None = None, max_slice_drop: float = 0.0,
         max_latency_increase: float | None = None, check_signature: bool = True,
         promote: str | None = None, keep_previous: str | None = None,
         reason: str | None = None) -> Evaluation:
    """Does `challenger` beat `champion` on the labelled snapshot `data`?

    Both versions score the same rows; the gate passes when the challenger is better on
    `metric` (default: accuracy for classifiers, rmse for regressors; also roc_auc, log_loss,
    brier, mae, mse, r2) by more than `margin` over the whole `confidence` interval of the
    difference (a seeded paired bootstrap of `resamples`; DeLong's test for roc_auc), and
    every guardrail holds: the challenger takes the champion's inputs (`check_signature`), no
    slice of the columns `slices` is worse by more than `max_slice_drop`, and scoring is not
    slower by more than `max_latency_increase` (0.2 = 20%) when given.

    The result is stored with the challenger. With `promote="champion"` a pass moves that
    alias to the challenger (`keep_previous="previous"` keeps the old one under that alias),
    with the gate's evidence in the alias history.

        ml.gate("churn/7", "churn@champion", data="holdout@3", label="churned",
                metric="roc_auc", margin=0.01, promote="champion")
    """
    return _service().gate(challenger, champion, data, label, metric=metric, margin=margin,
                           confidence=confidence, resamples=resamples, seed=seed,
                           slices=slices, max_slice_drop=max_slice_drop,
                           max_latency_increase=max_latency_increase,
                           check_signature=check_signature, promote=promote,
                           keep_previous=keep_previous, reason=reason)


def benchmark_models(refs: list[str], data, label: str, *, metrics: list[str] | None = None,
                     confidence: float = 0.95, resamples: int = 1000,
                     seed: int = 0) -> Evaluation:
    """A leaderboard of the versions `refs` on the labelled snapshot `data`: each version's
    `metrics` (the first ranks them) with intervals, and how far behind the leader each is.

        ml.benchmark_models(["churn/5", "churn/6", "churn@champion"], data="holdout@3",
                            label="churned", metrics=["roc_auc", "accuracy"])
    """
    return _service().benchmark_models(refs, data, label, metrics=metrics,
                                       confidence=confidence, resamples=resamples, seed=seed)


def list_evaluations(model: str, kind: str | None = None, version: int | None = None,
                     limit: int = 100) -> list[Evaluation]:
    """The model's gates and benchmarks, newest first."""
    return _service().list_evaluations(model, kind, version, limit)
