"""The retraining pipeline the demo's rule runs: a notebook written into the demo's folder."""

from __future__ import annotations

from pathlib import Path

PARAMETERS = """\
model = "churn"  # the model this registers a version of
data = "train"  # the snapshot to train on: its newest version
n_estimators = 100
max_depth = 8
"""

TRAIN = """\
import time

import mlops_lab as ml
from sklearn.ensemble import RandomForestClassifier

frame = ml.load_snapshot(data)  # recorded as the input of this run: the version's lineage
X, y = frame.drop(columns="churned"), frame["churned"]
forest = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth,
                                random_state=0).fit(X, y)
started = time.perf_counter()
ml.register_model(forest, model, input_example=X.head(3), description=f"retrained on {data}")
ml.output("registration_s", time.perf_counter() - started)  # kept with the pipeline run
"""


def write_retraining_notebook(path: Path, parameters: bool = True) -> Path:
    """`path`: a notebook that trains a forest on the newest version of a snapshot and
    registers it as the next version of a model (a tagged `parameters` cell names both; or,
    without `parameters`, one cell with the values inline)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    if parameters:
        cell = nbformat.v4.new_code_cell(PARAMETERS)
        cell.metadata["tags"] = ["parameters"]
        nb.cells += [cell, nbformat.v4.new_code_cell(TRAIN)]
    else:
        nb.cells.append(nbformat.v4.new_code_cell(PARAMETERS + TRAIN))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
