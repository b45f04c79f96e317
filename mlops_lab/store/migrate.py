"""Schema versions: bring a database to the schema this code needs, once, safely.

- An empty database is created at the newest revision.
- An older one is upgraded, after a backup (SQLite: a copy of the file beside it). PostgreSQL
  databases holding data are upgraded only by an explicit `mlops-lab db upgrade`, since the
  backup of a server database is the operator's (pg_dump) and should not happen behind their back.
- A database written by a newer mlops-lab is refused with a clear message.
- Processes starting at once on an empty database migrate it once: a file lock (SQLite) or an
  advisory lock (PostgreSQL) serialises them, and each re-checks the revision under the lock.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from ..errors import SchemaError
from .db import Database

log = logging.getLogger("mlops_lab.store")

# The newest revision in migrations/versions (a test checks it against Alembic's head).
HEAD = "0020"
_PG_LOCK_KEY = 0x6D6C6F7073  # "mlops"
_MIGRATIONS = Path(__file__).parent / "migrations"


def current_revision(db: Database) -> str | None:
    with db.read() as conn:
        if not db.engine.dialect.has_table(conn, "alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ensure_schema(db: Database) -> None:
    """Called whenever a store is opened: cheap when the schema is already current."""
    if current_revision(db) == HEAD:
        return
    with _migration_lock(db):
        revision = current_revision(db)
        if revision == HEAD:
            return
        _check_known(revision)
        if revision is not None and not db.is_sqlite:
            raise SchemaError(
                f"The database is at schema {revision}; this mlops-lab needs {HEAD}. "
                "Back it up (pg_dump), then run `mlops-lab db upgrade`."
            )
        backup = _upgrade(db, revision)
        if backup:
            log.info("mlops-lab: upgraded the store's database from schema %s to %s; the "
                     "database before it is kept at %s", revision, HEAD, backup)


def upgrade(db: Database) -> dict:
    """`mlops-lab db upgrade`: upgrade to the newest schema (backing up SQLite first)."""
    with _migration_lock(db):
        revision = current_revision(db)
        _check_known(revision)
        backup = _upgrade(db, revision) if revision != HEAD else None
    return {"from": revision, "to": HEAD, "backup": backup}


def _check_known(revision: str | None) -> None:
    if revision is None:
        return
    from alembic.script import ScriptDirectory

    try:
        known = ScriptDirectory(str(_MIGRATIONS)).get_revision(revision) is not None
    except Exception:
        known = False
    if not known:
        raise SchemaError(
            f"The database was written by a newer mlops-lab (schema {revision!r}; this version "
            f"knows up to {HEAD!r}). Upgrade mlops-lab (pip install -U mlops_lab) to use it."
        )


def _upgrade(db: Database, revision: str | None) -> str | None:
    backup = _backup_sqlite(db, revision) if revision is not None and db.is_sqlite else None
    migrate_to(db, "head")
    return backup


def migrate_to(db: Database, target: str) -> None:
    """Runs Alembic's migrations up to `target` (a revision or "head"), without locks or
    backups: callers hold the migration lock (tests use it to build older databases)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with db.engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)
        conn.commit()


def _backup_sqlite(db: Database, revision: str) -> str:
    path = Path(db.sqlite_path)
    target = path.with_name(f"{path.name}.backup-{revision}-{time.strftime('%Y%m%d-%H%M%S')}")
    src, dst = sqlite3.connect(path), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return str(target)


@contextmanager
def _migration_lock(db: Database):
    if db.is_sqlite:
        from filelock import FileLock

        path = db.sqlite_path
        if not path or path == ":memory:":
            yield
            return
        with FileLock(path + ".migrate.lock", timeout=max(60.0, db.busy_timeout)):
            yield
        return
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()
