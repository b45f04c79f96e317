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

import os

from .entities import SweepResult
from .points import sweep_points


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
    from ...services import services

    return services().sweeps.run(
        notebook, sweep_points(grid, random, n, seed, parameters), workers=workers, dask=dask,
        timeout=timeout, experiment=experiment, name=name,
        spec={"grid": grid or {}, "random": {k: str(v) for k, v in (random or {}).items()},
              "n": n, "seed": seed})

