"""ONNX export of registered versions on a real store: real scikit-learn models converted with
skl2onnx, verified against onnxruntime, stored content-addressed and recorded on the version."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlops_lab.errors import InvalidInput, NotFound
from mlops_lab.models import onnx_export, onnx_verify
from mlops_lab.serving.runtime.onnx_model import OnnxModel
from mlops_lab.services import services_for


@pytest.fixture
def parts(store):
    return services_for(store)


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True, as_frame=True)


def mixed_frame(n=300, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"age": rng.integers(18, 80, n), "income": rng.normal(50, 10, n),
                          "plan": rng.choice(["basic", "plus", "pro"], n),
                          "region": rng.choice(["north", "south"], n)})
    churned = ((frame.income > 50) ^ (frame.plan == "pro")).astype(int)
    return frame, churned


def encoder_pipeline():
    columns = ColumnTransformer([("num", StandardScaler(), ["age", "income"]),
                                 ("cat", OneHotEncoder(handle_unknown="ignore"),
                                  ["plan", "region"])])
    return make_pipeline(columns, LogisticRegression(max_iter=1000))


class Halves(ClassifierMixin, BaseEstimator):
    """A custom estimator skl2onnx has no converter for."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return (np.asarray(X)[:, 0] > 0.5).astype(int)


def test_logistic_regression_exports_with_verification_figures(parts, cancer):
    X, y = cancer
    clf = LogisticRegression(max_iter=5000).fit(X, y)
    mv = parts.models.register(clf, "cancer", input_example=X[:5])
    assert mv.onnx is None

    exported = parts.models.export_onnx("cancer/1", input_example=X)
    record = exported.onnx
    assert record["layout"] == "matrix" and record["inputs"] == ["input"]
    check = record["verification"]
    assert check["rows_compared"] == len(X) and check["label_agreement"] == 1.0
    assert check["passed"] and check["max_abs_difference"] <= 1e-4
    assert check["tolerance"] == {"probabilities_abs": 1e-4}
    # content addressed, beside the skops file, and in the card
    assert parts.store.artifacts.exists(record["blob"])
    assert "## ONNX" in exported.card and "label agreement | 100.00%" in exported.card
    # read back through the store: the same answers as scikit-learn
    _, data = parts.models.onnx_file("cancer/1")
    onnx_model = OnnxModel(data)
    columns = {c: X[c].to_numpy() for c in X.columns}
    assert (onnx_model.predict(columns) == clf.predict(X)).all()
    assert list(onnx_model.classes_) == [0, 1]
    # a second export keeps the file it has
    assert parts.models.export_onnx("cancer/1").onnx["blob"] == record["blob"]


def test_random_forest_verified_on_its_training_snapshot(parts, cancer):
    X, y = cancer
    tracking, datasets = parts.tracking, parts.datasets
    run = tracking.create_run(tracking.get_or_create_experiment("onnx").id, name="fit")
    snapshot = datasets.snapshot(X, "cancer-train", show_progress=False)
    datasets.load(snapshot.id, run_id=run.id)  # the run read it: lineage
    forest = RandomForestClassifier(n_estimators=100, random_state=0).fit(X, y)
    mv = parts.models.register(forest, "forest", input_example=X[:5], run_id=run.id, onnx=True)
    check = mv.onnx["verification"]
    assert check["sources"] == ["input example", "training snapshot cancer-train@1"]
    assert check["rows_compared"] == 5 + min(len(X), onnx_verify.SAMPLE_ROWS)
    assert check["label_agreement"] == 1.0 and check["passed"]


def test_encoder_pipeline_takes_one_input_per_column(parts):
    frame, churned = mixed_frame()
    pipe = encoder_pipeline().fit(frame, churned)
    mv = parts.models.register(pipe, "mixed", input_example=frame[:5], onnx=True)
    assert mv.onnx["layout"] == "columns"
    assert mv.onnx["inputs"] == ["age", "income", "plan", "region"]
    _, data = parts.models.onnx_file("mixed/1")
    onnx_model = OnnxModel(data)
    inputs = {n: i.type for n, i in
              ((i.name, i) for i in onnx_model.session.get_inputs())}
    assert inputs == {"age": "tensor(float)", "income": "tensor(float)",
                      "plan": "tensor(string)", "region": "tensor(string)"}
    unseen = frame[:3].assign(plan="enterprise")  # unknown categories are ignored, as in sklearn
    got = onnx_model.predict({c: unseen[c].to_numpy() for c in unseen.columns})
    assert (got == pipe.predict(unseen)).all()


def test_regressor_values_within_relative_tolerance(parts):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    forest = RandomForestRegressor(n_estimators=20, random_state=0).fit(X, y)
    mv = parts.models.register(forest, "diabetes", input_example=X, onnx=True)
    check = mv.onnx["verification"]
    assert check["label_agreement"] is None and check["passed"]
    assert check["max_rel_difference"] <= onnx_verify.VALUE_REL_TOLERANCE
    assert "n/a (regressor)" in mv.card


def test_unsupported_step_is_named_and_nothing_is_stored(parts):
    X = np.random.default_rng(0).random((20, 2))
    with pytest.raises(InvalidInput, match="Halves") as caught:
        parts.models.register(Halves().fit(X, X[:, 0] > 0.5), "custom", input_example=X,
                              onnx=True)
    assert "Nothing was stored" in str(caught.value)
    with pytest.raises(NotFound):
        parts.models.get_model("custom")


def test_export_needs_rows_to_compare(parts, cancer):
    X, y = cancer
    parts.models.register(LogisticRegression(max_iter=5000).fit(X, y), "bare",
                          input_example=X[:5])
    with pytest.raises(InvalidInput, match="No rows to verify"):
        parts.models.export_onnx("bare/1")
    assert parts.models.get_version("bare", 1).onnx is None


def test_failed_verification_says_what_disagreed(cancer):
    X, y = cancer
    clf = LogisticRegression(max_iter=5000).fit(X, y)
    other = LogisticRegression(max_iter=5000).fit(X, 1 - y)  # the opposite answers
    signature = {"inputs": [{"name": c, "dtype": "float64"} for c in X.columns]}
    data, _ = onnx_export.convert(other, signature)
    with pytest.raises(InvalidInput, match=r"labels agree on 0\.00% of rows only"):
        onnx_verify.compare(clf, data, [("input example", X)], signature)


def test_version_without_signature_is_refused(parts, cancer):
    X, y = cancer
    parts.models.register(LogisticRegression(max_iter=5000).fit(X, y), "nosig")
    with pytest.raises(InvalidInput, match="no signature"):
        parts.models.export_onnx("nosig/1", input_example=X)


def test_tampered_onnx_file_is_refused(parts, cancer):
    X, y = cancer
    mv = parts.models.register(LogisticRegression(max_iter=5000).fit(X, y), "tamper",
                               input_example=X[:20], onnx=True)
    path = parts.store.artifacts._path(mv.onnx["blob"])
    with open(path, "r+b") as f:
        f.seek(100)
        f.write(b"\x00\x01\x02")
    with pytest.raises(InvalidInput, match="no longer match the hash"):
        parts.models.onnx_file("tamper/1")


def test_gc_keeps_the_onnx_file(parts, cancer):
    from mlops_lab.store.gc import collect_garbage, referenced_blobs

    X, y = cancer
    mv = parts.models.register(LogisticRegression(max_iter=5000).fit(X, y), "kept",
                               input_example=X[:20], onnx=True)
    assert mv.onnx["blob"] in referenced_blobs(parts.store.db)
    collect_garbage(parts.store, grace_seconds=0)
    assert parts.store.artifacts.exists(mv.onnx["blob"])
