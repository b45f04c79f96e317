"""The dialect's INSERT … ON CONFLICT statement (SQLite and PostgreSQL spell it alike)."""

from __future__ import annotations


def upsert_for(dialect: str):
    """`insert` of the dialect named, whose statements have `on_conflict_do_*`."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
