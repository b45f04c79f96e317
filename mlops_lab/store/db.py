"""One database, reached through SQLAlchemy: engine set-up and the two kinds of transaction.

Every SQLite connection gets WAL, a busy timeout and foreign keys. Writes take the write lock up
front (`BEGIN IMMEDIATE`) so two writers queue instead of deadlocking half-way, and a lock held
longer than the busy timeout becomes a clear `StoreBusy` instead of a hang.
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from ..errors import StoreBusy

_BUSY = re.compile(r"database is locked|database table is locked|lock timeout|could not obtain lock")


def normalise_uri(uri: str) -> str:
    """`postgresql://` means psycopg 3 here (the driver mlops-lab installs)."""
    if uri.startswith("postgresql://") or uri.startswith("postgres://"):
        return "postgresql+psycopg://" + uri.split("://", 1)[1]
    return uri


def redact(uri: str) -> str:
    """The URI with any password hidden, for display."""
    try:
        return make_url(uri).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy understands: show nothing sensitive
        return uri.split("@")[-1]


class Database:
    def __init__(self, uri: str, busy_timeout: float = 10.0):
        self.uri = normalise_uri(uri)
        self.busy_timeout = busy_timeout
        self.dialect = make_url(self.uri).get_backend_name()
        self.is_sqlite = self.dialect == "sqlite"
        self.engine = self._create_engine()
        self._local = threading.local()

    @property
    def sqlite_path(self) -> str | None:
        return make_url(self.uri).database if self.is_sqlite else None

    def _create_engine(self) -> Engine:
        if not self.is_sqlite:
            return create_engine(
                self.uri,
                pool_pre_ping=True,
                connect_args={"options": f"-c lock_timeout={int(self.busy_timeout * 1000)}"},
            )
        path = self.sqlite_path
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = create_engine(
            self.uri,
            connect_args={"timeout": self.busy_timeout, "check_same_thread": False},
        )
        sync = os.environ.get("MLOPS_LAB_SQLITE_SYNC", "NORMAL").upper()
        if sync not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            sync = "NORMAL"

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            # Let SQLAlchemy's "begin" event decide how each transaction starts.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            # Small pages for a new database file (no effect on an existing one): a commit
            # writes whole pages, and metadata rows are small.
            cur.execute("PRAGMA page_size=1024")
            cur.execute("PRAGMA journal_mode=WAL")
            # Checkpoint the WAL every ~4 MiB (SQLite's default is 1000 pages, 1 MiB here).
            cur.execute("PRAGMA wal_autocheckpoint=4000")
            cur.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            cur.execute("PRAGMA foreign_keys=ON")
            # WAL + NORMAL: a commit survives the process dying the moment it returns;
            # MLOPS_LAB_SQLITE_SYNC=FULL also survives power loss, at the price of an fsync each.
            cur.execute(f"PRAGMA synchronous={sync}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            write = conn.get_execution_options().get("mlops_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A short write transaction holding the write lock from its first statement."""
        with self._translate_busy():
            with self.engine.connect() as conn:
                conn.execution_options(mlops_write=True)
                with conn.begin():
                    yield conn

    @contextmanager
    def raw_write(self):
        """A write transaction on the bare DB-API cursor, for the few hot paths where
        SQLAlchemy's per-statement overhead would dominate (metric logging). Statements must be
        precompiled with `compile_sql`. On SQLite each thread keeps one connection for this, so
        a call costs little more than SQLite's own commit."""
        with self._translate_busy():
            conn = self._hot_connection()
            cursor = conn.cursor()
            try:
                if self.is_sqlite:
                    cursor.execute("BEGIN IMMEDIATE")
                yield cursor
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            finally:
                cursor.close()
                if not self.is_sqlite:
                    conn.close()  # back to the pool

    def write_rows(self, statements) -> None:
        """Runs `(sql, rows)` pairs in one write transaction. The path of every logged metric,
        so it is kept free of context-manager layers; rows is a list of parameter dicts."""
        if not self.is_sqlite:
            with self.raw_write() as cursor:
                for sql, rows in statements:
                    cursor.executemany(sql, rows)
            return
        conn = self._sqlite_connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
            for sql, rows in statements:
                if len(rows) == 1:
                    conn.execute(sql, rows[0])
                else:
                    conn.executemany(sql, rows)
            conn.commit()
        except BaseException as exc:
            conn.rollback()
            if isinstance(exc, self.engine.dialect.dbapi.OperationalError):
                with self._translate_busy():
                    raise
            raise

    def _sqlite_connection(self):
        """This thread's own sqlite3 connection (set up by the engine's connect event)."""
        conn = getattr(self._local, "sqlite", None)
        if conn is None or self._local.pid != os.getpid():
            conn = self._local.sqlite = self._hot_connection().driver_connection
        return conn

    def _hot_connection(self):
        if not self.is_sqlite:
            return self.engine.raw_connection()
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = self._local.conn = self.engine.raw_connection()
            self._local.pid = os.getpid()  # a forked child must not share its parent's handle
        return conn

    def compile_sql(self, statement) -> str:
        """SQL text for `raw_write`, taking named parameters as a dict."""
        dialect = self.engine.dialect
        if self.is_sqlite:
            from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

            dialect = sqlite_dialect(paramstyle="named")
        return str(statement.compile(dialect=dialect))

    @property
    def integrity_error(self) -> type[Exception]:
        return self.engine.dialect.dbapi.IntegrityError

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._translate_busy():
            with self.engine.connect() as conn:
                with conn.begin():
                    yield conn

    @contextmanager
    def _translate_busy(self):
        try:
            yield
        except (OperationalError, DBAPIError, self.engine.dialect.dbapi.OperationalError) as exc:
            if _BUSY.search(str(getattr(exc, "orig", None) or exc).lower()):
                raise StoreBusy(
                    f"The store is busy: another process held its write lock for more than "
                    f"{self.busy_timeout:g} s. Try again; set MLOPS_LAB_BUSY_TIMEOUT to wait longer."
                ) from None
            raise

    def dispose(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        self.engine.dispose()
