"""Store plumbing: schema versions, migrations, locking, crash marking."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from mlops_lab.errors import SchemaError, StoreBusy
from mlops_lab.store import close_all, migrate, open_store
from mlops_lab.store.db import Database


def _python(code: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=timeout)


def test_head_constant_is_alembics_head():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory(str(migrate._MIGRATIONS)).get_current_head() == migrate.HEAD


def test_migrations_build_exactly_the_schema_the_code_uses(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from mlops_lab.store.schema import metadata

    with store.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(store_home):
    db = open_store().db
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_an_older_sqlite_database_is_upgraded_after_a_backup(tmp_path):
    path = tmp_path / "old.db"
    db = Database(f"sqlite:///{path}")
    migrate.migrate_to(db, "0001")
    with db.write() as conn:
        conn.execute(text("INSERT INTO experiments (name, created_at) VALUES ('kept', 1)"))
    db.dispose()
    store = open_store(f"sqlite:///{path}", str(tmp_path / "artifacts"))
    try:
        assert migrate.current_revision(store.db) == migrate.HEAD
        with store.db.read() as conn:
            assert conn.execute(text("SELECT name FROM experiments")).scalar() == "kept"
        (backup,) = list(tmp_path.glob("old.db.backup-0001-*"))
        old = sqlite3.connect(backup)
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        old.close()
    finally:
        close_all()


def test_versions_whose_trusted_types_came_from_their_file_lose_them_on_upgrade(tmp_path):
    """Before 0013 a run's file had the types it named trusted at registration: those lists
    were never reviewed, so the upgrade empties them and loading refuses such a version."""
    from mlops_lab.errors import InvalidInput
    from mlops_lab.models.service import ModelService

    path = tmp_path / "old.db"
    db = Database(f"sqlite:///{path}")
    migrate.migrate_to(db, "0012")
    rows = [("from-file", '["evil.Type", "sklearn.tree._tree.Tree"]', "models/clf.skops"),
            ("live", '["sklearn.tree._tree.Tree"]', None)]
    with db.write() as conn:
        conn.execute(text("INSERT INTO models (id, name, latest_version, created_at, updated_at)"
                          " VALUES (1, 'm', 2, 0, 0)"))
        for version, (_, types, artifact) in enumerate(rows, start=1):
            conn.execute(text(
                "INSERT INTO model_versions (model_id, version, format, model_class, blob, "
                "size, trusted_types, signature, requirements, artifact, source, inputs, "
                "params, metrics, card, created_at, created_by) VALUES (1, :v, 'skops', "
                "'x.Y', 'b', 1, :types, '{}', '{}', :artifact, '{}', '[]', '{}', '{}', '', 0, "
                "'u')"), {"v": version, "types": types, "artifact": artifact})
    db.dispose()
    store = open_store(f"sqlite:///{path}", str(tmp_path / "artifacts"))
    try:
        reg = ModelService(store)
        assert reg.get_version("m", 1).trusted_types == []
        assert reg.get_version("m", 2).trusted_types == ["sklearn.tree._tree.Tree"]
        blob, _ = store.artifacts.put_bytes(_forest_file())
        with store.db.write() as conn:
            conn.execute(text("UPDATE model_versions SET blob = :b"), {"b": blob})
        with pytest.raises(InvalidInput, match="sklearn.tree._tree.Tree"):
            reg.load("m/1")
        assert type(reg.load("m/2")[1]).__name__ == "RandomForestClassifier"
    finally:
        close_all()


def _forest_file() -> bytes:
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier

    from mlops_lab.tracking.capture_models import serialize_estimator

    X = np.random.default_rng(0).random((20, 2))
    return serialize_estimator(RandomForestClassifier(n_estimators=2).fit(X, X[:, 0] > 0.5))[0]


def test_a_database_from_a_newer_version_is_refused_clearly(tmp_path):
    path = tmp_path / "new.db"
    db = Database(f"sqlite:///{path}")
    migrate.migrate_to(db, "head")
    with db.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    db.dispose()
    with pytest.raises(SchemaError, match="newer mlops-lab"):
        open_store(f"sqlite:///{path}", str(tmp_path / "artifacts"))
    close_all()


@pytest.mark.postgres
def test_an_older_postgresql_database_waits_for_an_explicit_upgrade(new_pg_database):
    url = new_pg_database()
    db = Database(url)
    migrate.migrate_to(db, "0001")
    with pytest.raises(SchemaError, match="mlops-lab db upgrade"):
        migrate.ensure_schema(db)
    result = migrate.upgrade(db)
    assert result["from"] == "0001" and result["to"] == migrate.HEAD
    assert migrate.current_revision(db) == migrate.HEAD
    db.dispose()


def _concurrent_first_starts(uri: str, home: Path, count: int = 4) -> list[subprocess.Popen]:
    code = textwrap.dedent("""
        from mlops_lab.store import open_store
        from mlops_lab.tracking.service import TrackingService
        svc = TrackingService(open_store())
        print(svc.get_or_create_experiment("shared").id)
    """)
    env = {**os.environ, "MLOPS_LAB_URI": uri, "MLOPS_LAB_HOME": str(home)}
    return [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(count)]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_concurrent_first_starts_migrate_once_and_create_one_experiment(backend, tmp_path, request):
    uri = (f"sqlite:///{tmp_path / 'fresh.db'}" if backend == "sqlite"
           else request.getfixturevalue("new_pg_database")())
    procs = _concurrent_first_starts(uri, tmp_path / ".mlops-lab")
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert len({out.strip() for out, _ in outputs}) == 1  # everyone got the same experiment
    db = Database(uri)
    with db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM experiments WHERE name = 'shared'")).scalar() == 1
    db.dispose()


@contextmanager
def write_lock_held_by_another_connection(path: Path):
    """Holds the database's write lock from another connection until the block sets the
    yielded event (or ends)."""
    release, held = threading.Event(), threading.Event()

    def hold():
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        release.wait(30)
        conn.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        yield release
    finally:
        release.set()
        holder.join()


def _service_with_busy_timeout(monkeypatch, seconds: str):
    from mlops_lab.tracking.service import TrackingService

    monkeypatch.setenv("MLOPS_LAB_BUSY_TIMEOUT", seconds)
    close_all()
    return TrackingService(open_store())


def test_a_write_lock_held_past_the_busy_timeout_is_store_busy(store_home, monkeypatch):
    svc = _service_with_busy_timeout(monkeypatch, "0.3")
    exp = svc.get_or_create_experiment("busy")
    run = svc.create_run(exp.id)
    with write_lock_held_by_another_connection(Path(svc.db.sqlite_path)):
        with pytest.raises(StoreBusy, match="store is busy"):
            svc.create_run(exp.id)
        with pytest.raises(StoreBusy, match="store is busy"):
            svc.log_metrics(run.id, {"loss": 0.5})
    svc.create_run(exp.id)  # once the lock is gone, writes go through
    svc.log_metrics(run.id, {"loss": 0.5})
    assert svc.get_run(run.id).metrics == {"loss": 0.5}


def test_a_write_waits_for_a_short_lock(store_home, monkeypatch):
    svc = _service_with_busy_timeout(monkeypatch, "20")
    exp = svc.get_or_create_experiment("short")
    with write_lock_held_by_another_connection(Path(svc.db.sqlite_path)) as release:
        # The lock holder lets go a moment after our write has started waiting.
        threading.Timer(0.2, release.set).start()
        run = svc.create_run(exp.id)
    assert svc.get_run(run.id).status == "RUNNING"


def test_a_run_of_a_killed_process_is_marked_killed_and_keeps_its_data(store_home):
    code = """
        import os, sys
        import mlops_lab as ml
        run = ml.start_run("doomed")
        ml.log_param("lr", 0.1)
        ml.log_metric("loss", 0.5)
        print(run.id, flush=True)
        sys.stdin.readline()  # wait here until killed
    """
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    run_id = proc.stdout.readline().strip()
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    from mlops_lab.tracking import fluent

    svc = fluent.service()
    assert svc.get_run(run_id).status == "RUNNING"
    assert svc.sweep_dead_runs() == 1
    run = svc.get_run(run_id)
    assert run.status == "KILLED" and "ended while the run was active" in run.error
    assert run.params == {"lr": "0.1"} and run.metrics == {"loss": 0.5}


def test_a_run_without_heartbeat_is_marked_killed(svc):
    exp = svc.get_or_create_experiment("hb")
    run = svc.create_run(exp.id)
    with svc.db.write() as conn:  # as if its process lived on another host and went silent
        conn.execute(text("UPDATE runs SET host = 'elsewhere', heartbeat_at = 0 WHERE id = :i"),
                     {"i": run.id})
    assert svc.sweep_dead_runs(heartbeat_seconds=15) == 1
    assert "No heartbeat" in svc.get_run(run.id).error
