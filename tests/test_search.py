"""The filter grammar and ordering of search_runs, on SQLite and PostgreSQL."""

from __future__ import annotations

import math

import pytest

from mlops_lab.errors import InvalidFilter, InvalidInput


@pytest.fixture
def runs(svc):
    exp = svc.get_or_create_experiment("search")
    other = svc.get_or_create_experiment("other")
    made = {}
    for name, model, auc, lr in [("a", "rf", 0.95, "0.1"), ("b", "rf", 0.80, "0.01"),
                                 ("c", "lr", 0.91, "1e-3"), ("d", "lr", math.nan, "0.5")]:
        run = svc.create_run(exp.id, name=name, tags={"team": "vision" if name < "c" else "nlp"})
        svc.log_params(run.id, {"model": model, "lr": lr})
        svc.log_metrics(run.id, {"auc": auc, "val loss": 1 - auc if auc == auc else 1})
        made[name] = run
    svc.end_run(made["b"].id, "FAILED", "boom")
    svc.create_run(other.id, name="elsewhere")
    return exp, made


def names(page):
    return [r.name for r in page.runs]


@pytest.mark.parametrize("text,expected", [
    ("metrics.auc > 0.9", {"a", "c"}),
    ("metrics.auc > 0.9 and params.model = 'rf'", {"a"}),
    ("params.model = 'lr' or tags.team = 'vision'", {"a", "b", "c", "d"}),
    ("(params.model = 'lr' or status = 'FAILED') and metrics.auc >= 0.8", {"b", "c"}),
    ("metrics.`val loss` < 0.07", {"a"}),
    ("params.lr < 0.05", {"b", "c"}),
    ("params.lr = 0.1", {"a"}),
    ("name like 'a%' OR name = \"d\"", {"a", "d"}),
    ("tags.team ilike 'VIS%'", {"a", "b"}),
    ("attributes.status != 'FINISHED' and status != 'FAILED'", {"a", "c", "d"}),
    ("metrics.auc != 0.5", {"a", "b", "c"}),  # NaN matches no comparison
    ("", {"a", "b", "c", "d"}),
])
def test_filters(svc, runs, text, expected):
    exp, _ = runs
    assert set(names(svc.search_runs([exp.id], text))) == expected


@pytest.mark.parametrize("text,message", [
    ("metrics.auc >", "column 14: expected a value"),
    ("metrics.auc 0.9", "column 13: expected '.' or an operator"),
    ("(status = 'FAILED'", "expected '\\)', found the end of the filter"),
    ("params.my key = 1", "backticks"),
    ("clf.n_estimators = 100", r"params\.`clf\.n_estimators`"),
    ("metrics.auc > 'high'", "is a number"),
    ("colour = 'red'", "Unknown run attribute"),
    ("foo.bar = 1", "Unknown field prefix"),
    ("metrics.auc > 0.9 and", "column"),
    ("params.model like 3", "quoted pattern"),
])
def test_bad_filters_say_what_is_wrong(svc, runs, text, message):
    with pytest.raises(InvalidInput, match=message):
        svc.search_runs(None, text)


@pytest.mark.parametrize("text,column,length", [
    ("metrics.auc >", 14, 1),                      # at the end: just past the last character
    ("metrics.auc 0.9", 13, 3),                    # the token found instead of an operator
    ("  colour = 'red'", 3, 6),                    # the field, counted in the text as typed
    ("status = 'x' and foo.bar = 1", 18, 7),       # an unknown prefix: the whole field
    ("metrics.auc > 'high'", 15, 6),               # a metric compared with text: the value
    ("params.model like 3", 19, 1),
])
def test_bad_filters_say_which_part_is_wrong(svc, runs, text, column, length):
    with pytest.raises(InvalidFilter) as caught:
        svc.search_runs(None, text)
    assert (caught.value.column, caught.value.length) == (column, length)


@pytest.mark.parametrize("text,meant", [
    ("auc > 0.9", "metrics.auc"),
    ("model = 'rf'", "params.model"),
    ("team = 'nlp'", "tags.team"),
])
def test_a_bare_key_suggests_the_field_runs_have(svc, runs, text, meant):
    with pytest.raises(InvalidFilter, match=f"Did you mean {meant}") as caught:
        svc.search_runs(None, text)
    assert caught.value.suggestion == meant
    assert svc.search_runs(None, text.replace(text.split()[0], meant, 1)).runs


def test_an_unknown_bare_key_suggests_nothing(svc, runs):
    with pytest.raises(InvalidFilter, match="Unknown run attribute 'colour'") as caught:
        svc.search_runs(None, "colour = 'red'")
    assert caught.value.suggestion is None


def test_count_is_of_every_page_of_the_search(svc, runs):
    exp, _ = runs
    assert svc.count_runs([exp.id], "params.model = 'rf'") == 2
    assert svc.count_runs([exp.id]) == 4
    assert svc.count_runs(None) == 5
    with pytest.raises(InvalidFilter):
        svc.count_runs(None, "metrics.auc >")


def test_run_fields_are_the_keys_of_the_experiments_runs(svc, runs):
    exp, _ = runs
    other = svc.get_or_create_experiment("other")
    svc.log_params(svc.search_runs([other.id]).runs[0].id, {"elsewhere": 1})
    assert svc.run_fields([exp.id]) == {"metrics": ["auc", "val loss"],
                                        "params": ["lr", "model"], "tags": ["team"]}
    assert "elsewhere" in svc.run_fields(None)["params"]


def test_dotted_keys_as_track_records_them(svc):
    exp = svc.get_or_create_experiment("dotted")
    for n in (100, 50):
        run = svc.create_run(exp.id, name=f"rf-{n}")
        svc.log_params(run.id, {"clf.n_estimators": n, "layers.0.units": 8})
        svc.log_metrics(run.id, {"cv.mean": n / 100})
    for text in ("params.clf.n_estimators = 100", "params.`clf.n_estimators` = 100",
                 "params.clf.`n_estimators` >= 100 and params.layers.0.units = 8",
                 "metrics.cv.mean > 0.9"):
        assert names(svc.search_runs([exp.id], text)) == ["rf-100"], text
    assert names(svc.search_runs([exp.id], order_by=["params.clf.n_estimators"]))[0] == "rf-100"


def test_children_of_a_run_by_parent_run_id(svc):
    exp = svc.get_or_create_experiment("nested")
    parent = svc.create_run(exp.id, name="pipeline")
    for i in range(2):
        svc.create_run(exp.id, name=f"cell-{i}", parent_run_id=parent.id)
    svc.create_run(exp.id, name="alone")
    children = svc.search_runs([exp.id], f"attributes.parent_run_id = '{parent.id}'",
                               order_by=["name"])
    assert names(children) == ["cell-0", "cell-1"]
    assert names(svc.search_runs([exp.id], f"parent_run_id = '{parent.id}' and name = 'cell-1'")) \
        == ["cell-1"]
    # Each run of a search says how many runs it has under it (the table offers to open them).
    counts = {r.name: r.child_count for r in svc.search_runs([exp.id]).runs}
    assert counts == {"pipeline": 2, "cell-0": 0, "cell-1": 0, "alone": 0}
    docs = {r.name: r.to_json(full=False) for r in svc.search_runs([exp.id]).runs}
    assert (docs["alone"]["child_count"], docs["pipeline"]["child_count"]) == (0, 2)
    assert "child_count" not in svc.get_run(parent.id).to_json()


def test_order_by_metric_puts_nan_and_missing_last(svc, runs):
    exp, _ = runs
    assert names(svc.search_runs([exp.id], order_by=["metrics.auc desc"])) == ["a", "c", "b", "d"]
    assert names(svc.search_runs([exp.id], order_by=["metrics.auc asc"])) == ["b", "c", "a", "d"]
    assert names(svc.search_runs([exp.id], order_by=["params.model", "name desc"]))[:2] == ["d", "c"]


def test_pages(svc, runs):
    exp, _ = runs
    first = svc.search_runs([exp.id], order_by=["name"], max_results=3)
    assert names(first) == ["a", "b", "c"] and first.next_page_token
    second = svc.search_runs([exp.id], order_by=["name"], max_results=3,
                             page_token=first.next_page_token)
    assert names(second) == ["d"] and second.next_page_token is None
    with pytest.raises(InvalidInput, match="page token"):
        svc.search_runs([exp.id], page_token="garbage")
    with pytest.raises(InvalidInput, match="max_results"):
        svc.search_runs([exp.id], max_results=0)


def test_search_results_carry_params_metrics_tags(svc, runs):
    exp, made = runs
    (a,) = svc.search_runs([exp.id], "name = 'a'").runs
    assert a.params == {"model": "rf", "lr": "0.1"}
    assert a.metrics["auc"] == 0.95 and a.tags == {"team": "vision"}


@pytest.mark.parametrize("size", [1, 2, 3])
def test_pages_ordered_by_a_metric_run_on_into_runs_without_it(svc, runs, size):
    exp, _ = runs
    seen, token = [], None
    while True:
        page = svc.search_runs([exp.id], order_by=["metrics.auc desc"], max_results=size,
                               page_token=token)
        seen += names(page)
        token = page.next_page_token
        if token is None:
            break
    assert seen == ["a", "c", "b", "d"]
