"""The points of a sweep: the cartesian product of the grid lists; with `random`, `n` draws of
the random parameters (scikit-learn's ParameterSampler, so `seed` gives the same points), each
combined with every grid point. Random parameters: "uniform:LOW:HIGH", "loguniform:LOW:HIGH",
"int:LOW:HIGH" (both ends included), "choice:A,B,C", or a list / a scipy.stats distribution.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from ...errors import InvalidInput
from ...jsonvalues import plain as _plain
from ..runs.parameters import check_name, check_parameters, parse_cli_value

MAX_POINTS = 10_000
KINDS = ("uniform", "loguniform", "int", "choice")


def parse_assignment(text: str, what: str) -> tuple[str, str]:
    """`name=rest` from the command line."""
    name, sep, rest = str(text).partition("=")
    if not sep or not name.strip():
        raise InvalidInput(f"{what} {text!r} must look like NAME=VALUES.")
    return check_name(name.strip()), rest


def parse_grid_values(name: str, text: str) -> list[Any]:
    """`0.1,1,10` -> [0.1, 1, 10] (numbers, True/False/None, else text)."""
    values = [parse_cli_value(v.strip()) for v in text.split(",")]
    if not text.strip() or any(v == "" for v in values):
        raise InvalidInput(f"Grid parameter {name!r} needs a comma-separated list of values, "
                           f"e.g. {name}=0.1,1,10.")
    return values


def distribution(name: str, spec):
    """A random parameter as ParameterSampler takes it: a list (choice) or a scipy
    distribution, from "uniform:LOW:HIGH", "loguniform:LOW:HIGH", "int:LOW:HIGH", "choice:A,B"."""
    if isinstance(spec, (list, tuple)):
        if not spec:
            raise InvalidInput(f"Random parameter {name!r}: the list of choices is empty.")
        return list(spec)
    if hasattr(spec, "rvs"):
        return spec
    from scipy import stats

    kind, _, rest = str(spec).partition(":")
    usage = (f"Random parameter {name!r}: use uniform:LOW:HIGH, loguniform:LOW:HIGH, "
             f"int:LOW:HIGH or choice:A,B,C (got {str(spec)[:100]!r}).")
    if kind == "choice":
        return parse_grid_values(name, rest)
    if kind not in KINDS:
        raise InvalidInput(usage)
    try:
        low_text, high_text = rest.split(":")
        low, high = (int(low_text), int(high_text)) if kind == "int" else (
            float(low_text), float(high_text))
    except ValueError:
        raise InvalidInput(usage) from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high) or (
            kind == "loguniform" and low <= 0):
        raise InvalidInput(f"Random parameter {name!r}: LOW must be below HIGH"
                           f"{' and above 0' if kind == 'loguniform' else ''} (got {rest!r}).")
    if kind == "uniform":
        return stats.uniform(low, high - low)
    if kind == "loguniform":
        return stats.loguniform(low, high)
    return stats.randint(low, high + 1)


def sweep_points(grid: dict | None = None, random: dict | None = None, n: int | None = None,
                 seed: int = 0, parameters: dict | None = None) -> list[dict[str, Any]]:
    """Every point's parameters: fixed `parameters`, a grid point, a random draw."""
    from sklearn.model_selection import ParameterSampler

    grid, random, fixed = dict(grid or {}), dict(random or {}), dict(parameters or {})
    for group in (grid, random, fixed):
        for key in group:
            check_name(key)
    for a, b, what in ((grid, random, "grid and random"), (grid, fixed, "grid and fixed"),
                       (random, fixed, "random and fixed")):
        both = sorted(set(a) & set(b))
        if both:
            raise InvalidInput(f"Parameter(s) {', '.join(both)} given both as {what} "
                               "parameters; give each parameter once.")
    if not grid and not random:
        raise InvalidInput("A sweep needs --grid NAME=V1,V2,… and/or --random n=N with "
                           "--param NAME=KIND:… (in Python: grid= and/or random=, n=).")
    for key, values in grid.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise InvalidInput(f"Grid parameter {key!r} needs a list of values.")
        grid[key] = list(values)
        if not grid[key]:
            raise InvalidInput(f"Grid parameter {key!r} has no values.")
    if random:
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_POINTS:
            raise InvalidInput(f"A random sweep needs n, the number of points (1 to "
                               f"{MAX_POINTS}), e.g. --random n=20.")
    elif n is not None:
        raise InvalidInput("n is the number of random points: give random parameters too "
                           "(--param NAME=KIND:…).")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInput(f"seed must be a whole number >= 0, not {seed!r}.")
    total = math.prod(len(v) for v in grid.values()) * (n if random else 1)
    if total > MAX_POINTS:
        raise InvalidInput(f"The sweep has {total} points; at most {MAX_POINTS}.")
    draws = [{}]
    if random:
        dists = {k: distribution(k, v) for k, v in random.items()}
        draws = [{k: _plain(v) for k, v in sorted(d.items())}
                 for d in ParameterSampler(dists, n_iter=n, random_state=seed)]
    names = list(grid)
    points = []
    for values in itertools.product(*grid.values()):
        for draw in draws:
            points.append(check_parameters({**fixed, **dict(zip(names, values)), **draw}))
    return points
