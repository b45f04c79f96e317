"""The comparison behind `reproduce`: float tolerance, volatile masking, the three verdicts and
the cell outputs read from an executed notebook. Pure functions: no store, no kernel."""

from __future__ import annotations

import base64
import json

import nbformat
import pytest

from mlops_lab.errors import InvalidInput
from mlops_lab.pipelines.reproduce.comparison import (Tolerance, cell_outputs, compare, mask, text_equal,
                                            tolerance, values_equal)

TOL = Tolerance()


def test_numbers_are_equal_within_the_tolerance_and_not_beyond():
    assert values_equal(0.91, 0.91 + 1e-9, TOL)
    assert not values_equal(0.91, 0.92, TOL)
    assert values_equal(0.91, 0.92, Tolerance(rel=0.05))
    assert values_equal(0.0, 1e-12, TOL)  # the absolute tolerance near zero
    assert values_equal(float("nan"), float("nan"), TOL)
    assert not values_equal(float("nan"), 1.0, TOL)
    assert not values_equal(True, 1, TOL)  # a flag is not a number


def test_numbers_inside_text_are_compared_within_the_tolerance():
    assert text_equal("accuracy 0.9100000001, loss 1e-3", "accuracy 0.91, loss 0.001", TOL)
    assert not text_equal("best C=1.0", "best C=10.0", TOL)
    assert not text_equal("best kernel rbf", "best kernel linear", TOL)
    # digits inside names or hashes are not numbers
    assert not text_equal("model_v1234567890123", "model_v1234567890124", TOL)


def test_containers_are_compared_item_by_item():
    assert values_equal({"a": [1.0, "x 2.0"]}, {"a": [1.0 + 1e-12, "x 2"]}, TOL)
    assert not values_equal({"a": 1}, {"a": 1, "b": 2}, TOL)
    assert not values_equal([1, 2], [1, 2, 3], TOL)


@pytest.mark.parametrize("before, after", [
    ("started 2026-12-07T03:41:14.123+00:00", "started 2027-01-01 10:00:00Z"),
    ("at 03:41:14", "at 23:59:01.5"),
    ("<Foo object at 0x7f3a9c1e0b70>", "<Foo object at 0x7fe0123456a8>"),
    ("fitted in 1.23 s", "fitted in 4.5 s"),
    ("Wall time: 812 ms", "Wall time: 1.2 s"),
    ("wrote /tmp/tmpab12cd/model.skops", "wrote /tmp/tmpzz99xy/model.skops"),
    ("100%|##########| 10/10 [00:01<00:00,  9.52it/s]",
     "100%|##########| 10/10 [00:03<00:00,  3.10it/s]"),
])
def test_volatile_things_are_masked(before, after):
    assert mask(before) == mask(after)
    assert text_equal(before, after, TOL)


def test_masking_keeps_what_is_not_volatile():
    assert mask("n_estimators=100, accuracy 0.91") == "n_estimators=100, accuracy 0.91"
    assert not text_equal("5 folds", "6 folds", TOL)


def test_nothing_recorded_is_cannot_tell_never_the_same():
    result = compare({"output": {}, "metric": {}}, {"output": {}, "metric": {}}, TOL)
    assert result["verdict"] == "cannot tell" and result["compared"] == 0
    assert "same" not in result and result["differences"] == []


def test_all_equal_is_reproduced_with_the_count():
    before = {"output": {"n": 5}, "metric": {"cell [2]/acc": 0.91}}
    after = {"output": {"n": 5}, "metric": {"cell [2]/acc": 0.91 + 1e-10}}
    result = compare(before, after, TOL)
    assert result["verdict"] == "reproduced" and result["compared"] == 2
    assert result["counts"] == {"metric": 1, "output": 1}
    assert result["summary"] == "reproduced: 2 things compared, all equal"


def test_differences_are_listed_with_before_and_after_and_missing_sides():
    before = {"param": {"cell [3]/best_C": "1.0"}, "metric": {"cell [3]/acc": 0.9}}
    after = {"param": {"cell [3]/best_C": "10.0"}, "metric": {"cell [4]/acc": 0.9}}
    result = compare(before, after, TOL)
    assert result["verdict"] == "differs" and result["compared"] == 3
    assert result["differences"] == [
        {"kind": "metric", "name": "cell [3]/acc", "before": 0.9, "after": None,
         "missing": "after"},
        {"kind": "metric", "name": "cell [4]/acc", "before": None, "after": 0.9,
         "missing": "before"},
        {"kind": "param", "name": "cell [3]/best_C", "before": "1.0", "after": "10.0"}]


def test_timings_and_ignored_names_are_left_out_and_listed():
    before = {"metric": {"fit/mean_fit_time": 0.1, "fit/acc": 1.0, "fit/loss": 0.5}}
    after = {"metric": {"fit/mean_fit_time": 0.3, "fit/acc": 1.0, "fit/loss": 0.7}}
    result = compare(before, after, tolerance(ignore=["metric:*loss"]))
    assert result["verdict"] == "reproduced" and result["compared"] == 1
    assert {(i["name"], i["why"]) for i in result["ignored"]} == {
        ("fit/mean_fit_time", "a timing"), ("fit/loss", "ignored by a pattern")}


@pytest.mark.parametrize("kwargs", [{"rel_tol": -1}, {"rel_tol": 1}, {"abs_tol": "x"},
                                    {"rel_tol": float("nan")}, {"ignore": "cell*"},
                                    {"ignore": [""]}, {"ignore": ["x"] * 101}])
def test_a_bad_tolerance_is_refused_clearly(kwargs):
    with pytest.raises(InvalidInput):
        tolerance(**kwargs)


def test_cell_outputs_of_an_executed_notebook():
    nb = nbformat.v4.new_notebook()
    png = base64.b64encode(b"\x89PNG fake image").decode()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# title"),
        nbformat.v4.new_code_cell("print(1); print(2)", execution_count=1, outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="1\n"),
            nbformat.v4.new_output("stream", name="stdout", text="2\n")]),
        nbformat.v4.new_code_cell("%%track\nfit()", execution_count=2, outputs=[
            nbformat.v4.new_output("display_data", data={
                "text/plain": "run brave-owl-417 (…) FINISHED",
                "text/html": '<div class="mlops-lab-run-summary">run</div>'}),
            nbformat.v4.new_output("display_data", data={"image/png": png,
                                                          "text/plain": "<Figure>"})]),
        nbformat.v4.new_code_cell("1/0", execution_count=3, outputs=[
            nbformat.v4.new_output("error", ename="ZeroDivisionError",
                                   evalue="division by zero", traceback=[])]),
    ]
    found = cell_outputs(json.dumps(nb).encode())
    assert found["cell [1] stdout"] == "1\n2\n"  # one stream however it was split
    assert found["cell [2] output 1 image/png"].startswith("sha256:")
    assert found["cell [2] output 1 text/plain"] == "<Figure>"  # the run summary is left out
    assert found["cell [3] error"] == "ZeroDivisionError: division by zero"
    assert len(found) == 4


def test_ignore_patterns_take_brackets_literally_and_long_values_are_cut_in_the_table():
    before = {"cell output": {"cell [4] stdout": "a", "cell 4 stdout": "x" * 5000}}
    after = {"cell output": {"cell [4] stdout": "b", "cell 4 stdout": "y" * 5000}}
    result = compare(before, after, tolerance(ignore=["cell [4]*"]))
    assert [d["name"] for d in result["differences"]] == ["cell 4 stdout"]
    assert result["differences"][0]["before"].endswith("… (5000 characters)")
    assert len(result["differences"][0]["before"]) < 2100


def test_only_the_compared_runs_ids_are_masked_not_any_hex_digest():
    run_a, run_b = "3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b", "9e107d9d372bb6826bd81d3542a419d6"
    # a data hash that changed is a difference, though it looks like a run id
    assert not text_equal("md5 9e107d9d372bb6826bd81d3542a419d6",
                          "md5 00000000000000000000000000000000", Tolerance())
    ids = Tolerance(ids=frozenset({run_a, run_b}))
    assert text_equal(f"logged to {run_a}", f"logged to {run_b}", ids)
    assert mask(f"run {run_a} done", ids.ids) == "run <id> done"
