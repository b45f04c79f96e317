"""Cursor paging of search_runs, on SQLite and PostgreSQL: every run exactly once, whatever
the page size and however many runs share a start time or a sort value."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import update

from mlops_lab.errors import InvalidInput
from mlops_lab.store.keyset import encode_token
from mlops_lab.store.tables import tracking as t
from mlops_lab.tracking.search import ordering_mark


@pytest.fixture
def same_millisecond(svc):
    """Twelve runs started in one millisecond; some share a metric value, some have none."""
    exp = svc.get_or_create_experiment("tied")
    ids = []
    for i in range(12):
        run = svc.create_run(exp.id, name=f"r{i:02d}")
        if i % 3:
            svc.log_metrics(run.id, {"auc": math.nan if i == 4 else (i % 2) / 2})
            svc.log_params(run.id, {"depth": str(i % 4)})
        ids.append(run.id)
    with svc.db.write() as conn:
        conn.execute(update(t.runs).values(start_time=1_700_000_000_000))
    return exp, ids


def every_page(svc, exp, size, **query):
    seen, token, pages = [], None, 0
    while True:
        page = svc.search_runs([exp.id], max_results=size, page_token=token, **query)
        seen += [r.id for r in page]
        token, pages = page.next_page_token, pages + 1
        assert pages <= 20, "paging does not end"
        if token is None:
            return seen


@pytest.mark.parametrize("order_by", [None, ["metrics.auc desc"], ["metrics.auc"],
                                      ["params.depth", "name desc"], ["end_time"],
                                      ["tags.missing desc"]])
@pytest.mark.parametrize("size", [1, 5, 12])
def test_each_run_comes_exactly_once(svc, same_millisecond, order_by, size):
    exp, ids = same_millisecond
    seen = every_page(svc, exp, size, order_by=order_by)
    assert sorted(seen) == sorted(ids)
    whole = svc.search_runs([exp.id], max_results=100, order_by=order_by)
    assert seen == [r.id for r in whole], "pages concatenated are the one-page order"


def test_ties_in_one_millisecond_are_ordered_by_id(svc, same_millisecond):
    exp, ids = same_millisecond
    assert every_page(svc, exp, 4) == sorted(ids, reverse=True)


def test_a_token_of_another_ordering_or_a_forged_one_is_refused(svc, same_millisecond):
    exp, _ = same_millisecond
    token = svc.search_runs([exp.id], max_results=2, order_by=["name"]).next_page_token
    with pytest.raises(InvalidInput, match="page token"):
        svc.search_runs([exp.id], max_results=2, order_by=["metrics.auc"], page_token=token)
    newest = ordering_mark(None)
    for forged in (encode_token([0, "x", 1]), encode_token([5, 1, "a"]),
                   encode_token([0, "not a time", "id"]), "@@@", "e30",
                   encode_token([0, 1 << 70, "a"], newest), encode_token([0, 1, "a\x00"], newest),
                   encode_token([1, 1, "a"], newest), encode_token([0, 1], newest)):
        with pytest.raises(InvalidInput, match="page token"):
            svc.search_runs([exp.id], max_results=2, page_token=forged)
