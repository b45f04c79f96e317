"""The delivery queue: rows of `webhook_deliveries`, queued in the transaction of the alert
change they tell of, sent by whoever calls `WebhookService.deliver_due` (the scheduler's loop,
`mlops-lab webhooks deliver`).

    pending --2xx--> delivered
       '--error, timeout, non-2xx--> pending again at now + backoff ... failed after N attempts

A deliverer claims a row by moving its next attempt a lease ahead in a conditional UPDATE (the
row is still pending and due), so two deliverers never send one row twice, and a deliverer that
dies mid-send leaves the row to be sent again once the lease has passed: at least once, never
lost.
"""

from __future__ import annotations

import json

import httpx
from sqlalchemy import insert, select, true, update

from ...jsonvalues import finite_named
from ...store.tables.monitoring import webhook_deliveries as d
from ...store.tables.monitoring import webhooks as w
from .signing import headers

BACKOFF_FIRST_S, BACKOFF_MAX_S = 10, 3600
MAX_ATTEMPTS = 8
TIMEOUT_S = 5.0
ERROR_MAX = 500


def backoff_ms(attempts: int) -> int:
    """How long after its `attempts`-th failed attempt a delivery is tried again: 10 s, 20 s,
    40 s, … at most an hour."""
    return min(BACKOFF_FIRST_S * 2 ** max(attempts - 1, 0), BACKOFF_MAX_S) * 1000


def body_of(doc: dict) -> str:
    return json.dumps(finite_named(doc), allow_nan=False, separators=(",", ":"))


def queue(conn, event: str, doc: dict, alert_id: int | None, now: int,
          webhook_id: int | None = None) -> list[int]:
    """A pending delivery of `doc` to every enabled webhook (or to `webhook_id`), in the
    caller's transaction. Returns their ids."""
    hooks = select(w.c.id).where(w.c.enabled == true()) if webhook_id is None \
        else select(w.c.id).where(w.c.id == webhook_id)
    body = body_of({"event": event, **doc})
    ids = []
    for hook in conn.execute(hooks.order_by(w.c.id)).scalars().all():
        ids.append(conn.execute(insert(d).values(
            webhook_id=hook, alert_id=alert_id, event=event, body=body, status="pending",
            attempts=0, next_attempt_at=now, created_at=now)).inserted_primary_key[0])
    return ids


def due(conn, now: int, limit: int, only: list[int] | None = None) -> list[int]:
    query = select(d.c.id).where(d.c.status == "pending", d.c.next_attempt_at <= now)
    if only is not None:
        query = query.where(d.c.id.in_(only))
    return list(conn.execute(query.order_by(d.c.next_attempt_at, d.c.id).limit(limit)).scalars())


def claim(conn, delivery_id: int, now: int, lease_ms: int):
    """The delivery with its webhook's url and secret if this caller won it, else None."""
    won = conn.execute(update(d).where(d.c.id == delivery_id, d.c.status == "pending",
                                       d.c.next_attempt_at <= now)
                       .values(next_attempt_at=now + lease_ms)).rowcount
    if not won:
        return None
    return conn.execute(select(d.c.id, d.c.event, d.c.body, d.c.attempts, w.c.url, w.c.secret)
                        .join(w, w.c.id == d.c.webhook_id).where(d.c.id == delivery_id)).first()


def send(client: httpx.Client, row) -> tuple[int | None, str | None]:
    """POSTs the body; the status code, and an error unless it was a 2xx."""
    body = row.body.encode("utf-8")
    try:
        response = client.post(row.url, content=body, headers=headers(body, row.event,
                                                                        row.secret))
    except httpx.TimeoutException:
        return None, f"No answer within {client.timeout.read:g} s."
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, (f"The receiver answered {response.status_code}: "
                                  f"{response.text[:200]}")[:ERROR_MAX]


def record(conn, row, status: int | None, error: str | None, now: int,
           max_attempts: int) -> bool:
    """The attempt's outcome; True if delivered."""
    attempts = row.attempts + 1
    values: dict = {"attempts": attempts, "last_status": status, "last_error": error}
    if error is None:
        values.update(status="delivered", delivered_at=now, next_attempt_at=None)
    elif attempts >= max_attempts:
        values.update(status="failed", next_attempt_at=None)
    else:
        values.update(next_attempt_at=now + backoff_ms(attempts))
    # Only the claimer of this attempt writes its outcome.
    conn.execute(update(d).where(d.c.id == row.id, d.c.status == "pending",
                                 d.c.attempts == row.attempts).values(values))
    return error is None
