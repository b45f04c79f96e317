"""TrackingService on SQLite and PostgreSQL: the rules every entry point relies on."""

from __future__ import annotations

import json
import math
import unicodedata

import pytest

from mlops_lab.errors import Conflict, InvalidInput, MlopsLabError, NotFound


@pytest.fixture
def exp(svc):
    return svc.get_or_create_experiment("demo")


def test_experiment_is_created_once_and_counts_runs(svc):
    first = svc.get_or_create_experiment("demo")
    again = svc.get_or_create_experiment("demo")
    assert first.id == again.id
    svc.create_run(first.id)
    svc.create_run(first.id)
    (listed,) = [e for e in svc.list_experiments() if e.name == "demo"]
    assert listed.run_count == 2 and listed.last_run_at is not None
    assert svc.find_experiment(str(first.id)).name == "demo"
    assert svc.find_experiment("demo").id == first.id
    with pytest.raises(NotFound, match="mlops-lab experiments"):
        svc.find_experiment("nope")


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b", "\u202eevil", "🚀 rocket",
                                  "<img src=x onerror=alert(1)>"])
def test_odd_names_are_stored_as_text(svc, exp, name):
    run = svc.create_run(exp.id, name=name)
    assert svc.get_run(run.id).name == name
    assert svc.get_or_create_experiment(name).name == name


@pytest.mark.parametrize("name,message", [("a\x00b", "NUL"), ("x" * 10_000, "at most"),
                                          ("   ", "empty")])
def test_bad_names_are_refused(svc, exp, name, message):
    with pytest.raises(InvalidInput, match=message):
        svc.create_run(exp.id, name=name)


def test_params_are_fixed_once_logged_and_batches_are_all_or_nothing(svc, exp):
    run = svc.create_run(exp.id)
    svc.log_params(run.id, {"C": 1.0, "model": "rf"})
    svc.log_params(run.id, {"C": 1.0})  # same value again is fine
    with pytest.raises(Conflict, match="already '1.0'"):
        svc.log_params(run.id, {"new": 5, "C": 2.0})
    assert svc.get_run(run.id).params == {"C": "1.0", "model": "rf"}  # "new" not written


def test_unicode_keys_differing_only_in_normalisation_are_one_key(svc, exp):
    run = svc.create_run(exp.id)
    nfc, nfd = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    assert nfc != nfd
    svc.log_params(run.id, {nfc: "1"})
    with pytest.raises(Conflict):
        svc.log_params(run.id, {nfd: "2"})
    svc.log_metrics(run.id, {nfd: 0.5})
    assert list(svc.get_run(run.id).metrics) == [nfc]
    assert [m.value for m in svc.metric_history(run.id, nfd)] == [0.5]


def test_non_finite_metrics_are_kept_losslessly_and_served_as_valid_json(svc, exp):
    run = svc.create_run(exp.id)
    svc.log_metrics(run.id, {"nan": math.nan, "inf": math.inf, "ninf": -math.inf,
                             "big": float("1e309"), "tiny": 5e-324})
    metrics = svc.get_run(run.id).metrics
    assert math.isnan(metrics["nan"]) and metrics["inf"] == math.inf
    assert metrics["ninf"] == -math.inf and metrics["big"] == math.inf and metrics["tiny"] == 5e-324
    text = json.dumps(svc.get_run(run.id).to_json(), allow_nan=False)
    assert json.loads(text)["metrics"]["nan"] == "NaN"


def test_metric_history_and_latest_value(svc, exp):
    run = svc.create_run(exp.id)
    for step, value in [(0, 0.5), (2, 0.9), (1, 0.7)]:
        svc.log_metrics(run.id, {"acc": value}, step=step)
    assert [(m.step, m.value) for m in svc.metric_history(run.id, "acc")] == [
        (0, 0.5), (1, 0.7), (2, 0.9)]
    assert svc.get_run(run.id).metrics["acc"] == 0.9  # the highest step wins, not the last call


@pytest.mark.parametrize("value", ["high", None, [1], True])
def test_metric_values_must_be_numbers(svc, exp, value):
    run = svc.create_run(exp.id)
    with pytest.raises(InvalidInput, match="must be a number"):
        svc.log_metrics(run.id, {"m": value})


@pytest.mark.parametrize("key", [("tuple",), None, 3, "", "a\x00b"])
def test_metric_names_must_be_text(svc, exp, key):
    run = svc.create_run(exp.id)
    with pytest.raises(InvalidInput):
        svc.log_metrics(run.id, {key: 1.0})


def test_numpy_scalars_are_numbers(svc, exp):
    np = pytest.importorskip("numpy")
    run = svc.create_run(exp.id)
    svc.log_metrics(run.id, {"a": np.float32(0.25), "b": np.int64(3)})
    assert svc.get_run(run.id).metrics == {"a": 0.25, "b": 3.0}


def test_writes_to_an_unknown_run_are_not_found(svc):
    with pytest.raises(NotFound):
        svc.log_metrics("0" * 32, {"m": 1})
    with pytest.raises(NotFound):
        svc.log_params("0" * 32, {"p": 1})
    with pytest.raises(NotFound):
        svc.end_run("0" * 32)
    with pytest.raises(NotFound):
        svc.get_run("0" * 32)


def test_run_lifecycle_and_info(svc, exp):
    parent = svc.create_run(exp.id, name="parent", tags={"team": "vision"})
    child = svc.create_run(exp.id, name="child", parent_run_id=parent.id,
                           source={"cell": "x = 1", "cell_hash": "h"})
    svc.update_run_info(child.id, environment={"git": {"commit": "abc"}})
    svc.update_run_info(child.id, environment={"python": "3.11"})
    svc.end_run(child.id, "FAILED", "ValueError: boom")
    got = svc.get_run(child.id)
    assert got.parent_run_id == parent.id and got.status == "FAILED"
    assert got.error == "ValueError: boom" and got.duration_ms is not None
    assert got.source["cell"] == "x = 1"
    assert got.environment == {"git": {"commit": "abc"}, "python": "3.11"}
    assert svc.get_run(parent.id).tags == {"team": "vision"}
    with pytest.raises(InvalidInput):
        svc.end_run(parent.id, "DONE")


def test_tags_can_be_changed(svc, exp):
    run = svc.create_run(exp.id)
    svc.set_tags(run.id, {"stage": "dev"})
    svc.set_tags(run.id, {"stage": "prod", "owner": "ana"})
    assert svc.get_run(run.id).tags == {"stage": "prod", "owner": "ana"}


def test_runs_are_found_by_a_unique_id_prefix(svc, exp):
    run = svc.create_run(exp.id)
    assert svc.find_run_id(run.id[:6].upper()) == run.id
    assert svc.find_run_id(run.id) == run.id
    with pytest.raises(InvalidInput, match="not a run id"):
        svc.find_run_id("ab")
    with pytest.raises(InvalidInput, match="not a run id"):
        svc.find_run_id("zz' or 1=1 --")


def test_experiments_are_named_by_name_or_id(svc, exp):
    other = svc.get_or_create_experiment("other")
    assert svc.experiment_ids(None) is None and svc.experiment_ids([]) is None
    assert svc.experiment_ids("demo") == [exp.id]
    assert svc.experiment_ids([str(other.id), "demo"]) == [other.id, exp.id]


def test_run_links_record_what_a_run_read_and_made(svc, exp):
    run = svc.create_run(exp.id)
    svc.link_run(run.id, "output", "model_version", "churn/1", "churn v1")
    svc.link_run(run.id, "input", "snapshot", "abc123", "customers@3")
    svc.link_run(run.id, "input", "snapshot", "abc123", "customers@3")  # idempotent
    links = svc.get_run(run.id).links
    assert [(link.direction, link.kind, link.label) for link in links] == [
        ("input", "snapshot", "customers@3"), ("output", "model_version", "churn v1")]
    assert svc.get_run(run.id).to_json()["links"][0]["ref"] == "abc123"
    assert svc.runs_linked_to("snapshot", "abc123") == [(run.id, "input")]
    with pytest.raises(InvalidInput, match="direction"):
        svc.link_run(run.id, "sideways", "snapshot", "x", "x")
    with pytest.raises(NotFound):
        svc.link_run("0" * 32, "input", "snapshot", "x", "x")


def test_forget_artifact_removes_the_row_and_keeps_the_blob_for_gc(svc, exp):
    run = svc.create_run(exp.id)
    kept = svc.log_artifact_bytes(run.id, b"{}", "output.ipynb")
    svc.log_artifact_bytes(run.id, b"other", "notes.txt")
    svc.forget_artifact(run.id, "output.ipynb")
    assert [a.path for a in svc.list_artifacts(run.id)] == ["notes.txt"]
    assert svc.store.artifacts.exists(kept.blob)  # `mlops-lab gc` collects it later
    with pytest.raises(InvalidInput):
        svc.forget_artifact(run.id, "../outside")


@pytest.fixture
def logged(svc, exp):
    run = svc.create_run(exp.id)
    for path, data in (("models/clf.skops", b"model"), ("models/meta/schema.csv", b"a,b"),
                       ("models_old/x.bin", b"old"), ("100%_done/x.txt", b"pct"),
                       ("notes.txt", b"hello")):
        svc.log_artifact_bytes(run.id, data, path)
    return run.id


def test_list_artifacts_of_a_file_or_a_folder(svc, logged):
    assert [a.path for a in svc.list_artifacts(logged, "models")] == [
        "models/clf.skops", "models/meta/schema.csv"]  # not models_old/
    assert [a.path for a in svc.list_artifacts(logged, "models/")] == [
        "models/clf.skops", "models/meta/schema.csv"]
    assert [a.path for a in svc.list_artifacts(logged, "notes.txt")] == ["notes.txt"]
    assert [a.path for a in svc.list_artifacts(logged, "100%_done")] == ["100%_done/x.txt"]
    with pytest.raises(NotFound, match="no artifact or folder '100%'"):  # % is no wildcard
        svc.list_artifacts(logged, "100%")
    with pytest.raises(NotFound, match="no artifact or folder 'model'"):
        svc.list_artifacts(logged, "model")
    with pytest.raises(InvalidInput):
        svc.list_artifacts(logged, "../models")


def test_download_a_file_and_a_folder(svc, logged, tmp_path, monkeypatch):
    local, written = svc.download_artifact(logged, "models/clf.skops", tmp_path / "clf.bin")
    assert local == tmp_path / "clf.bin" and local.read_bytes() == b"model"
    assert [a.path for a in written] == ["models/clf.skops"]
    into = tmp_path / "into"
    into.mkdir()
    local, _ = svc.download_artifact(logged, "models/clf.skops", into)
    assert local == into / "clf.skops" and local.read_bytes() == b"model"
    monkeypatch.chdir(tmp_path)
    local, _ = svc.download_artifact(logged, "notes.txt", "relative.txt")  # a bare file name
    assert (tmp_path / "relative.txt").read_bytes() == b"hello"
    local, written = svc.download_artifact(logged, "models", tmp_path / "saved")
    assert local == tmp_path / "saved" and len(written) == 2
    assert (local / "meta" / "schema.csv").read_bytes() == b"a,b"
    assert not list(tmp_path.rglob(".tmp-*"))  # no temp files left behind


def test_download_never_overwrites_unless_asked_and_writes_nothing_partial(svc, logged, tmp_path):
    saved = tmp_path / "saved"
    (saved / "meta").mkdir(parents=True)
    (saved / "meta" / "schema.csv").write_bytes(b"mine")
    with pytest.raises(InvalidInput, match="Not overwriting .*overwrite=True"):
        svc.download_artifact(logged, "models", saved)
    assert not (saved / "clf.skops").exists()  # checked before anything was written
    assert (saved / "meta" / "schema.csv").read_bytes() == b"mine"
    svc.download_artifact(logged, "models", saved, overwrite=True)
    assert (saved / "meta" / "schema.csv").read_bytes() == b"a,b"


def test_download_stays_inside_the_destination(svc, logged, tmp_path):
    outside, saved = tmp_path / "outside", tmp_path / "saved"
    outside.mkdir()
    saved.mkdir()
    (saved / "meta").symlink_to(outside)  # a link inside dst that leads out of it
    with pytest.raises(InvalidInput, match="resolves outside"):
        svc.download_artifact(logged, "models", saved)
    assert list(outside.iterdir()) == [] and list(saved.iterdir()) == [saved / "meta"]


def test_download_refuses_bytes_that_do_not_match_their_hash(svc, logged, tmp_path):
    (info,) = svc.list_artifacts(logged, "notes.txt")
    blob = svc.store.artifacts._path(info.blob)
    with open(blob, "wb") as f:  # damaged on disk after it was stored
        f.write(b"HELLO")
    out = tmp_path / "out"
    with pytest.raises(MlopsLabError, match="do not match their hash"):
        svc.download_artifact(logged, "notes.txt", out / "notes.txt")
    assert list(out.iterdir()) == []
