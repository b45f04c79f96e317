"""Garbage collection of blobs: delete the ones no row of any table points to.

A column holding a blob's hash says so with ``info={"blob": True}`` in `schema`; every part's
tables are found through the one `metadata`, so a new kind of record is counted without
touching this module.
"""

from __future__ import annotations

import time

from sqlalchemy import select, union

from .schema import metadata


def blob_columns() -> list:
    return [column for table in metadata.sorted_tables for column in table.columns
            if column.info.get("blob")]


def referenced_blobs(db) -> set[str]:
    columns = blob_columns()
    with db.read() as conn:
        query = union(*(select(c.label("blob")).where(c.is_not(None)) for c in columns))
        return set(conn.execute(query).scalars())


def collect_garbage(store, grace_seconds: float = 3600, dry_run: bool = False) -> dict:
    """Deletes blobs no row points to, if older than `grace_seconds` (a blob written moments
    ago may belong to a row about to be committed)."""
    referenced = referenced_blobs(store.db)
    cutoff = time.time() - grace_seconds
    deleted, kept = [], 0
    for blob, mtime in list(store.artifacts.blobs()):
        if blob in referenced or mtime > cutoff:
            kept += 1
            continue
        deleted.append(blob)
        if not dry_run:
            store.artifacts.delete(blob)
    temp = 0 if dry_run else store.artifacts.remove_stale_temp_files(cutoff)
    return {"deleted": len(deleted), "kept": kept, "dry_run": dry_run, "blobs": deleted,
            "temp_files_removed": temp}
