"""Sweeps: one notebook run as a pipeline run for each point of a parameter grid and/or of a
random search, on a local pool (default) or on a Dask distributed cluster.

    result = ml.sweep("train.ipynb", grid={"alpha": [0.1, 1, 10]})
    result = ml.sweep("train.ipynb", random={"lr": "loguniform:1e-4:1e-1", "depth": "int:2:8"},
                      n=20, seed=0, dask="tcp://scheduler:8786")
    result.table                      # one row per point: params, status, outputs, metrics

Points: the cartesian product of the grid lists; with `random`, `n` draws of the random
parameters (scikit-learn's ParameterSampler, so `seed` gives the same points), each combined
with every grid point. Random parameters: "uniform:LOW:HIGH", "loguniform:LOW:HIGH",
"int:LOW:HIGH" (both ends included), "choice:A,B,C", or a list / a scipy.stats distribution.

Every point is a pipeline run tagged `mlops_lab.sweep=<sweep id>`, whose tracking run is a
child of the sweep's own tracking run (the sweep id), so the points are compared in the runs
table. Numeric `ml.output` values of a point are also logged as metrics of its run.
"""

from __future__ import annotations

import html
import itertools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InvalidInput
from ..runs.parameters import check_name, check_parameters, parse_cli_value

MAX_POINTS = 10_000
KINDS = ("uniform", "loguniform", "int", "choice")


# ---- what a sweep returns -----------------------------------------------------------------

@dataclass(frozen=True)
class SweepPoint:
    index: int
    parameters: dict[str, Any]
    status: str
    pipeline_run_id: str | None = None
    run_id: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    duration_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        from ...tracking.entities import json_number

        return {"index": self.index, "parameters": self.parameters, "status": self.status,
                "pipeline_run_id": self.pipeline_run_id, "run_id": self.run_id,
                "outputs": self.outputs,
                "metrics": {k: json_number(v) for k, v in self.metrics.items()},
                "error": self.error, "duration_ms": self.duration_ms}


@dataclass(frozen=True)
class SweepResult:
    id: str  # the sweep's tracking run
    notebook: str
    executor: str  # "local" or the Dask scheduler address
    points: list[SweepPoint]

    @property
    def status(self) -> str:
        return "SUCCEEDED" if all(p.status == "SUCCEEDED" for p in self.points) else "FAILED"

    @property
    def table(self):
        """One row per point: its parameters, status, outputs and metrics (pandas)."""
        import pandas as pd

        rows = []
        for p in self.points:
            row = {"point": p.index, "status": p.status}
            row.update({f"params.{k}": v for k, v in p.parameters.items()})
            row.update({f"outputs.{k}": v for k, v in p.outputs.items()})
            row.update({f"metrics.{k}": v for k, v in p.metrics.items()})
            row.update({"duration_s": None if p.duration_ms is None else p.duration_ms / 1000,
                        "pipeline_run_id": p.pipeline_run_id, "run_id": p.run_id,
                        "error": p.error})
            rows.append(row)
        return pd.DataFrame(rows)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "notebook": self.notebook, "executor": self.executor,
                "status": self.status, "points": [p.to_json() for p in self.points]}

    def __repr__(self) -> str:
        ok = sum(p.status == "SUCCEEDED" for p in self.points)
        return (f"<SweepResult {Path(self.notebook).name} {ok}/{len(self.points)} succeeded "
                f"on {self.executor} id={self.id}>")

    def _repr_html_(self) -> str:
        ok = sum(p.status == "SUCCEEDED" for p in self.points)
        table = self.table.drop(columns=["run_id"]).to_html(index=False, escape=True,
                                                            float_format="%.4g")
        return (f"<div class='mlops-lab-sweep'><p><b>Sweep</b> of "
                f"{html.escape(Path(self.notebook).name)} on {html.escape(self.executor)}: "
                f"{ok}/{len(self.points)} points succeeded, sweep run "
                f"<code>{html.escape(self.id)}</code></p>{table}</div>")


# ---- points ------------------------------------------------------------------------------

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


def _plain(value):
    return value.item() if hasattr(value, "item") else value


# ---- running -----------------------------------------------------------------------------

def sweep(notebook: str | os.PathLike, grid: dict | None = None, random: dict | None = None,
          n: int | None = None, *, seed: int = 0, parameters: dict | None = None,
          workers: int | None = None, dask: str | None = None, timeout: float | None = None,
          experiment: str | None = None, name: str | None = None) -> SweepResult:
    """Runs `notebook` once per point (see the module's doc); waits for every point.

    `workers`: points running at once on the local pool (default: the pipeline executor's
    limit, MLOPS_LAB_PIPELINE_WORKERS or 4; a point mostly waits on its kernel, so more than
    the CPU count pays).
    `dask`: a Dask distributed scheduler address ("tcp://host:8786") to run the points on
    instead; its workers must reach the same store (PostgreSQL / shared folder) and notebook.
    """
    from ...store import open_store
    from .service import SweepService

    return SweepService(open_store()).run(
        notebook, sweep_points(grid, random, n, seed, parameters), workers=workers, dask=dask,
        timeout=timeout, experiment=experiment, name=name,
        spec={"grid": grid or {}, "random": {k: str(v) for k, v in (random or {}).items()},
              "n": n, "seed": seed})


def local_pool(fn, calls: list[tuple], workers: int) -> list:
    """`fn(*call)` for every call, `workers` at a time, results in order."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mlops-lab-sweep") as pool:
        return list(pool.map(lambda call: fn(*call), calls))
