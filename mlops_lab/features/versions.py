"""Registering a feature set's definition: the same definition keeps its version, a changed one
gets the next number (allocated one writer at a time)."""

from __future__ import annotations

import json
import uuid
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..clock import now_ms
from ..naming import clean_key, clean_name
from ..errors import InvalidInput
from ..store.tables import features as t
from . import definition as defs
from .entities import FeatureSetVersion
from .names import clean_columns, clean_set_name, clean_tags, ttl_to_ms, user_name

_RETRIES = 5


class Versions:
    """The registering methods of FeatureService."""

    def register(self, name: str, fn: Callable, *, entity, timestamp: str, ttl=None,
                 owner: str | None = None, description: str | None = None,
                 tags=None) -> FeatureSetVersion:
        """The version of `fn`'s definition: the existing one when this definition (source,
        entity, timestamp, TTL) was registered before, else the next version number."""
        name = clean_set_name(name)
        entity = clean_columns(entity, "entity")
        timestamp = clean_key(timestamp, "timestamp column")
        if timestamp in entity:
            raise InvalidInput(f"The timestamp column {timestamp!r} cannot also be an entity key.")
        definition = defs.make_definition(name, fn, entity, timestamp, ttl_to_ms(ttl))
        owner = clean_name(owner, "owner", 255) if owner is not None else user_name()
        description = None if description is None else clean_name(description, "description",
                                                                   10_000)
        tags = clean_tags(tags)
        version_id = self._allocate(definition, owner, description, tags)
        defs.remember(name, definition.source_hash, fn)
        return self._version_by_id(version_id)

    def _allocate(self, d: defs.Definition, owner, description, tags) -> str:
        fs, v = t.feature_sets.c, t.feature_set_versions.c
        for attempt in range(_RETRIES):
            try:
                with self.db.write() as conn:
                    # The set's row locked (PostgreSQL; SQLite's write lock is already held):
                    # version numbers of one set are allocated one writer at a time.
                    set_id = conn.execute(select(fs.id).where(fs.name == d.name)
                                          .with_for_update()).scalar()
                    if set_id is None:
                        set_id = conn.execute(t.feature_sets.insert().values(
                            name=d.name, created_at=now_ms())).inserted_primary_key[0]
                    existing = conn.execute(select(v.id).where(
                        v.feature_set_id == set_id, v.definition_hash == d.definition_hash)).scalar()
                    if existing is not None:
                        conn.execute(t.feature_set_versions.update()
                                     .where(v.id == existing)
                                     .values(owner=owner, description=description,
                                             tags=json.dumps(tags)))
                        return existing
                    number = conn.execute(select(func.coalesce(func.max(v.version), 0))
                                          .where(v.feature_set_id == set_id)).scalar() + 1
                    version_id = uuid.uuid4().hex
                    conn.execute(t.feature_set_versions.insert().values(
                        id=version_id, feature_set_id=set_id, version=number,
                        definition_hash=d.definition_hash, source_hash=d.source_hash,
                        source=d.source, function_name=d.function_name, module=d.module,
                        entity=json.dumps(list(d.entity)), timestamp_column=d.timestamp,
                        ttl_ms=d.ttl_ms, schema=None, owner=owner, description=description,
                        tags=json.dumps(tags), created_at=now_ms()))
                    return version_id
            except IntegrityError:
                # Another process registered the same set or version number first: read again.
                if attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")
