"""Artifacts: content-addressed, atomic, contained; garbage collected when orphaned."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mlops_lab.errors import InvalidInput, NotFound
from mlops_lab.store.gc import collect_garbage


@pytest.fixture
def run(svc):
    return svc.create_run(svc.get_or_create_experiment("art").id)


def test_logged_files_and_folders_are_listed_and_read_back(svc, run, tmp_path):
    (tmp_path / "report.txt").write_text("hello")
    folder = tmp_path / "plots"
    (folder / "sub").mkdir(parents=True)
    (folder / "roc.json").write_text("{}")
    (folder / "sub" / "pr.json").write_text("[]")
    svc.log_artifact(run.id, tmp_path / "report.txt")
    svc.log_artifact(run.id, folder)
    svc.log_artifact_bytes(run.id, b"\x00\x01", "raw/data.bin")
    listed = {a.path: a for a in svc.list_artifacts(run.id)}
    assert set(listed) == {"report.txt", "plots/roc.json", "plots/sub/pr.json", "raw/data.bin"}
    assert listed["report.txt"].size == 5 and listed["report.txt"].media_type == "text/plain"
    info, stream = svc.open_artifact(run.id, "plots/sub/pr.json")
    with stream:
        assert stream.read() == b"[]"


def test_a_folder_with_a_link_out_of_it_is_refused_and_nothing_is_stored(svc, run, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    folder = tmp_path / "outputs"
    (folder / "sub").mkdir(parents=True)
    (folder / "ok.txt").write_text("fine")
    (folder / "sub" / "passwd").symlink_to("/etc/passwd")
    with pytest.raises(InvalidInput, match="'sub/passwd' is a symbolic link to '/etc/passwd'"):
        svc.log_artifact(run.id, folder)
    (folder / "sub" / "passwd").unlink()
    (folder / "up").symlink_to(tmp_path)  # a linked folder that leads out of it
    with pytest.raises(InvalidInput, match="outside the folder"):
        svc.log_artifact(run.id, folder)
    assert svc.list_artifacts(run.id) == []
    (folder / "up").unlink()
    (folder / "same.txt").symlink_to(folder / "ok.txt")  # within the folder: its own content
    svc.log_artifact(run.id, folder)
    assert {a.path for a in svc.list_artifacts(run.id)} == {"outputs/ok.txt", "outputs/same.txt"}
    stored = [p.read_bytes() for p in Path(svc.store.artifacts.root).rglob("*") if p.is_file()]
    assert b"root:x:0:0" not in stored and not any(b"root:" in b for b in stored)


def test_same_content_is_stored_once(svc, run):
    a = svc.log_artifact_bytes(run.id, b"same bytes", "a.txt")
    b = svc.log_artifact_bytes(run.id, b"same bytes", "b/b.txt")
    assert a.blob == b.blob
    assert sum(1 for _ in svc.store.artifacts.blobs()) == 1


@pytest.mark.parametrize("path", ["/etc/passwd", "C:\\x", "\\\\host\\share", "x#/../y",
                                  "../secret", "a/../../b", "a//b", "./a", "a\x00b", ""])
def test_paths_that_could_escape_are_refused(svc, run, path):
    with pytest.raises(InvalidInput):
        svc.log_artifact_bytes(run.id, b"x", path)
    with pytest.raises(InvalidInput):
        svc.open_artifact(run.id, path)


def test_an_encoded_traversal_is_just_a_missing_name(svc, run):
    # Names are never paths on disk: "..%2f" decoded once is a harmless, unknown name.
    with pytest.raises(NotFound):
        svc.open_artifact(run.id, "..%2fetc%2fpasswd")


def test_a_failed_blob_write_leaves_no_row_and_no_temp_file(svc, run, monkeypatch):
    store = svc.store.artifacts

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space"):
        svc.log_artifact_bytes(run.id, b"payload", "model.bin")
    monkeypatch.undo()
    assert svc.list_artifacts(run.id) == []
    leftovers = [p for p in Path(store.root).rglob("*") if p.is_file()]
    assert leftovers == []


def test_gc_collects_only_old_orphans(svc, run):
    kept = svc.log_artifact_bytes(run.id, b"referenced", "keep.txt")
    orphan, _ = svc.store.artifacts.put_bytes(b"orphan: its row was never committed")
    fresh, _ = svc.store.artifacts.put_bytes(b"written a moment ago")
    old = time.time() - 7200
    for blob in (orphan, kept.blob):
        path = svc.store.artifacts._path(blob)
        os.utime(path, (old, old))
    dry = collect_garbage(svc.store, grace_seconds=3600, dry_run=True)
    assert dry["blobs"] == [orphan] and svc.store.artifacts.exists(orphan)
    result = collect_garbage(svc.store, grace_seconds=3600)
    assert result["deleted"] == 1
    assert not svc.store.artifacts.exists(orphan)
    assert svc.store.artifacts.exists(kept.blob) and svc.store.artifacts.exists(fresh)


def test_gc_removes_temp_files_of_a_crashed_write(svc, run):
    folder = Path(svc.store.artifacts.root) / "blobs" / "ab"
    folder.mkdir(parents=True)
    temp = folder / ".tmp-crashed"
    temp.write_bytes(b"half a blob")
    old = time.time() - 7200
    os.utime(temp, (old, old))
    assert collect_garbage(svc.store, grace_seconds=3600)["temp_files_removed"] == 1
    assert not temp.exists()


def test_relogging_existing_content_protects_it_from_gc(svc, run):
    blob, _ = svc.store.artifacts.put_bytes(b"shared")
    old = time.time() - 7200
    os.utime(svc.store.artifacts._path(blob), (old, old))
    svc.store.artifacts.put_bytes(b"shared")  # a writer about to commit its row reuses it
    assert collect_garbage(svc.store, grace_seconds=3600)["deleted"] == 0


def test_any_fsspec_filesystem_can_hold_the_artifacts(tmp_path, monkeypatch):
    """MLOPS_LAB_ARTIFACTS may name a remote store; fsspec's memory filesystem stands in for
    s3:// here, exercising the same non-local code path."""
    from mlops_lab.store import close_all, open_store
    from mlops_lab.tracking.service import TrackingService

    store = open_store(f"sqlite:///{tmp_path / 'm.db'}", "memory://mlops-lab-test/artifacts")
    try:
        svc = TrackingService(store)
        assert not store.artifacts.is_local
        run = svc.create_run(svc.get_or_create_experiment("remote").id)
        (tmp_path / "f.txt").write_text("remote bytes")
        svc.log_artifact(run.id, tmp_path / "f.txt", "docs/f.txt")
        info, stream = svc.open_artifact(run.id, "docs/f.txt")
        with stream:
            assert stream.read() == b"remote bytes"
        assert [b for b, _ in store.artifacts.blobs()] == [info.blob]
    finally:
        close_all()
