"""Shared fixtures: an isolated store per test, on SQLite and on the machine's PostgreSQL."""

from __future__ import annotations

import os
import pathlib
import uuid

import pytest

PG_ADMIN_URL = os.environ.get("MLOPS_LAB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _reset_process_state() -> None:
    from mlops_lab.services import forget
    from mlops_lab.store import close_all
    from mlops_lab.tracking import fluent

    fluent._stack.clear()
    forget()
    fluent._swept.clear()
    fluent._experiment_name = None
    close_all()


@pytest.fixture
def store_home(tmp_path, monkeypatch):
    """A fresh `.mlops-lab` home (SQLite + local artifacts) that the whole process uses."""
    home = tmp_path / ".mlops-lab"
    monkeypatch.setenv("MLOPS_LAB_HOME", str(home))
    for name in ("MLOPS_LAB_URI", "MLOPS_LAB_ARTIFACTS", "MLOPS_LAB_EXPERIMENT"):
        monkeypatch.delenv(name, raising=False)
    _reset_process_state()
    yield home
    from mlops_lab.tracking import background

    background.flush()
    _reset_process_state()


@pytest.fixture(scope="session")
def pg_url():
    """A PostgreSQL database of its own for this test session, dropped at the end."""
    from sqlalchemy import create_engine, text

    from mlops_lab.store.db import normalise_uri

    admin = create_engine(normalise_uri(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = f"mlops_lab_test_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({type(exc).__name__}); "
                    "set MLOPS_LAB_TEST_PG to a server URL to run the PostgreSQL store tests")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    from mlops_lab.store import close_all

    close_all()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def new_pg_database(pg_url):
    """Makes more empty PostgreSQL databases on the same server (for migration tests);
    they are dropped after the test."""
    from sqlalchemy import create_engine, text

    from mlops_lab.store import close_all
    from mlops_lab.store.db import normalise_uri

    admin = create_engine(normalise_uri(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    made = []

    def make() -> str:
        name = f"mlops_lab_test_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return pg_url.rsplit("/", 1)[0] + "/" + name

    yield make
    close_all()
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(store) -> None:
    from sqlalchemy import text

    from mlops_lab.store.schema import metadata

    # Every part's tables: a test on PostgreSQL starts from an empty store, as on SQLite.
    tables = ", ".join(table.name for table in metadata.sorted_tables)
    with store.db.write() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, store_home, tmp_path, monkeypatch):
    """The store on each backend; with PostgreSQL the process-wide store points there too."""
    from mlops_lab.store import open_store

    if request.param == "sqlite":
        yield open_store()
        return
    url = request.getfixturevalue("pg_url")
    monkeypatch.setenv("MLOPS_LAB_URI", url)
    s = open_store()
    _truncate(s)
    yield s


@pytest.fixture
def svc(store):
    from mlops_lab.tracking.service import TrackingService

    return TrackingService(store)


@pytest.fixture
def tracking(store_home):
    """The TrackingService of the process's SQLite store (what the server and CLI open too)."""
    from mlops_lab.store import open_store
    from mlops_lab.tracking.service import TrackingService

    return TrackingService(open_store())


@pytest.fixture(scope="module")
def shell():
    """An IPython shell with `%load_ext mlops_lab` done (the magics' tests)."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    ip = InteractiveShell.instance(config=config)
    ip.colors = "nocolor"
    ip.run_cell("%load_ext mlops_lab")
    return ip


@pytest.fixture
def fetch(http_server_client, jp_asyncio_loop, jp_base_url):
    """Any request to the test Jupyter server, whatever its status (for modules that import
    pytest-jupyter's fixtures): `path` under /mlops-lab/api/ or absolute; `body` a dict (sent
    as JSON), bytes or text; POST when a body is given, else GET."""
    import json

    def request(path, headers=None, method=None, body=None, **kwargs):
        url = f"{jp_base_url}mlops-lab/api/{path}" if not path.startswith("/") else path
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        return jp_asyncio_loop.run_until_complete(http_server_client.fetch(
            url, headers=headers or {}, method=method or ("POST" if body is not None else "GET"),
            body=body, raise_error=False, request_timeout=60, allow_nonstandard_methods=True,
            **kwargs))

    return request


class HostileModel:
    """Unpickling this writes a file: what a malicious model upload would do."""

    def __init__(self, path):
        self.path = str(path)

    def predict(self, rows):  # looks like a model
        return rows

    def __reduce__(self):
        return (pathlib.Path.write_text, (pathlib.Path(self.path), "pwned"))


@pytest.fixture
def hostile_model():
    """Makes a model whose unpickling writes the file it is given."""
    return HostileModel
