"""Which params the summary under a tracked cell shows first.

The user's own literals come first, in the order the run logged them (the cell's order); then
estimator params whose name says most about a model (``n_estimators``, ``max_depth``, ``C``, …,
in that order of importance), then the rest alphabetically, those left at ``None`` last.
"""

from __future__ import annotations

# Estimator params that tell models apart, most telling first.
TELLING_PARAMS = (
    "n_estimators", "max_depth", "learning_rate", "C", "alpha", "l1_ratio", "kernel", "gamma",
    "penalty", "n_neighbors", "max_features", "min_samples_leaf", "min_samples_split",
    "max_iter", "hidden_layer_sizes", "solver", "estimators", "steps", "transformers",
    "estimator", "param_grid", "param_distributions", "cv", "scoring", "random_state",
)
_RANK = {name: i for i, name in enumerate(TELLING_PARAMS)}


def ordered_params(params: dict) -> list[str]:
    """The keys of ``params`` in the order a reader wants them."""
    position = {key: i for i, key in enumerate(params)}

    def rank(key: str):
        if "." not in key:  # a literal of the cell
            return (0, position[key], "")
        name = key.rsplit(".", 1)[1]
        if name in _RANK:
            return (1, _RANK[name], key.count("."), key)
        return (3 if params[key] in (None, "null", "None") else 2, 0, 0, key)

    return sorted(params, key=rank)
