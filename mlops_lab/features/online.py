"""The online store: the latest row of every entity of a materialisation, for lookups of a few
entities at low latency.

- SQLite (default): `online.db` beside the metadata database (or in the store's home), one row
  per (materialisation, entity) holding all its features as one msgpack blob.
- Redis, when MLOPS_LAB_ONLINE_STORE=redis://host:port/db: one hash per entity, a field per
  feature. Keys are `<prefix>:<materialisation id>:<blake3 of the entity key>`, so no name or
  entity value written by a user ever becomes part of a key's structure.

Rows are keyed by materialisation, so a new materialisation is written beside the old one and
becomes visible at the moment its metadata row is committed; the older one of the same version
is then dropped.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
from pathlib import Path
from typing import Iterable

import msgpack
import numpy as np
import pandas as pd

from ..errors import InvalidInput

_BATCH = 2000


def _plain(value):
    """A value msgpack can hold: numpy scalars as Python ones, times as ISO text."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def entity_key(values) -> bytes:
    """One entity's key (a tuple of key column values) as bytes; 3 and 3.0 are one key."""
    out = []
    for v in values:
        v = _plain(v)
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append(v)
    return msgpack.packb(out, use_bin_type=True)


def latest_rows(frame: pd.DataFrame, entity: list[str], features: list[str]) -> Iterable[tuple[bytes, dict]]:
    """(entity key, {feature: value}) of each entity's newest row of a frame sorted by entity
    then time."""
    last = frame.drop_duplicates(subset=entity, keep="last")
    keys = zip(*(last[k].tolist() for k in entity))
    columns = [[_plain(v) for v in last[f].tolist()] for f in features]
    for i, key in enumerate(keys):
        yield entity_key(key), {f: columns[j][i] for j, f in enumerate(features)}


class SqliteOnlineStore:
    kind = "sqlite"

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        self._local = threading.local()
        with self._connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS online_features ("
                         "materialization_id TEXT NOT NULL, entity BLOB NOT NULL, "
                         "features BLOB NOT NULL, PRIMARY KEY (materialization_id, entity)) "
                         "WITHOUT ROWID")

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def write(self, materialization_id: str, rows: Iterable[tuple[bytes, dict]]) -> None:
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT OR REPLACE INTO online_features VALUES (?, ?, ?)",
                ((materialization_id, key, msgpack.packb(values, use_bin_type=True))
                 for key, values in rows))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def read(self, materialization_id: str, keys: list[bytes]) -> list[dict | None]:
        conn = self._connect()
        if len(keys) == 1:
            row = conn.execute("SELECT features FROM online_features WHERE materialization_id=? "
                               "AND entity=?", (materialization_id, keys[0])).fetchone()
            return [msgpack.unpackb(row[0], raw=False) if row else None]
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for entity, blob in conn.execute(
                    f"SELECT entity, features FROM online_features WHERE materialization_id=? "
                    f"AND entity IN ({marks})", (materialization_id, *chunk)):
                found[entity] = msgpack.unpackb(blob, raw=False)
        return [found.get(k) for k in keys]

    def drop(self, materialization_ids: list[str]) -> None:
        if not materialization_ids:
            return
        conn = self._connect()
        marks = ",".join("?" * len(materialization_ids))
        conn.execute(f"DELETE FROM online_features WHERE materialization_id IN ({marks})",
                     materialization_ids)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class RedisOnlineStore:
    kind = "redis"

    def __init__(self, url: str, prefix: str = "mlops-lab"):
        import redis

        if not prefix or any(c in prefix for c in "*?[]\\"):
            raise InvalidInput("The Redis key prefix must be non-empty text without * ? [ ] \\.")
        self.url = url
        self.prefix = prefix
        self.client = redis.Redis.from_url(url)

    def _key(self, materialization_id: str, entity: bytes) -> bytes:
        from blake3 import blake3

        return f"{self.prefix}:{materialization_id}:".encode() + blake3(entity).hexdigest().encode()

    def write(self, materialization_id: str, rows: Iterable[tuple[bytes, dict]]) -> None:
        pipe = self.client.pipeline(transaction=False)
        count = 0
        for key, values in rows:
            mapping = {f.encode("utf-8"): msgpack.packb(v, use_bin_type=True)
                       for f, v in values.items()}
            pipe.hset(self._key(materialization_id, key), mapping=mapping)
            count += 1
            if count % _BATCH == 0:
                pipe.execute()
        pipe.execute()

    def read(self, materialization_id: str, keys: list[bytes], features: list[str] | None = None) -> list[dict | None]:
        if len(keys) == 1:
            replies = [self.client.hgetall(self._key(materialization_id, keys[0]))]
        else:
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.hgetall(self._key(materialization_id, key))
            replies = pipe.execute()
        return [{f.decode("utf-8"): msgpack.unpackb(v, raw=False) for f, v in reply.items()}
                if reply else None for reply in replies]

    def drop(self, materialization_ids: list[str]) -> None:
        for mid in materialization_ids:
            batch = []
            for key in self.client.scan_iter(match=f"{self.prefix}:{mid}:*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    self.client.delete(*batch)
                    batch = []
            if batch:
                self.client.delete(*batch)

    def close(self) -> None:
        self.client.close()


def open_online_store(store, url: str | None = None, prefix: str | None = None):
    """The online store for `store`: Redis when `url` (or MLOPS_LAB_ONLINE_STORE) is a redis://
    URL, else SQLite's online.db beside the metadata database or in the store's home."""
    url = url if url is not None else os.environ.get("MLOPS_LAB_ONLINE_STORE", "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisOnlineStore(url, prefix or os.environ.get("MLOPS_LAB_ONLINE_PREFIX",
                                                              "mlops-lab"))
    if url and not url.startswith("sqlite"):
        raise InvalidInput(f"MLOPS_LAB_ONLINE_STORE must be a redis:// URL or empty (SQLite), "
                           f"not {url.split('://')[0]!r}.")
    path = store.db.sqlite_path
    if path and path != ":memory:":
        return SqliteOnlineStore(Path(path).with_name("online.db"))
    from .. import config

    return SqliteOnlineStore(config.find_home() / "online.db")
