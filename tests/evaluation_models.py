"""Model versions and labelled snapshots for the evaluation tests, shaped like scikit-learn's
gallery: a scaled logistic-regression pipeline, a random forest, a depth-1 tree (a weak
champion), on data that ships with scikit-learn or is made by it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

COLUMNS = [f"x{i}" for i in range(8)]


def churn_data(rows: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, holdout) of a binary task a forest learns much better than a stump."""
    X, y = make_classification(n_samples=rows, n_features=8, n_informative=5,
                               n_redundant=1, class_sep=0.8, random_state=seed)
    frame = pd.DataFrame(X, columns=COLUMNS)
    frame["churned"] = np.where(y == 1, "yes", "no")
    cut = rows // 2
    return frame.iloc[:cut].reset_index(drop=True), frame.iloc[cut:].reset_index(drop=True)


def register_churn(reg, train: pd.DataFrame) -> dict[str, int]:
    """churn/1 a stump (the champion), churn/2 a forest, churn/3 a scaled logistic regression."""
    X, y = train[COLUMNS], train["churned"]
    models = {
        "stump": DecisionTreeClassifier(max_depth=1, random_state=0),
        "forest": RandomForestClassifier(n_estimators=40, max_depth=8, random_state=0),
        "logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    }
    versions = {}
    for name, model in models.items():
        model.fit(X, y)
        versions[name] = reg.register(model, "churn", input_example=X.head(3)).version
    reg.set_alias("churn", "champion", versions["stump"], reason="first")
    return versions


def cancer_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, holdout) of scikit-learn's breast cancer data; 143 holdout rows."""
    data = load_breast_cancer(as_frame=True)
    frame = data.frame.rename(columns=lambda c: c.replace(" ", "_"))
    frame = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    return frame.iloc[:426].reset_index(drop=True), frame.iloc[426:].reset_index(drop=True)


def churn_store(rows: int = 1200):
    """The services of the process's store, holding the churn versions and a "holdout"
    snapshot (what the CLI and the server open too)."""
    from mlops_lab.services import services_for
    from mlops_lab.store import open_store

    found = services_for(open_store())
    train, holdout = churn_data(rows=rows)
    register_churn(found.models, train)
    found.datasets.snapshot(holdout, "holdout")
    return found
