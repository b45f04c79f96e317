"""How each webhook's deliveries stand, read from the delivery log in one transaction: counts
by state and the newest failed attempt (see entities.DeliveryHealth)."""

from __future__ import annotations

from sqlalchemy import func, select

from ...store.tables.monitoring import webhook_deliveries as d
from .entities import DeliveryHealth, delivery_of


def delivery_health(conn, webhook_ids: list[int]) -> dict[int, DeliveryHealth]:
    counts: dict[int, dict[str, int]] = {i: {} for i in webhook_ids}
    tried = (d.c.attempts > 0).label("tried")
    rows = conn.execute(select(d.c.webhook_id, d.c.status, tried, func.count())
                        .where(d.c.webhook_id.in_(webhook_ids))
                        .group_by(d.c.webhook_id, d.c.status, tried))
    for hook, status, was_tried, n in rows:
        # A pending delivery that was tried already failed at least once: it is retrying.
        state = ("retrying" if was_tried else "waiting") if status == "pending" else status
        counts[hook][state] = counts[hook].get(state, 0) + n
    health = {}
    for hook in webhook_ids:
        last = conn.execute(select(d).where(d.c.webhook_id == hook, d.c.last_error.is_not(None))
                            .order_by(d.c.id.desc()).limit(1)).first()
        health[hook] = DeliveryHealth(**counts[hook],
                                      last_failure=delivery_of(last) if last else None)
    return health
