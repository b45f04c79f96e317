"""The model registry's service on a real store: SQLite and the machine's PostgreSQL."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sqlalchemy import select, text, update

from mlops_lab.errors import InvalidInput, NotFound
from mlops_lab.models.service import ModelService, parse_ref
from mlops_lab.store.tables import models as t
from mlops_lab.tracking.capture_models import serialize_estimator

from hostile_skops import hostile  # noqa: F401 - the fixture


def clear_registry(store) -> None:
    """The PostgreSQL database lives for the session: start each test without models."""
    if not store.db.is_sqlite:
        with store.db.write() as conn:
            conn.execute(text("TRUNCATE models, model_versions, model_aliases, "
                              "model_alias_history RESTART IDENTITY CASCADE"))


@pytest.fixture
def reg(store):
    clear_registry(store)
    return ModelService(store)


@pytest.fixture(scope="module")
def data():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return (X - X.mean()) / X.std(), y  # standardised: the fit converges at once


@pytest.fixture(scope="module")
def clf(data):
    X, y = data
    return LogisticRegression().fit(X, y)


# ---- references ---------------------------------------------------------------------------

def test_parse_ref():
    assert parse_ref("churn@champion") == ("churn", None, "champion")
    assert parse_ref("churn/3") == ("churn", 3, None)
    assert parse_ref("churn") == ("churn", None, None)
    assert parse_ref("a/b@prod") == ("a/b", None, "prod")
    assert parse_ref("team/churn/12") == ("team/churn", 12, None)
    with pytest.raises(InvalidInput):
        parse_ref("  ")


def test_register_resolve_and_load(reg, data, clf):
    X, y = data
    first = reg.register(clf, "churn", input_example=X.head(), alias="champion",
                         description="baseline")
    second = reg.register(clf, "churn")
    assert (first.version, second.version) == (1, 2)
    assert first.aliases == ["champion"] and second.aliases == []
    assert reg.resolve("churn").version == 2
    assert reg.resolve("churn/1").version == 1
    assert reg.resolve("churn@champion").version == 1
    mv, model = reg.load("churn@champion")
    assert mv.format == "skops" and mv.trusted_types == []
    assert (model.predict(X) == clf.predict(X)).all()
    sig = mv.signature
    assert sig["inputs"][0] == {"name": "mean radius", "dtype": "float64"}
    assert len(sig["inputs"]) == 30
    assert sig["outputs"] == [{"name": "prediction", "dtype": "int64"}]
    assert {"python", "scikit-learn", "numpy", "scipy", "skops", "pandas"} <= set(mv.requirements)
    assert mv.model_class.endswith("LogisticRegression")
    assert mv.card.startswith("# churn — version 1") and "mean radius" in mv.card
    assert second.signature == {"inputs": [], "outputs": []}
    model_ = reg.get_model("churn")
    assert model_.latest_version == 2 and model_.aliases == {"champion": 1}
    assert model_.description == "baseline"
    assert [v.version for v in reg.list_versions("churn")] == [2, 1]


def test_signature_from_arrays_mixed_frames_and_pipelines(reg):
    X = np.random.default_rng(0).random((40, 3))
    y = (X[:, 0] > 0.5).astype(int)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    v = reg.register(pipe, "pipe", input_example=X[:3])
    assert [c["name"] for c in v.signature["inputs"]] == ["f0", "f1", "f2"]
    assert {c["dtype"] for c in v.signature["inputs"]} == {"float64"}
    # The example's first row is kept: "Try it" starts from it.
    assert v.signature["example"] == [dict(zip(["f0", "f1", "f2"], X[0].tolist()))]
    frame = pd.DataFrame({"n": [1, 2], "flag": [True, False], "s": ["a", "b"]})
    v2 = reg.register(pipe, "pipe", input_example=None)
    assert v2.signature["inputs"] == []
    from mlops_lab.models.signature import infer

    assert infer(None, frame)["inputs"] == [{"name": "n", "dtype": "int64"},
                                            {"name": "flag", "dtype": "bool"},
                                            {"name": "s", "dtype": "string"}]
    assert infer(None, frame.assign(x=[float("nan"), 1.0]))["example"] == [
        {"n": 1, "flag": True, "s": "a", "x": None}]
    with pytest.raises(InvalidInput, match="could not predict"):
        reg.register(pipe, "pipe", input_example=np.ones((2, 7)))


def test_random_forest_records_its_trusted_types(reg):
    X = np.random.default_rng(1).random((30, 4))
    forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, X[:, 0] > 0.5)
    v = reg.register(forest, "forest", input_example=X[:2])
    assert v.trusted_types == ["sklearn.tree._tree.Tree"]
    _, model = reg.load("forest/1")
    assert (model.predict(X) == forest.predict(X)).all()


# ---- lineage ---------------------------------------------------------------------------------

def test_lineage_from_the_run(reg, svc, data, clf):
    X, _ = data
    exp = svc.get_or_create_experiment("lineage")
    run = svc.create_run(exp.id, name="fit", source={
        "cell": "clf.fit(X, y)", "notebook": "work/churn.ipynb", "execution_count": 7,
        "kind": "cell"})
    svc.log_params(run.id, {"C": 1.0})
    svc.log_metrics(run.id, {"auc": 0.93, "loss": float("nan")})
    svc.link_run(run.id, "input", "snapshot", "abc123", "customers@3")
    svc.link_run(run.id, "input", "feature_set", "fs1", "churn_features@2")
    v = reg.register(clf, "churn", input_example=X.head(), run_id=run.id)
    assert v.run_id == run.id
    assert v.source["notebook"] == "work/churn.ipynb" and v.source["execution_count"] == 7
    assert v.params == {"C": "1.0"} and v.metrics["auc"] == 0.93
    assert {(i["kind"], i["label"]) for i in v.inputs} == {
        ("snapshot", "customers@3"), ("feature_set", "churn_features@2")}
    stored = reg.get_version("churn", 1)
    assert np.isnan(stored.metrics["loss"])
    outputs = [(link.kind, link.ref) for link in svc.run_links(run.id)
               if link.direction == "output"]
    assert outputs == [("model_version", "churn/1")]
    assert svc.runs_linked_to("model_version", "churn/1") == [(run.id, "output")]
    lineage = reg.lineage("churn", 1)
    assert lineage["run"]["id"] == run.id and lineage["run"]["name"] == "fit"
    assert lineage["source"]["cell"] == "clf.fit(X, y)"
    assert len(lineage["inputs"]) == 2 and lineage["outputs"][0]["label"] == "churn/1"
    assert "customers@3" in stored.card and "work/churn.ipynb" in stored.card


def test_register_a_runs_artifact_reuses_its_blob(reg, svc, clf):
    exp = svc.get_or_create_experiment("artifacts")
    run = svc.create_run(exp.id, name="tracked")
    data, types = serialize_estimator(clf)
    info = svc.log_artifact_bytes(run.id, data, "models/clf.skops", trusted_types=types)
    before = sorted(b for b, _ in reg.store.artifacts.blobs())
    v = reg.register(name="from-run", run_id=run.id, artifact="models/clf.skops")
    assert v.blob == info.blob and v.artifact == "models/clf.skops" and v.run_id == run.id
    assert sorted(b for b, _ in reg.store.artifacts.blobs()) == before  # no copy
    _, model = reg.load("from-run")
    assert type(model).__name__ == "LogisticRegression"
    with pytest.raises(NotFound):
        reg.register(name="x", run_id=run.id, artifact="models/none.skops")
    with pytest.raises(InvalidInput):
        reg.register(name="x", run_id=run.id, artifact="../../etc/passwd")
    svc.log_artifact_bytes(run.id, b"not a model", "models/raw.pkl")
    with pytest.raises(InvalidInput, match="serialization='pickle'"):
        reg.register(name="x", run_id=run.id, artifact="models/raw.pkl")


def test_a_hostile_run_file_is_refused_at_registration_and_never_runs(reg, svc, hostile,
                                                                       tmp_path):
    exp = svc.get_or_create_experiment("artifacts")
    run = svc.create_run(exp.id, name="tracked")
    path = tmp_path / "clf.skops"
    path.write_bytes(hostile.file())
    svc.log_artifact(run.id, path, "models/clf.skops")  # a file from elsewhere: no review
    with pytest.raises(InvalidInput, match="mlops_lab_hostile_type.Marker") as refused:
        reg.register(name="evil", run_id=run.id, artifact="models/clf.skops")
    assert "none of its types were reviewed" in str(refused.value)
    assert "trusted_types=[...]" in str(refused.value)
    # A file %%track saved (reviewed: no extra types) then overwritten by a plain log.
    clf = LogisticRegression().fit(*_xy())
    data, types = serialize_estimator(clf)
    svc.log_artifact_bytes(run.id, data, "models/ok.skops", trusted_types=types)
    svc.log_artifact_bytes(run.id, hostile.file(), "models/ok.skops")
    with pytest.raises(InvalidInput, match="mlops_lab_hostile_type.Marker"):
        reg.register(name="evil", run_id=run.id, artifact="models/ok.skops")
    # A reviewed list that lacks the type refuses it too.
    svc.log_artifact_bytes(run.id, hostile.file(), "models/reviewed.skops", trusted_types=[])
    with pytest.raises(InvalidInput, match="not among the types reviewed"):
        reg.register(name="evil", run_id=run.id, artifact="models/reviewed.skops")
    assert reg.list_models() == [] and not hostile.written()
    # The file is hostile indeed: loaded trusting what it says, it writes the marker.
    import skops.io

    skops.io.loads(hostile.file(), trusted=["mlops_lab_hostile_type.Marker"])
    assert hostile.written()


def test_a_run_file_with_types_nobody_reviewed_registers_once_the_user_accepts_them(reg, svc,
                                                                                    tmp_path):
    X, y = _xy()
    tree = RandomForestClassifier(n_estimators=2, random_state=0).fit(X, y)
    exp = svc.get_or_create_experiment("artifacts")
    run = svc.create_run(exp.id, name="tracked")
    svc.log_artifact_bytes(run.id, serialize_estimator(tree)[0], "models/forest.skops")
    with pytest.raises(InvalidInput, match="sklearn.tree._tree.Tree"):
        reg.register(name="forest", run_id=run.id, artifact="models/forest.skops")
    for bad in ("sklearn.tree._tree.Tree", [1], 3):
        with pytest.raises(InvalidInput, match="list of type names"):
            reg.register(name="forest", run_id=run.id, artifact="models/forest.skops",
                         trusted_types=bad)
    v = reg.register(name="forest", run_id=run.id, artifact="models/forest.skops",
                     trusted_types=["sklearn.tree._tree.Tree"])
    assert v.trusted_types == ["sklearn.tree._tree.Tree"] and v.run_id == run.id
    assert reg.load("forest")[1].predict(X).tolist() == tree.predict(X).tolist()
    # Saved with its reviewed list (what %%track does): no acceptance needed.
    data, types = serialize_estimator(tree)
    assert types == ["sklearn.tree._tree.Tree"]
    svc.log_artifact_bytes(run.id, data, "models/tracked.skops", trusted_types=types)
    v = reg.register(name="forest", run_id=run.id, artifact="models/tracked.skops")
    assert v.version == 2 and v.trusted_types == types
    with pytest.raises(InvalidInput, match="trusted_types is for"):
        reg.register(tree, "forest", trusted_types=types)


def test_a_hostile_file_behind_a_version_is_refused_by_every_load(reg, hostile, clf):
    from mlops_lab.serving import startup
    from mlops_lab.serving.service import ServingService

    reg.register(clf, "swapped")
    blob, _ = reg.store.artifacts.put_bytes(hostile.file())
    _point_version_at(reg, "swapped", 1, blob)
    for load in (lambda: reg.load("swapped"),
                 lambda: ServingService(reg.store).load_predictor("swapped"),
                 lambda: ServingService(reg.store).cached_predictor("swapped", 1),
                 lambda: startup.load_at_start("swapped")):
        with pytest.raises(InvalidInput, match="mlops_lab_hostile_type.Marker"):
            load()
    assert not hostile.written()


def _xy():
    X = np.random.default_rng(3).random((40, 4))
    return X, (X[:, 0] > 0.5).astype(int)


# ---- aliases -----------------------------------------------------------------------------------

def test_alias_set_move_delete_with_audited_history(reg, clf):
    for _ in range(3):
        reg.register(clf, "churn")
    reg.set_alias("churn", "champion", 1, reason="first", user="ana")
    move = reg.set_alias("churn", "champion", 3, reason="better auc", user="ben")
    assert (move.from_version, move.to_version, move.moved_by) == (1, 3, "ben")
    reg.set_alias("churn", "challenger", 2)
    assert reg.alias_target("churn", "champion") == 3
    assert reg.resolve("churn@champion").version == 3
    reg.delete_alias("churn", "challenger", reason="retired", user="ana")
    assert reg.alias_target("churn", "challenger") is None
    assert reg.alias_target("no such model", "champion") is None
    history = reg.alias_history("churn")
    assert [(h.alias, h.from_version, h.to_version, h.reason) for h in history] == [
        ("challenger", 2, None, "retired"),
        ("challenger", None, 2, None),
        ("champion", 1, 3, "better auc"),
        ("champion", None, 1, "first"),
    ]
    assert all(h.moved_at > 0 for h in history)
    assert [h.moved_by for h in reg.alias_history("churn", "champion")] == ["ben", "ana"]
    assert reg.get_model("churn").aliases == {"champion": 3}
    assert reg.get_version("churn", 3).aliases == ["champion"]


def test_alias_errors(reg, clf):
    reg.register(clf, "churn")
    with pytest.raises(NotFound, match="no version 9"):
        reg.set_alias("churn", "champion", 9)
    with pytest.raises(NotFound):
        reg.set_alias("nope", "champion", 1)
    for bad in ("", "a b", "x" * 65, "../x", "7", "<img>"):
        with pytest.raises(InvalidInput):
            reg.set_alias("churn", bad, 1)
    for bad in (0, -1, "x", 1.5, True, 2**63, 2**64 + 1, str(2**63)):
        with pytest.raises(InvalidInput):
            reg.set_alias("churn", "champion", bad)
    for large in (2**31, 2**63 - 1, str(2**40)):  # numbers, but of no version
        with pytest.raises(NotFound, match="no version"):
            reg.set_alias("churn", "champion", large)
    for ref in (f"churn/{2**63}", f"churn/{2**31}"):
        with pytest.raises(NotFound, match="no version"):
            reg.resolve(ref)
    with pytest.raises(NotFound, match="no version"):
        reg.get_version("churn", 2**40)
    with pytest.raises(InvalidInput, match="from 1 to 9223372036854775807"):
        reg.get_version("churn", 2**63)
    with pytest.raises(NotFound):
        reg.delete_alias("churn", "champion")
    with pytest.raises(NotFound):
        reg.resolve("churn@champion")
    with pytest.raises(NotFound):
        reg.resolve("churn/5")


# ---- names (BAD-INPUTS 1) ---------------------------------------------------------------------

def test_hostile_names_are_stored_as_text(reg, clf):
    for name in ("../../etc/passwd", "a/b\\c", "<img src=x onerror=alert(1)>", "\u202eevil",
                 "émoji 🎉", "x@y"):
        v = reg.register(clf, name)
        assert reg.get_version(name, 1).name == name == v.name
        assert reg.get_model(name).name == name
    assert reg.resolve("x@y").name == "x@y"  # not an alias of "x": falls back to the name
    for bad in ("", "a\x00b", "n" * 10_000):
        with pytest.raises(InvalidInput):
            reg.register(clf, bad)
    assert [m.name for m in reg.list_models("ETC")] == ["../../etc/passwd"]
    assert [m.name for m in reg.list_models("%")] == []  # LIKE wildcards are literal
    blobs = pathlib.Path(reg.store.artifacts.root)
    assert not any("passwd" in str(p) for p in blobs.rglob("*"))


# ---- safe loading (BAD-INPUTS 22) -----------------------------------------------------------

def test_pickle_needs_opt_in_on_both_sides(reg, clf):
    v = reg.register(clf, "pickled", serialization="pickle")
    assert v.format == "pickle"
    with pytest.raises(InvalidInput, match="allow_pickle=True"):
        reg.load("pickled")
    _, model = reg.load("pickled", allow_pickle=True)
    assert type(model).__name__ == "LogisticRegression"
    with pytest.raises(InvalidInput, match="serialization must be"):
        reg.register(clf, "x", serialization="dill")


def test_hostile_pickle_is_refused_and_never_runs(reg, tmp_path, hostile_model):
    target = tmp_path / "pwned.txt"
    reg.register(hostile_model(target), "evil", serialization="pickle")
    assert not target.exists()
    with pytest.raises(InvalidInput, match="pickle"):
        reg.load("evil")
    with pytest.raises(InvalidInput):
        reg.load("evil", allow_pickle="yes")  # only True itself opts in
    assert not target.exists()


def test_a_pickle_stored_as_skops_is_refused(reg, clf, tmp_path, hostile_model):
    target = tmp_path / "pwned.txt"
    import pickle

    reg.register(clf, "liar")
    blob, _ = reg.store.artifacts.put_bytes(pickle.dumps(hostile_model(target)))
    _point_version_at(reg, "liar", 1, blob)
    with pytest.raises(InvalidInput, match="not a readable skops"):
        reg.load("liar")
    assert not target.exists()


def test_a_skops_file_with_unreviewed_types_is_refused(reg, clf):
    X = np.random.default_rng(2).random((20, 30))
    forest = RandomForestClassifier(n_estimators=2).fit(X, X[:, 0] > 0.5)
    reg.register(clf, "swapped")  # reviewed list: [] (a LogisticRegression needs none)
    blob, _ = reg.store.artifacts.put_bytes(serialize_estimator(forest)[0])
    _point_version_at(reg, "swapped", 1, blob)
    with pytest.raises(InvalidInput, match="sklearn.tree._tree.Tree"):
        reg.load("swapped")


def _point_version_at(reg, name, version, blob):
    with reg.db.write() as conn:
        model_id = conn.execute(select(t.models.c.id).where(t.models.c.name == name)).scalar()
        conn.execute(update(t.model_versions).where(
            t.model_versions.c.model_id == model_id, t.model_versions.c.version == version,
        ).values(blob=blob))


# ---- concurrency (BAD-INPUTS 11) ------------------------------------------------------------

RACER = """
import os, sys, time
from pathlib import Path
import numpy as np
from sklearn.linear_model import LogisticRegression
from mlops_lab.models.service import ModelService
from mlops_lab.store import open_store

X = np.arange(20, dtype=float).reshape(10, 2)
clf = LogisticRegression().fit(X, [0, 1] * 5)
svc = ModelService(open_store())
start = Path(sys.argv[1])
Path(sys.argv[2]).touch()   # ready
deadline = time.monotonic() + 60
while not start.exists():   # both processes begin together
    if time.monotonic() > deadline:
        sys.exit("never started")
    time.sleep(0.001)
for _ in range(100):
    svc.register(clf, "raced", description=sys.argv[3])
"""


def test_two_processes_registering_at_once_get_1_to_200(reg, tmp_path):
    start = tmp_path / "start"
    script = tmp_path / "racer.py"
    script.write_text(textwrap.dedent(RACER))
    procs, ready = [], []
    for who in ("a", "b"):
        flag = tmp_path / f"ready-{who}"
        ready.append(flag)
        procs.append(subprocess.Popen([sys.executable, str(script), str(start), str(flag), who],
                                      env=os.environ.copy(), stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + 120
    while not all(f.exists() for f in ready):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), \
            [p.stderr.read() for p in procs if p.poll() is not None]
        time.sleep(0.01)
    start.touch()
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    versions = reg.list_versions("raced")
    assert sorted(v.version for v in versions) == list(range(1, 201))
    by = [v.description for v in sorted(versions, key=lambda v: v.version)]
    assert by.count("a") == by.count("b") == 100
    assert reg.get_model("raced").latest_version == 200


def test_gc_keeps_the_files_of_registered_versions(reg, clf):
    from mlops_lab.store.gc import collect_garbage

    v = reg.register(clf, "kept")
    orphan, _ = reg.store.artifacts.put_bytes(b"no row points here")
    result = collect_garbage(reg.store, grace_seconds=0)
    assert orphan in result["blobs"] and v.blob not in result["blobs"]
    assert reg.store.artifacts.exists(v.blob)
    assert type(reg.load("kept")[1]).__name__ == "LogisticRegression"


def test_a_new_versions_other_input_columns_are_warned_about(reg):
    import warnings

    import mlops_lab as ml
    from mlops_lab.models.signature import SignatureChangeWarning

    assert ml.SignatureChangeWarning is SignatureChangeWarning  # for warnings filters
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    clf = LogisticRegression(max_iter=5000).fit(X.to_numpy(), y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the first version has nothing to differ from
        reg.register(clf, "cancer", input_example=X.to_numpy()[:3])
    named = LogisticRegression(max_iter=5000).fit(X, y)
    with pytest.warns(SignatureChangeWarning) as caught:
        second = reg.register(named, "cancer", input_example=X.head(3))
    (message,) = [str(w.message) for w in caught]
    assert message.startswith("The input columns differ from version 1's: added mean radius, ")
    assert "and 22 more; removed f0, f1" in message  # 30 columns, the first 8 named
    assert second.version == 2  # registered all the same
    assert reg.signature_change("cancer", second.signature) is None
    retyped = X.astype({"mean radius": "float32"}).head(3)
    change = reg.signature_change("cancer", {"inputs": [
        {"name": str(c), "dtype": str(t)} for c, t in retyped.dtypes.items()]})
    assert change["retyped"] == [{"name": "mean radius", "from": "float64", "to": "float32"}]
    assert "retyped mean radius (float64 → float32)" in change["message"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no example: nothing known to compare
        reg.register(named, "cancer")
    assert reg.signature_change("no-such-model", second.signature) is None
