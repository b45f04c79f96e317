"""Aliases (champion, challenger, production…) and the audited history of every move."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from ..clock import now_ms
from ..errors import Conflict, NotFound
from ..store import keyset
from ..store.keyset import SortKey
from ..store.tables import models as t
from . import events
from .entities import AliasMove
from .names import LIST_LIMIT, REASON_MAX, clean_alias, clean_model_name, clean_text, clean_version
from .names import user_name
from .refs import MAX_VERSION


class Aliases:
    """The alias methods of ModelService."""

    def set_alias(self, name: str, alias: str, version, reason: str | None = None,
                  user: str | None = None, evaluation_id: int | None = None) -> AliasMove:
        """Points `alias` of model `name` at `version` (creating or moving it), recorded in
        the alias history with who, when, from, to and why (and the gate that moved it, by
        its evaluation id, when one did)."""
        name, alias, version = clean_model_name(name), clean_alias(alias), clean_version(version)
        reason = clean_text(reason, "reason", REASON_MAX)
        with self.db.write() as conn:
            model_id = self._model_id(conn, name)
            self._check_version(conn, model_id, name, version)
            return self._move_alias(conn, model_id, name, alias, version, reason, user_name(user),
                                    now_ms(), evaluation_id)

    def rollback(self, name: str, alias: str = "champion", reason: str | None = None,
                 user: str | None = None) -> AliasMove:
        """Points `alias` of model `name` back at the version it pointed at before its latest
        move (that move's from_version). The rollback is recorded like any move, its reason
        saying so: "Rolled back from version 7 to version 5: <reason>".

        A rollback is itself the alias's latest move, so rolling back a rollback goes back
        again (5 -> 7 after 7 -> 5): it undoes the last move, it does not walk further into
        the history. To point the alias at any other version, use `set_alias`.

        Refused, saying why: the model has no such alias (never set, or deleted), or the
        alias was created by its latest move (nothing to roll back to)."""
        name, alias = clean_model_name(name), clean_alias(alias)
        reason = clean_text(reason, "reason", REASON_MAX)
        a, h = t.model_aliases, t.model_alias_history
        with self.db.write() as conn:
            model_id = self._model_id(conn, name)
            current = conn.execute(select(a.c.version).where(
                a.c.model_id == model_id, a.c.alias == alias)).scalar()
            if current is None:
                raise NotFound(f"Model {name!r} has no alias {alias!r} to roll back; see "
                               f"`mlops-lab models history {name}` for its aliases.")
            back = conn.execute(
                select(h.c.from_version).where(h.c.model_id == model_id, h.c.alias == alias)
                .order_by(h.c.moved_at.desc(), h.c.id.desc()).limit(1)).scalar()
            if back is None:
                raise Conflict(f"Nothing to roll back to: @{alias} of {name!r} was created "
                               f"pointing at version {current} and has not moved since. "
                               f"Point it at another version with `mlops-lab models alias`.")
            self._check_version(conn, model_id, name, back)
            why = f"Rolled back from version {current} to version {back}"
            return self._move_alias(conn, model_id, name, alias, back,
                                    f"{why}: {reason}" if reason else why, user_name(user),
                                    now_ms(), rolled_back=True)

    def _check_version(self, conn, model_id: int, name: str, version: int) -> None:
        exists = version <= MAX_VERSION and conn.execute(
            select(t.model_versions.c.version).where(
                t.model_versions.c.model_id == model_id,
                t.model_versions.c.version == version)).first()
        if not exists:
            raise NotFound(f"Model {name!r} has no version {version}; see "
                           f"`mlops-lab models show {name}` for its versions.")

    def delete_alias(self, name: str, alias: str, reason: str | None = None,
                     user: str | None = None) -> AliasMove:
        name, alias = clean_model_name(name), clean_alias(alias)
        reason = clean_text(reason, "reason", REASON_MAX)
        a = t.model_aliases
        with self.db.write() as conn:
            model_id = self._model_id(conn, name)
            current = conn.execute(select(a.c.version).where(
                a.c.model_id == model_id, a.c.alias == alias)).scalar()
            if current is None:
                raise NotFound(f"Model {name!r} has no alias {alias!r}.")
            conn.execute(a.delete().where(a.c.model_id == model_id, a.c.alias == alias))
            return self._record_move(conn, model_id, name, alias, current, None, reason,
                                     user_name(user), now_ms())

    def _move_alias(self, conn, model_id, name, alias, version, reason, user, now,
                    evaluation_id: int | None = None, rolled_back: bool = False) -> AliasMove:
        a = t.model_aliases
        current = conn.execute(select(a.c.version).where(
            a.c.model_id == model_id, a.c.alias == alias)).scalar()
        if current is None:
            conn.execute(insert(a).values(model_id=model_id, alias=alias, version=version,
                                          updated_at=now, updated_by=user))
        else:
            conn.execute(update(a).where(a.c.model_id == model_id, a.c.alias == alias)
                         .values(version=version, updated_at=now, updated_by=user))
        return self._record_move(conn, model_id, name, alias, current, version, reason, user, now,
                                 evaluation_id, rolled_back)

    def _record_move(self, conn, model_id, name, alias, from_version, to_version, reason, user,
                     now, evaluation_id: int | None = None,
                     rolled_back: bool = False) -> AliasMove:
        """The history row and the webhooks' `alias.moved` deliveries, in the caller's
        transaction."""
        conn.execute(insert(t.model_alias_history).values(
            model_id=model_id, alias=alias, from_version=from_version, to_version=to_version,
            reason=reason, moved_by=user, moved_at=now, evaluation_id=evaluation_id))
        move = AliasMove(name=name, alias=alias, from_version=from_version,
                         to_version=to_version, reason=reason, moved_by=user, moved_at=now,
                         evaluation_id=evaluation_id)
        self.webhooks.queue(conn, events.ALIAS_MOVED, events.alias_moved(move, rolled_back),
                            None, now)
        return move

    def alias_target(self, name: str, alias: str) -> int | None:
        """The version `alias` points at now, or None (cheap: for hot-swap polling)."""
        m, a = t.models, t.model_aliases
        with self.db.read() as conn:
            return conn.execute(
                select(a.c.version).join(m, m.c.id == a.c.model_id)
                .where(m.c.name == name, a.c.alias == alias)).scalar()

    def alias_history(self, name: str, alias: str | None = None,
                      limit: int = LIST_LIMIT, after: list | None = None) -> list[AliasMove]:
        """Every move of the model's aliases (or of one alias), newest first; `after` a move's
        (moved_at, id) key, the moves after it."""
        return self.aliases_with_history(name, alias, limit, after)[1]

    def aliases_with_history(self, name: str, alias: str | None = None,
                             limit: int = LIST_LIMIT, after: list | None = None
                             ) -> tuple[dict[str, int], list[AliasMove]]:
        """Where the model's aliases point now and a page of their moves, read together (one
        transaction: the two agree)."""
        name = clean_model_name(name)
        h, a = t.model_alias_history, t.model_aliases
        with self.db.read() as conn:
            model_id = self._model_id(conn, name)
            current = dict(conn.execute(select(a.c.alias, a.c.version)
                                        .where(a.c.model_id == model_id).order_by(a.c.alias)).all())
            query = select(h).where(h.c.model_id == model_id)
            if alias is not None:
                query = query.where(h.c.alias == clean_alias(alias))
            order = [SortKey(h.c.moved_at, True), SortKey(h.c.id, True)]
            rows = conn.execute(keyset.page_query(query, order, after, limit)).all()
        return current, [AliasMove(name=name, alias=r.alias, from_version=r.from_version,
                                   to_version=r.to_version, reason=r.reason,
                                   moved_by=r.moved_by, moved_at=r.moved_at,
                                   evaluation_id=r.evaluation_id, id=r.id)
                         for r in rows]
