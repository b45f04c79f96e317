"""Run by bench_serving.py in a fresh process and store: exports three models to ONNX and
prints their verification figures as one JSON line."""

import json
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import mlops_lab as ml

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
rng = np.random.default_rng(0)
n = 2000
mixed = pd.DataFrame({"age": rng.integers(18, 80, n).astype(float),
                      "income": rng.normal(50, 10, n),
                      "plan": rng.choice(["basic", "plus", "pro"], n),
                      "region": rng.choice(["north", "south", "east"], n)})
churned = ((mixed.income > 50) ^ (mixed.plan == "pro")).astype(int)
encoded = ColumnTransformer([("num", StandardScaler(), ["age", "income"]),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), ["plan", "region"])])
cases = [("LogisticRegression", LogisticRegression(max_iter=5000).fit(X, y), X),
         ("RandomForest(100)", RandomForestClassifier(100, random_state=0).fit(X, y), X),
         ("Pipeline(OneHotEncoder + StandardScaler, LogisticRegression)",
          make_pipeline(encoded, LogisticRegression(max_iter=1000)).fit(mixed, churned), mixed)]
out = {}
for name, model, rows in cases:
    version = ml.register_model(model, name.split("(")[0], input_example=rows[:5])
    started = time.perf_counter()
    version = ml.export_onnx(version.ref, input_example=rows)
    check = version.onnx["verification"]
    out[name] = {"rows_compared": check["rows_compared"],
                 "label_agreement": check["label_agreement"],
                 "max_abs_difference": check["max_abs_difference"],
                 "tolerance": check["tolerance"], "passed": check["passed"],
                 "export_and_verify_s": time.perf_counter() - started,
                 "onnx_bytes": version.onnx["size"]}
print(json.dumps(out))
