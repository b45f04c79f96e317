"""The retraining pipeline the demo's rule runs: a notebook written into the demo's folder."""

from __future__ import annotations

from pathlib import Path

PARAMETERS = """\
data = "train"  # the snapshot to train on: its newest version
n_estimators = 100
max_depth = 8
"""

TRAIN = """\
import mlops_lab as ml
from sklearn.ensemble import RandomForestClassifier

frame = ml.load_snapshot(data)  # recorded as the input of this run: the version's lineage
X, y = frame.drop(columns="churned"), frame["churned"]
model = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth,
                               random_state=0).fit(X, y)
ml.register_model(model, "churn", input_example=X.head(3),
                  description=f"retrained on {data}")
"""


def write_retraining_notebook(path: Path, parameters: bool = True) -> Path:
    """`path`: a notebook that trains on the newest `train` snapshot and registers the forest
    as the next version of churn (with a tagged `parameters` cell, or the values inline)."""
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
