"""Run links: what a run read and what it made (snapshots, feature sets, model versions)."""

from __future__ import annotations

from sqlalchemy import select

from ..clock import now_ms
from ..errors import InvalidInput
from ..naming import clean_key
from ..store.tables import tracking as t
from ..store.upsert import upsert_for
from .entities import RunLink

LINK_DIRECTIONS = ("input", "output")


class RunLinks:
    """The run link methods of TrackingService."""

    def link_run(self, run_id: str, direction: str, kind: str, ref: str, label: str) -> None:
        """Records that run `run_id` read (direction "input") or made ("output") the thing
        `ref` of `kind` ("snapshot", "feature_set", "model_version", …). Idempotent."""
        if direction not in LINK_DIRECTIONS:
            raise InvalidInput(f"A run link's direction is 'input' or 'output', not {direction!r}.")
        row = {"run_id": run_id, "direction": direction, "kind": clean_key(kind, "link kind"),
               "ref": clean_key(ref, "link ref"), "label": clean_key(label, "link label"),
               "created_at": now_ms()}
        insert = upsert_for(self._dialect)(t.run_links).values(row).on_conflict_do_nothing()
        with self._on_run(run_id), self.db.write() as conn:
            conn.execute(insert)

    def run_links(self, run_id: str, conn=None) -> list[RunLink]:
        """What the run read and made, inputs first, oldest first."""
        c = t.run_links.c
        query = (select(c.direction, c.kind, c.ref, c.label, c.created_at)
                 .where(c.run_id == run_id).order_by(c.direction, c.created_at, c.kind, c.ref))
        if conn is not None:
            return [RunLink(**r._mapping) for r in conn.execute(query)]
        with self.db.read() as conn:
            return [RunLink(**r._mapping) for r in conn.execute(query)]

    def runs_linked_to(self, kind: str, ref: str) -> list[tuple[str, str]]:
        """(run id, direction) of every run that read or made `ref` of `kind`."""
        c = t.run_links.c
        with self.db.read() as conn:
            rows = conn.execute(select(c.run_id, c.direction).where(c.kind == kind, c.ref == ref)
                                .order_by(c.created_at)).all()
        return [(r.run_id, r.direction) for r in rows]
