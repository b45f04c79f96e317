"""Serving in-process: request validation, the ASGI app (starlette's TestClient), the prediction
log queue under overload, and the log's table on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import math
import threading
import time
import uuid

import numpy as np
import pandas as pd
import pytest

from mlops_lab.serving.runtime.app import ModelHolder, build_app, Limits
from mlops_lab.serving.runtime.errors import RequestError
from mlops_lab.serving.runtime.prediction_log import PredictionLog
from mlops_lab.serving.runtime.predictor import Predictor
from mlops_lab.serving.runtime.validation import (
    check_frame, coerce, example_request, frame_from_body, frame_from_request, input_columns,
    wants_probabilities,
)

SIGNATURE = {"inputs": [{"name": "age", "dtype": "int64"}, {"name": "income", "dtype": "float64"},
                        {"name": "plan", "dtype": "string"}, {"name": "active", "dtype": "bool"}],
             "outputs": [{"name": "prediction", "dtype": "int64"}]}
COLUMNS = input_columns(SIGNATURE)
# starlette's TestClient warns that it will move to another HTTP client; it works as is
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

ROW = {"age": 42, "income": 1000.5, "plan": "pro", "active": True}


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True, as_frame=True)
    return X, LogisticRegression(max_iter=500).fit(X, y)


def iris_signature(X) -> dict:
    return {"inputs": [{"name": c, "dtype": "float64"} for c in X.columns],
            "outputs": [{"name": "prediction", "dtype": "int64"}]}


def refused(doc, status=422, columns=COLUMNS, **kw) -> str:
    with pytest.raises(RequestError) as info:
        if isinstance(doc, bytes):
            frame_from_body(doc, columns, **kw)
        else:
            frame_from_request(doc, columns, **kw)
    assert info.value.status == status, str(info.value)
    return str(info.value)


# ---- validation -------------------------------------------------------------------------------

def test_records_and_columns_give_the_same_typed_frame():
    a = frame_from_request({"records": [ROW, dict(ROW, age=7, income=3)]}, COLUMNS)
    b = frame_from_request({"columns": {"age": [42, 7], "income": [1000.5, 3],
                                        "plan": ["pro", "pro"], "active": [True, True]}}, COLUMNS)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["age", "income", "plan", "active"]
    assert a["age"].dtype == np.int64 and a["income"].dtype == np.float64
    assert a["active"].dtype == bool and a["income"].tolist() == [1000.5, 3.0]


def test_whole_numbers_fit_float_columns_and_whole_floats_fit_integer_columns():
    frame = frame_from_request({"records": [dict(ROW, age=3.0, income=5)]}, COLUMNS)
    assert frame["age"].tolist() == [3] and frame["income"].tolist() == [5.0]


@pytest.mark.parametrize("column,value,expected", [
    ("income", "abc", "Column 'income', row 1: expected a number (float64), got the text 'abc'"),
    ("age", 2.5, "Column 'age', row 1: expected a whole number (int64), got 2.5"),
    ("age", True, "Column 'age', row 1: expected a whole number (int64), got true"),
    ("active", 1, "Column 'active', row 1: expected true or false (bool), got 1"),
    ("plan", 3, "Column 'plan', row 1: expected text (string), got 3"),
    ("income", [1, 2], "Column 'income', row 1: expected a number (float64), got a list"),
    ("income", {"a": 1}, "Column 'income', row 1: expected a number (float64), got an object"),
    ("income", 1e400, "expected a finite number"),
])
def test_a_wrong_type_is_refused_naming_column_and_row(column, value, expected):
    message = refused({"records": [ROW, dict(ROW, **{column: value})]})
    assert expected in message


def test_infinity_and_nan_from_the_json_literals():
    assert "finite number" in refused(b'{"records": [{"age": 1, "income": Infinity, '
                                      b'"plan": "a", "active": true}]}')
    message = refused(b'{"records": [{"age": 1, "income": NaN, "plan": "a", "active": true}]}')
    assert "Column 'income', row 0: missing value" in message
    assert "does not accept missing values" in message


def test_missing_values_per_dtype_when_the_model_accepts_them():
    doc = {"records": [dict(ROW, income=None, plan=None),
                       {"age": 1, "income": math.nan, "plan": None, "active": False}]}
    frame = frame_from_request(doc, COLUMNS, allow_missing=True)
    assert math.isnan(frame["income"][0]) and math.isnan(frame["income"][1])
    assert frame["plan"].tolist() == [None, None]
    # integer and bool columns cannot hold a missing value, whatever the model says
    message = refused({"records": [dict(ROW, age=None)]}, allow_missing=True)
    assert "Column 'age', row 0: missing value (null); integer and bool" in message
    assert "row 0: missing value (null); this model does not accept" in refused(
        {"records": [dict(ROW, income=None)]})


@pytest.mark.parametrize("allow_missing", [False, True])
def test_a_record_without_a_column_is_refused_naming_column_and_row(allow_missing):
    # an explicit null is a value (where the model takes missing values); a column left out
    # of a record, or a record with no column at all, is a mistake
    message = refused({"records": [ROW, {"age": 1, "active": False}]},
                      allow_missing=allow_missing)
    assert message.startswith("Row 1 has no column(s) 'income', 'plan'; every row must give")
    assert "Row 0 has no column(s) 'age', 'income', 'plan', 'active'" in refused(
        {"records": [{}]}, allow_missing=allow_missing)


def test_without_a_signature_every_record_gives_the_same_columns():
    assert "name no column" in refused({"records": [{}]}, columns=None)
    assert "Row 1 has no column(s) 'a'" in refused({"records": [{"a": 1, "b": 1}, {"b": 2}]},
                                                    columns=None)
    assert "Row 0 has no column(s) 'b'" in refused({"records": [{"a": 1}, {"a": 2, "b": 3}]},
                                                    columns=None)


def test_shape_rules():
    assert "exactly one key" in refused({"records": [ROW], "columns": {}})
    assert "exactly one key" in refused({"rows": [ROW]})
    assert "(not 'rows')" in refused({"rows": [ROW]})
    assert "(not 'rows')" in refused({"records": [ROW], "rows": [ROW]})
    with pytest.raises(RequestError, match='"probabilities" must be true or false'):
        wants_probabilities({"records": [ROW], "probabilities": "yes"})
    assert wants_probabilities({"records": [ROW]}, True) is True
    assert wants_probabilities({"records": [ROW], "probabilities": False}, True) is False
    assert "must be a JSON object" in refused([ROW])
    assert "non-empty list" in refused({"records": []})
    assert "row 1 is not an object" in refused({"records": [ROW, 5]})
    assert "Unknown column(s) 'colour'" in refused({"records": [dict(ROW, colour="red")]})
    assert "Missing column(s) 'active'" in refused({"columns": {"age": [1], "income": [1.0],
                                                                "plan": ["a"]}})
    assert "same length" in refused({"columns": {"age": [1, 2], "income": [1.0], "plan": ["a"],
                                                 "active": [True]}})
    assert "must be a list" in refused({"columns": {"age": 1}})
    assert "more than the 2 rows" in refused({"records": [ROW] * 3}, max_rows=2)


def test_bodies_that_are_not_json_too_deep_or_too_large():
    assert refused(b"{nope", 400)
    assert "nested too deeply" in refused(b"[" * 200_000 + b"]" * 200_000, 400)
    assert "over the limit of 100 bytes" in refused(b" " * 101, 413, max_body_bytes=100)
    assert refused(b"\xff\xfe", 400)


def test_no_signature_passes_scalar_columns_through():
    frame = frame_from_request({"records": [{"a": 1, "b": "x"}]}, None)
    assert frame.to_dict("records") == [{"a": 1, "b": "x"}]
    assert "expected a scalar" in refused({"records": [{"a": [1]}]}, columns=None)


def test_batch_frames_follow_the_same_rules_with_file_row_numbers():
    chunk = pd.DataFrame({"id": [10, 11], "age": [1, 2], "income": [1, 2], "plan": ["a", "b"],
                          "active": [True, False]}, index=[100, 101])
    frame, ignored = check_frame(chunk, COLUMNS, first_row=100)
    assert ignored == ["id"] and frame["income"].dtype == np.float64
    assert list(frame.index) == [100, 101]
    bad = chunk.assign(income=["1", "x"])
    with pytest.raises(RequestError, match=r"Column 'income', row 100: expected a number"):
        check_frame(bad, COLUMNS, first_row=100)
    with pytest.raises(RequestError, match="Column 'age', row 101: expected a whole number"):
        check_frame(chunk.assign(age=[1.0, 1.5]), COLUMNS, first_row=100)
    with pytest.raises(RequestError, match="Missing column"):
        check_frame(chunk.drop(columns="plan"), COLUMNS)


def test_example_request_fits_the_signature():
    doc = example_request(COLUMNS)
    assert frame_from_request(doc, COLUMNS).shape == (1, 4)
    kept = [{c.name: doc["records"][0][c.name] for c in COLUMNS}]
    assert example_request(COLUMNS, kept) == {"records": kept}  # the version's own example
    assert coerce(COLUMNS[0], [1, 2]).tolist() == [1, 2]


# ---- the app ----------------------------------------------------------------------------------

def client_for(predictor, **kw):
    from starlette.testclient import TestClient

    return TestClient(build_app(ModelHolder(predictor), **kw))


def test_predict_health_metadata_metrics(iris):
    X, model = iris
    predictor = Predictor("iris", 3, model, iris_signature(X))
    with client_for(predictor) as client:
        r = client.post("/predict", json={"records": X.head(2).to_dict("records")})
        assert r.status_code == 200
        doc = r.json()
        assert doc["predictions"] == model.predict(X.head(2)).tolist()
        assert doc["model"] == "iris" and doc["version"] == 3
        assert r.headers["X-Model-Version"] == "3" and r.headers["X-Request-Id"] == doc["request_id"]
        r = client.post("/predict", json={"columns": X.head(100).to_dict("list")})  # in a thread
        assert r.json()["predictions"] == model.predict(X.head(100)).tolist()
        bad = client.post("/predict", json={"records": [dict(X.iloc[0], **{"petal width (cm)": "x"})]})
        assert bad.status_code == 422
        assert bad.json() == {"error": "InvalidInput", "message": "Column 'petal width (cm)', "
                              "row 0: expected a number (float64), got the text 'x'."}
        assert client.get("/health").json()["version"] == 3
        meta = client.get("/metadata").json()
        assert meta["inputs"][0] == {"name": "sepal length (cm)", "dtype": "float64"}
        assert meta["accepts_missing_values"] is False
        missing = client.get("/nope")
        assert missing.status_code == 404 and missing.json()["error"] == "NotFound"
        wrong = client.get("/predict")
        assert wrong.status_code == 405 and wrong.json()["error"] == "MethodNotAllowed"
        assert wrong.headers["Allow"] == "POST"
        text = client.get("/metrics").text
    assert 'mlops_lab_requests_total{path="/predict",status="200"} 2.0' in text
    assert 'mlops_lab_requests_total{path="/predict",status="422"} 1.0' in text
    assert 'mlops_lab_request_errors_total{error="InvalidInput",path="/predict"} 1.0' in text
    assert 'mlops_lab_request_duration_seconds_bucket{le="0.005",path="/predict"}' in text
    assert "mlops_lab_predictions_total 102.0" in text
    assert 'mlops_lab_model_version{model="iris"} 3.0' in text


def test_a_model_that_accepts_missing_values_gets_them(iris):
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, _ = iris
    y = (X["petal length (cm)"] > 3).astype(int)
    model = HistGradientBoostingClassifier(max_iter=5).fit(X, y)
    with client_for(Predictor("hgb", 1, model, iris_signature(X))) as client:
        row = dict(X.iloc[0], **{"sepal width (cm)": None})
        r = client.post("/predict", json={"records": [row]})
        assert r.status_code == 200, r.text
        assert client.get("/metadata").json()["accepts_missing_values"] is True


def test_a_record_missing_a_column_is_a_422_even_where_nulls_are_allowed(iris, store):
    # the case: {"records": [{}]} and a record without a column were answered 200
    # by a model that takes missing values, and the prediction log held None
    from sklearn.ensemble import HistGradientBoostingClassifier

    from mlops_lab.serving.service import ServingService

    X, _ = iris
    model = HistGradientBoostingClassifier(max_iter=5).fit(X, (X.iloc[:, 2] > 3).astype(int))
    name = f"hgb-{uuid.uuid4().hex[:8]}"
    log = PredictionLog(ServingService(store).write_prediction_logs)
    with client_for(Predictor(name, 1, model, iris_signature(X)), prediction_log=log) as client:
        r = client.post("/predict", json={"records": [{}]})
        assert r.status_code == 422
        assert r.json()["message"].startswith("Row 0 has no column(s) 'sepal length (cm)'")
        row = X.iloc[0].to_dict()
        del row["petal width (cm)"]
        r = client.post("/predict", json={"records": [X.iloc[1].to_dict(), row]})
        assert r.status_code == 422
        assert r.json()["message"].startswith("Row 1 has no column(s) 'petal width (cm)';")
        ok = client.post("/predict", json={"records": [dict(row, **{"petal width (cm)": None})]})
        assert ok.status_code == 200, ok.text
    logged = ServingService(store).prediction_logs(name)
    assert [entry["row_count"] for entry in logged] == [1]  # only the answered request


def test_a_classifier_answers_with_probabilities_when_asked_or_by_default(iris):
    from sklearn.linear_model import LinearRegression

    X, model = iris
    rows = X.head(3).to_dict("records")
    with client_for(Predictor("iris", 1, model, iris_signature(X))) as client:
        assert "probabilities" not in client.post("/predict", json={"records": rows}).json()
        doc = client.post("/predict", json={"records": rows, "probabilities": True}).json()
        assert client.get("/metadata").json()["gives_probabilities"] is True
    assert doc["classes"] == [0, 1, 2]
    assert doc["predictions"] == model.predict(X.head(3)).tolist()
    assert np.allclose(doc["probabilities"], model.predict_proba(X.head(3)))
    with client_for(Predictor("iris", 1, model, iris_signature(X)), probabilities=True) as client:
        assert np.allclose(client.post("/predict", json={"records": rows}).json()[
            "probabilities"], model.predict_proba(X.head(3)))
        off = client.post("/predict", json={"records": rows, "probabilities": False}).json()
        assert "probabilities" not in off and "classes" not in off
    regressor = LinearRegression().fit(X, X.iloc[:, 0])
    with client_for(Predictor("lin", 2, regressor, iris_signature(X))) as client:
        r = client.post("/predict", json={"records": rows, "probabilities": True})
    assert r.status_code == 422 and r.json()["error"] == "NoProbabilities"
    assert "LinearRegression) gives no class probabilities" in r.json()["message"]


def test_the_model_refusing_inputs_is_a_422(iris):
    X, model = iris
    # signature says string, the model needs numbers: the model's own error, as a 422
    signature = {"inputs": [{"name": c, "dtype": "string"} for c in X.columns]}
    with client_for(Predictor("iris", 1, model, signature)) as client:
        r = client.post("/predict", json={"records": [{c: "a" for c in X.columns}]})
    assert r.status_code == 422 and r.json()["error"] == "PredictionFailed"
    assert r.json()["message"].startswith("The model could not score these inputs:")


def test_bodies_over_the_limit_are_refused_declared_or_streamed(iris):
    X, model = iris
    predictor = Predictor("iris", 1, model, iris_signature(X))
    with client_for(predictor, limits=Limits(max_rows=10, max_body_bytes=1500)) as client:
        r = client.post("/predict", content=b"{" + b" " * 3000 + b"}")
        assert r.status_code == 413 and r.json()["error"] == "BodyTooLarge"

        def chunks():  # no Content-Length: cut off while streaming
            for _ in range(100):
                yield b" " * 100

        r = client.post("/predict", content=chunks())
        assert r.status_code == 413
        r = client.post("/predict", json={"records": X.head(11).to_dict("records")})
        assert r.status_code == 422 and "more than the 10 rows" in r.json()["message"]
        ok = client.post("/predict", json={"records": X.head(1).to_dict("records")})
        assert ok.status_code == 200


# ---- the prediction log -----------------------------------------------------------------------

def test_overload_drops_log_rows_counts_them_and_never_slows_a_response(iris, store):
    from mlops_lab.serving.service import ServingService

    X, model = iris
    service = ServingService(store)
    name = f"iris-{uuid.uuid4().hex[:8]}"
    gate = threading.Event()

    def slow_sink(rows):  # the real table, behind a writer that is stuck until released
        gate.wait()
        service.write_prediction_logs(rows)

    log = PredictionLog(slow_sink, maxsize=3, batch_size=2)
    requests = 30
    with client_for(Predictor(name, 1, model, iris_signature(X)), prediction_log=log) as client:
        for i in range(requests):
            r = client.post("/predict", json={"records": X.iloc[[i]].to_dict("records")})
            assert r.status_code == 200
        health = client.get("/health").json()["prediction_log"]
        assert health["dropped"] > 0
        assert health["submitted"] + health["dropped"] == requests
        metrics = client.get("/metrics").text
        assert f"mlops_lab_prediction_log_dropped_total {float(health['dropped'])}" in metrics
        gate.set()
        deadline = time.monotonic() + 30
        while log.written < log.submitted and time.monotonic() < deadline:
            time.sleep(0.01)
        assert log.written + log.dropped == requests and log.failed == 0
    assert len(service.prediction_logs(name)) == log.written


def test_the_log_keeps_version_time_inputs_outputs_and_request_id(iris, store):
    from mlops_lab.serving.service import ServingService

    X, model = iris
    service = ServingService(store)
    name = f"iris-{uuid.uuid4().hex[:8]}"
    log = PredictionLog(service.write_prediction_logs)
    before = int(time.time() * 1000)
    answers = []
    with client_for(Predictor(name, 2, model, iris_signature(X)), prediction_log=log) as client:
        for rows in (X.iloc[[0]], X.iloc[[1, 2]]):
            answers.append(client.post("/predict", json={"records": rows.to_dict("records")}).json())
    # leaving the client ran the app's shutdown, which writes what is queued
    logged = service.prediction_logs(name)
    assert [row["request_id"] for row in logged] == [a["request_id"] for a in answers]
    assert [row["outputs"] for row in logged] == [a["predictions"] for a in answers]
    assert logged[1]["inputs"] == {c: X.iloc[[1, 2]][c].tolist() for c in X.columns}
    assert {row["version"] for row in logged} == {2} and logged[1]["row_count"] == 2
    assert all(row["created_at"] >= before for row in logged)
    assert service.prediction_logs(name, version=1) == []
    json.dumps(logged)  # plain JSON all the way


def test_numeric_models_take_arrays_and_name_selecting_pipelines_keep_frames(iris):
    import warnings

    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from sklearn.linear_model import LogisticRegression

    X, model = iris
    fast = Predictor("iris", 1, model, iris_signature(X))
    assert fast.takes_array  # all numeric, fitted on these very columns
    rows = X.sample(20, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        assert fast.predict(rows)["predictions"] == model.predict(rows).tolist()
    assert caught == []  # no feature-name warning per request
    # a pipeline selecting columns by name needs the frame: found out at load, not per request
    data = pd.DataFrame({"age": [1, 2, 3, 4], "income": [1.0, 2.0, 3.0, 4.0],
                         "plan": ["a", "b", "a", "b"], "active": [True, False, True, False]})
    pipe = make_pipeline(ColumnTransformer([("num", StandardScaler(), ["age", "income"]),
                                            ("cat", OneHotEncoder(), ["plan"])]),
                         LogisticRegression()).fit(data, [0, 1, 0, 1])
    slow = Predictor("pipe", 1, pipe, SIGNATURE)
    assert not slow.takes_array
    numeric = pd.DataFrame({"age": [1, 2, 3, 4], "income": [4.0, 3.0, 2.0, 1.0]})
    by_name = make_pipeline(ColumnTransformer([("num", StandardScaler(), ["income"])]),
                            LogisticRegression()).fit(numeric, [0, 1, 0, 1])
    sig = {"inputs": [{"name": "age", "dtype": "int64"}, {"name": "income", "dtype": "float64"}]}
    assert not Predictor("by-name", 1, by_name, sig).takes_array
    with client_for(slow) as client:
        r = client.post("/predict", json={"records": [dict(ROW, plan="a"), dict(ROW, plan="b")]})
    assert r.status_code == 200, r.text
    assert r.json()["predictions"] == pipe.predict(
        pd.DataFrame([dict(ROW, plan="a"), dict(ROW, plan="b")])).tolist()
