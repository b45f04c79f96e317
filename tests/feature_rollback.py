"""A feature set rolled back: a newer version registered and materialised, then the first
version materialised again (the live one), for the CLI and REST tests of what they describe."""

from __future__ import annotations

import pandas as pd


def visits(events):
    return events.assign(visits=1)[["customer_id", "event_time", "visits"]]


def roll_back_to_v1(fsvc, name: str, event_time) -> None:
    """Registers a newer version of `name` (visits, other description and tags), materialises
    it, then materialises version 1 again."""
    frame = pd.DataFrame({"customer_id": [1], "event_time": [event_time], "spend": [5.0]})
    fsvc.register(name, visits, entity="customer_id", timestamp="event_time",
                  description="Visits per customer", tags={"team": "visits"})
    fsvc.materialize(name, frame)
    fsvc.materialize(name, frame, version=1)
