"""Webhooks: where alert and model registry events are sent, and the log of every delivery.

Entry points (ml.create_webhook, `mlops-lab webhooks`, REST) call these methods. The alerts
and models parts call `queue` inside their own write transaction, so a change and the
deliveries that tell of it commit together; `deliver_due` sends what is due (see delivery.py).

A webhook's secret signs each body and is never answered back by any listing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from sqlalchemy import delete, insert, select

from ...clock import now_ms
from ...errors import Conflict, InvalidInput, NotFound
from ...limits import check_limit, whole_number_in
from ...naming import clean_name
from ...store import Store, keyset
from ...store.keyset import SortKey
from ...store.tables.monitoring import webhook_deliveries as d
from ...store.tables.monitoring import webhooks as w
from . import delivery
from .entities import Delivery, Webhook, delivery_of, webhook_of
from .health import delivery_health

URL_MAX, SECRET_MAX = 2000, 1000
STATUSES = ("pending", "delivered", "failed")
MAX_LIMIT = 10_000
LARGEST_ID = (1 << 31) - 1


def clean_url(url) -> str:
    """An http(s) URL with a host and no credentials in it."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput("A webhook URL is text such as 'https://hooks.example.com/alerts'.")
    url = url.strip()
    if len(url) > URL_MAX or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise InvalidInput(f"A webhook URL is at most {URL_MAX} characters, without spaces or "
                           "control characters.")
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # a port that is not a number raises here
    except ValueError as exc:
        raise InvalidInput(f"{url[:80]!r} is not a valid URL ({exc}).") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput(f"A webhook URL must start with http:// or https://, not "
                           f"{(parts.scheme or url)[:20]!r}.")
    if not host:
        raise InvalidInput(f"A webhook URL needs a host, as in https://hooks.example.com/x "
                           f"(got {url[:80]!r}).")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("A webhook URL must not hold a user name or password; give a "
                           "secret instead (each body is signed with it).")
    return url


def clean_secret(secret) -> str | None:
    if secret is None or secret == "":
        return None
    if not isinstance(secret, str) or "\x00" in secret or len(secret) > SECRET_MAX:
        raise InvalidInput(f"A webhook secret is text of at most {SECRET_MAX} characters.")
    return secret


def clean_id(value, what: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return whole_number_in(value, 1, LARGEST_ID, f"The {what} id")


class WebhookService:
    def __init__(self, store: Store, timeout: float = delivery.TIMEOUT_S,
                 max_attempts: int = delivery.MAX_ATTEMPTS):
        self.store = store
        self.db = store.db
        self.timeout = timeout
        self.max_attempts = max_attempts

    # ---- webhooks -------------------------------------------------------------------------

    def create_webhook(self, name: str, url: str, secret: str | None = None) -> Webhook:
        name, url, secret = clean_name(name, "webhook name", 200), clean_url(url), \
            clean_secret(secret)
        with self.db.write() as conn:
            if conn.execute(select(w.c.id).where(w.c.name == name)).first():
                raise Conflict(f"A webhook named {name!r} exists already; delete it first or "
                               "choose another name.")
            new = conn.execute(insert(w).values(name=name, url=url, secret=secret, enabled=True,
                                                created_at=now_ms())).inserted_primary_key[0]
            return webhook_of(conn.execute(select(w).where(w.c.id == new)).first())

    def list_webhooks(self, with_health: bool = False) -> list[Webhook]:
        """Every webhook; with_health: each with how its deliveries stand (a receiver that is
        down shows as failing, with its last error)."""
        with self.db.read() as conn:
            rows = conn.execute(select(w).order_by(w.c.id)).all()
            health = delivery_health(conn, [r.id for r in rows]) if with_health else {}
        return [webhook_of(r, health.get(r.id)) for r in rows]

    def get_webhook(self, webhook) -> Webhook:
        """A webhook by its id (a number) or its name."""
        with self.db.read() as conn:
            return webhook_of(self._row(conn, webhook))

    def delete_webhook(self, webhook) -> Webhook:
        """Deletes the webhook and its delivery log."""
        with self.db.write() as conn:
            found = webhook_of(self._row(conn, webhook))
            conn.execute(delete(w).where(w.c.id == found.id))
            return found

    def _row(self, conn, webhook):
        if isinstance(webhook, int) and not isinstance(webhook, bool):
            row = conn.execute(select(w).where(w.c.id == clean_id(webhook, "webhook"))).first()
        else:
            row = conn.execute(select(w).where(
                w.c.name == clean_name(webhook, "webhook name", 200))).first()
        if row is None:
            raise NotFound(f"No webhook {webhook!r:.80} (see `mlops-lab webhooks list`).")
        return row

    # ---- deliveries ---------------------------------------------------------------------

    def queue(self, conn, event: str, doc: dict, alert_id: int | None,
              now: int | None = None) -> list[int]:
        """Queues `doc` for every enabled webhook inside the caller's write transaction `conn`
        (the alert change and its deliveries commit together)."""
        return delivery.queue(conn, event, doc, alert_id, now_ms() if now is None else now)

    def deliver_due(self, now: int | None = None, limit: int = 100,
                    timeout: float | None = None, only: list[int] | None = None) -> int:
        """Sends up to `limit` deliveries that are due at `now` (ms; default: the clock);
        returns how many were delivered. A failed attempt is retried after a backoff; each
        call sends what is due, so a receiver that was down gets everything once it is up."""
        check_limit(limit, MAX_LIMIT)
        now = now_ms() if now is None else now
        timeout = self.timeout if timeout is None else timeout
        lease = int(max(60.0, 4 * timeout) * 1000)  # longer than any one send takes
        with self.db.read() as conn:
            ids = delivery.due(conn, now, limit, only)
        delivered = 0
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            for delivery_id in ids:
                with self.db.write() as conn:
                    row = delivery.claim(conn, delivery_id, now, lease)
                if row is None:  # another deliverer has it
                    continue
                status, error = delivery.send(client, row)
                with self.db.write() as conn:
                    delivered += delivery.record(conn, row, status, error, now,
                                                 self.max_attempts)
        return delivered

    def test_webhook(self, webhook, timeout: float | None = None) -> Delivery:
        """Queues a test event for the webhook and sends it now; the delivery as it ended
        (pending with its error if the receiver did not take it: it is retried later)."""
        now = now_ms()
        with self.db.write() as conn:
            hook = webhook_of(self._row(conn, webhook))
            doc = {"message": f"A test event from mlops-lab for webhook {hook.name!r}.",
                   "webhook": hook.name, "sent_at": now}
            (delivery_id,) = delivery.queue(conn, "test", doc, None, now, webhook_id=hook.id)
        self.deliver_due(now=now, limit=1, timeout=timeout, only=[delivery_id])
        return self.get_delivery(delivery_id)

    def get_delivery(self, delivery_id) -> Delivery:
        delivery_id = clean_id(delivery_id, "delivery")
        with self.db.read() as conn:
            row = conn.execute(select(d).where(d.c.id == delivery_id)).first()
        if row is None:
            raise NotFound(f"No webhook delivery with id {delivery_id}.")
        return delivery_of(row)

    def list_deliveries(self, webhook=None, alert=None, status: str | None = None,
                        limit: int = 100, after: list | None = None) -> list[Delivery]:
        """The delivery log, newest first; `after` a delivery's (id,), the ones after it."""
        check_limit(limit, MAX_LIMIT)
        query = select(d)
        if status is not None:
            if status not in STATUSES:
                raise InvalidInput(f"status is one of {', '.join(STATUSES)}, not {status!r:.80}.")
            query = query.where(d.c.status == status)
        with self.db.read() as conn:
            if webhook is not None:
                query = query.where(d.c.webhook_id == self._row(conn, webhook).id)
            if alert is not None:
                query = query.where(d.c.alert_id == clean_id(alert, "alert"))
            rows = conn.execute(keyset.page_query(query, [SortKey(d.c.id, True)], after,
                                                  limit)).all()
        return [delivery_of(r) for r in rows]
