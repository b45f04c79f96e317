"""The module-level API a notebook user calls: `import mlops_lab as ml`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import mlops_lab as ml
from mlops_lab.errors import InvalidInput


def test_runs_nest_and_end_with_their_blocks(store_home):
    ml.set_experiment("fluent")
    with ml.start_run("outer") as outer:
        ml.log_params({"C": 0.5, "model": "lr"})
        ml.log_metric("loss", 0.7, step=0)
        ml.log_metric("loss", 0.4, step=1)
        ml.set_tag("team", "vision")
        with ml.start_run("inner") as inner:
            assert ml.active_run().id == inner.id
            ml.log_metric("acc", 0.9)
    assert ml.active_run() is None
    got_outer, got_inner = ml.get_run(outer.id), ml.get_run(inner.id)
    assert got_inner.parent_run_id == outer.id and got_inner.status == "FINISHED"
    assert got_outer.params == {"C": "0.5", "model": "lr"} and got_outer.metrics == {"loss": 0.4}
    assert got_outer.tags == {"team": "vision"}
    assert {r.name for r in ml.search_runs("fluent").runs} == {"outer", "inner"}


@pytest.mark.parametrize("error,status", [(ValueError("boom"), "FAILED"),
                                          (KeyboardInterrupt(), "KILLED"),
                                          (SystemExit(1), "KILLED")])
def test_a_block_that_raises_never_ends_finished(store_home, error, status):
    with pytest.raises(type(error)):
        with ml.start_run("bad") as run:
            raise error
    got = ml.get_run(run.id)
    assert got.status == status and got.error.startswith(type(error).__name__)


def test_logging_without_a_run_starts_one(store_home):
    ml.log_metric("auto", 1.0)
    run = ml.active_run()
    assert run is not None and ml.get_run(run.id).metrics == {"auto": 1.0}
    ml.end_run()
    assert ml.get_run(run.id).status == "FINISHED"


def test_ending_a_parent_kills_children_left_open(store_home):
    with ml.start_run("parent") as parent:
        with ml.start_run("child") as child:
            pass
        left_open = ml.start_run("left open")
        ml.start_run("left open too")
    assert ml.get_run(parent.id).status == "FINISHED"
    assert ml.get_run(child.id).status == "FINISHED"
    orphan = ml.get_run(left_open.id)
    assert orphan.status == "KILLED" and orphan.error == "Its parent run ended first."
    assert ml.active_run() is None


def test_search_runs_df_has_one_column_per_param_and_metric(store_home):
    for lr in (0.1, 0.01):
        with ml.start_run(f"lr={lr}"):
            ml.log_param("lr", lr)
            ml.log_metric("auc", 1 - lr)
    frame = ml.search_runs_df(filter="metrics.auc > 0.5", order_by="metrics.auc desc")
    assert list(frame["name"]) == ["lr=0.01", "lr=0.1"]
    assert {"params.lr", "metrics.auc", "start_time", "status"} <= set(frame.columns)
    assert str(frame["start_time"].dtype).startswith("datetime64")


def test_log_figure_stores_plotly_json(store_home):
    go = pytest.importorskip("plotly.graph_objects")
    with ml.start_run() as run:
        info = ml.log_figure(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), "plots/curve")
    assert info.path == "plots/curve.plotly.json"
    assert info.media_type == "application/vnd.plotly.v1+json"
    with pytest.raises(InvalidInput, match="plotly or matplotlib"):
        with ml.start_run():
            ml.log_figure(object(), "x")
    assert ml.get_run(run.id).status == "FINISHED"


def _script(code: str, home) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env={**os.environ, "MLOPS_LAB_HOME": str(home)}, timeout=120)


def test_a_script_dying_of_an_exception_leaves_its_open_run_failed(store_home):
    result = _script("""
        import mlops_lab as ml
        run = ml.start_run("script")
        print(run.id, flush=True)
        raise RuntimeError("out of memory")
    """, store_home)
    assert result.returncode == 1
    run = ml.get_run(result.stdout.strip())
    assert run.status == "FAILED" and "out of memory" in run.error


def test_a_script_ending_normally_finishes_its_open_run(store_home):
    result = _script("""
        import mlops_lab as ml
        print(ml.start_run("script").id)
    """, store_home)
    assert ml.get_run(result.stdout.strip()).status == "FINISHED"


def test_importing_the_package_does_not_load_the_store_or_sqlalchemy():
    result = subprocess.run(
        [sys.executable, "-c", "import sys, mlops_lab; print('sqlalchemy' in sys.modules, "
                               "'pandas' in sys.modules)"],
        capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "False"]


def test_artifacts_are_listed_and_downloaded_through_the_api(store_home, tmp_path, monkeypatch):
    made = tmp_path / "made"
    (made / "models").mkdir(parents=True)
    (made / "models" / "clf.skops").write_bytes(b"weights")
    (made / "roc.svg").write_bytes(b"<svg/>")
    with ml.start_run("with files") as run:
        ml.log_artifact(made / "models")
        ml.log_artifact(made / "roc.svg", "plots/roc.svg")
    assert [a.path for a in ml.list_artifacts(run.id)] == ["models/clf.skops", "plots/roc.svg"]
    assert [a.size for a in ml.list_artifacts(run.id, "models")] == [7]
    monkeypatch.chdir(tmp_path)
    assert ml.download_artifact(run.id, "plots/roc.svg") == str(tmp_path / "roc.svg")
    assert (tmp_path / "roc.svg").read_bytes() == b"<svg/>"
    folder = ml.download_artifact(run.id, "models", tmp_path / "m")
    assert (tmp_path / "m" / "clf.skops").read_bytes() == b"weights" and folder.endswith("m")
    with pytest.raises(InvalidInput, match="Not overwriting"):
        ml.download_artifact(run.id, "plots/roc.svg")


def test_search_runs_is_a_paged_list(store_home):
    ml.set_experiment("paged")
    for name in "abc":
        with ml.start_run(name):
            pass
    page = ml.search_runs("paged", order_by="name", max_results=2)
    assert len(page) == 2 and [r.name for r in page] == ["a", "b"] and page[0].name == "a"
    assert page.runs == list(page) and page.token == page.next_page_token
    last = ml.search_runs("paged", order_by="name", max_results=2, page_token=page.token)
    assert [r.name for r in last] == ["c"] and last.token is None


def test_dir_shows_only_the_public_api():
    names = dir(ml)
    assert {"start_run", "search_runs", "list_artifacts", "download_artifact",
            "register_model", "__version__"} <= set(names)
    assert not {"annotations", "importlib", "_LAZY", "__getattr__"} & set(names)
    assert all(not n.startswith("_") or n == "__version__" for n in names)


def test_log_artifact_of_a_folder_never_follows_a_link_out_of_it(store_home, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "passwd").symlink_to("/etc/passwd")
    with ml.start_run(name="links") as run:
        with pytest.raises(InvalidInput, match="symbolic link to '/etc/passwd'"):
            ml.log_artifact(str(folder))
    assert ml.list_artifacts(run.id) == []
