"""What `%%track` adds to a cell that fits scikit-learn's VotingRegressor gallery example.

Runs the cell untracked and tracked in one in-process IPython shell (a fresh store in a
temporary folder), interleaved, and prints one JSON document: median wall times of the cell
as the user waits for it, the time until its run is FINISHED (model files in place, after
``ml.flush()``), and the bytes of model files stored. The first tracked cell of the process is
also reported on its own (`first_*`): it is the one a user meets after starting a kernel (it
opens the store and imports skops); the medians are over all repetitions.

    python benchmarks/bench_model_saving.py [--reps 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

SETUP = """
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor, VotingRegressor
from sklearn.linear_model import LinearRegression
X, y = load_diabetes(return_X_y=True)
"""

CELL = """
reg1 = GradientBoostingRegressor(random_state=1)
reg2 = RandomForestRegressor(random_state=1)
reg3 = LinearRegression()
reg1.fit(X, y)
reg2.fit(X, y)
reg3.fit(X, y)
ereg = VotingRegressor([("gb", reg1), ("rf", reg2), ("lr", reg3)])
ereg.fit(X, y);
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["MLOPS_LAB_HOME"] = os.path.join(folder, ".mlops-lab")
        os.chdir(folder)
        from IPython.core.interactiveshell import InteractiveShell
        from IPython.utils.capture import capture_output

        import mlops_lab as ml

        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "mlops_lab")
        shell.run_cell(SETUP)
        plain, tracked, finished = [], [], []
        for _ in range(args.reps):
            start = time.perf_counter()
            shell.run_cell(CELL)
            plain.append(time.perf_counter() - start)
            start = time.perf_counter()
            with capture_output():  # the summary under the cell
                shell.run_cell("%%track\n" + CELL)
            tracked.append(time.perf_counter() - start)
            ml.flush()  # before the next cell, which would wait for the files otherwise
            finished.append(time.perf_counter() - start)
        last = ml.search_runs(order_by=["attributes.start_time desc"], max_results=1).runs[0]
        files = {a.path: a.size for a in ml.tracking.fluent.service().list_artifacts(last.id)}
        os.chdir(here)
        print(json.dumps({
            "reps": args.reps,
            "first_cell_tracked_s": round(tracked[0], 3),
            "first_run_finished_s": round(finished[0], 3),
            "cell_untracked_s": round(statistics.median(plain), 3),
            "cell_tracked_s": round(statistics.median(tracked), 3),
            "run_finished_s": round(statistics.median(finished), 3),
            "model_files": files,
            "model_bytes": sum(files.values()),
        }, indent=2))


if __name__ == "__main__":
    main()
