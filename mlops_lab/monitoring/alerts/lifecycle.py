"""The life of an alert, in one place: every write to `alerts` is made here.

    (condition seen) --> open --acknowledge--> acknowledged --resolve--> resolved
                          '-------------------resolve-------------------'   |
    resolved --(condition seen again)--> open (times_reopened + 1) <--------'

Seen again while open or acknowledged, an alert is counted (times_seen, last_seen_at, its
latest figures), not repeated. Each move returns the event webhooks are told of (None: none):
"opened" always, "resolved" always, "reopened" only once the rule's cooldown has passed since
webhooks were last told of the alert. The service queues those deliveries in the same
transaction, so a change and its notifications commit together.
"""

from __future__ import annotations

import json

from sqlalchemy import insert, select, text, update

from ...errors import Conflict, NotFound
from ...jsonvalues import finite_named
from ...store.tables.monitoring import alerts as a

_LOCK = 70070016  # PostgreSQL advisory lock: two evaluations of one key insert it once


def serialise(conn, db) -> None:
    """Alert writes one at a time (SQLite's BEGIN IMMEDIATE does so already)."""
    if not db.is_sqlite:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})


def seen(conn, key: str, values: dict, cooldown_s: int, now: int) -> tuple[int, str | None]:
    """The condition of `key` holds now: opens, counts or re-opens its alert. `values`: its
    rule_id, monitor_id, model_name, alias, feature, severity, message, figures."""
    values = {**values, "figures": json.dumps(finite_named(values["figures"]))}
    row = conn.execute(select(a.c.id, a.c.state, a.c.notified_at).where(a.c.key == key)).first()
    if row is None:
        found = conn.execute(insert(a).values(
            key=key, state="open", opened_at=now, last_seen_at=now, times_seen=1,
            times_reopened=0, notified_at=now, **values))
        return found.inserted_primary_key[0], "opened"
    counted = {**values, "last_seen_at": now, "times_seen": a.c.times_seen + 1}
    if row.state != "resolved":
        conn.execute(update(a).where(a.c.id == row.id).values(counted))
        return row.id, None
    tell = row.notified_at is None or now - row.notified_at >= cooldown_s * 1000
    conn.execute(update(a).where(a.c.id == row.id).values(
        {**counted, "state": "open", "times_reopened": a.c.times_reopened + 1,
         "acknowledged_by": None, "acknowledged_at": None, "resolved_by": None,
         "resolved_at": None, **({"notified_at": now} if tell else {})}))
    return row.id, "reopened" if tell else None


def acknowledge(conn, alert_id: int, who: str, note: str | None, now: int) -> None:
    _move(conn, alert_id, ("open",), "acknowledged",
          acknowledged_by=who, acknowledged_at=now, **_note(note))


def resolve(conn, alert_id: int, who: str, note: str | None, now: int) -> str:
    _move(conn, alert_id, ("open", "acknowledged"), "resolved",
          resolved_by=who, resolved_at=now, notified_at=now, **_note(note))
    return "resolved"


def _note(note: str | None) -> dict:
    return {} if note is None else {"note": note}


def _move(conn, alert_id: int, sources: tuple[str, ...], target: str, **values) -> None:
    done = conn.execute(update(a).where(a.c.id == alert_id, a.c.state.in_(sources))
                        .values(state=target, **values))
    if done.rowcount:
        return
    state = conn.execute(select(a.c.state).where(a.c.id == alert_id)).scalar()
    if state is None:
        raise NotFound(f"No alert with id {alert_id} (see `mlops-lab alerts`).")
    why = {"acknowledged": "it is acknowledged already; resolve it once it is dealt with",
           "resolved": "it is resolved; it re-opens by itself if its condition returns"}
    raise Conflict(f"Alert {alert_id} cannot be {target}: {why.get(state, 'it is ' + state)}.")
