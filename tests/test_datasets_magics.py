"""%snapshot and the snapshot links of %%track, on an in-process IPython shell and the real
store."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.utils.capture import capture_output

import mlops_lab as ml
from mlops_lab.tracking import fluent


@pytest.fixture
def ip(shell, store_home, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    shell.reset(new_session=False)
    events = []
    monkeypatch.setattr(shell.display_pub, "publish",
                        lambda data, metadata=None, **kw: events.append(("display", data)))
    monkeypatch.setattr(shell.displayhook, "write_format_data",
                        lambda data, md=None: events.append(("result", data)))
    shell.events_log = events
    yield shell
    fluent.flush()


def run(ip, cell):
    with capture_output(display=False) as out:
        result = ip.run_cell(cell, store_history=True)
    return result, out.stdout + out.stderr


def last_run():
    page = ml.search_runs(order_by=["attributes.start_time desc"], max_results=1)
    return page.runs[0]


def links(run_id):
    return {(link.direction, link.label) for link in fluent.service().run_links(run_id)}


def test_snapshot_magic_stores_the_variable_and_shows_it(ip):
    ip.user_ns["customers"] = pd.DataFrame({"id": [1, 2, 3], "city": ["<b>x</b>", "b", "c"]})
    result, _ = run(ip, "%snapshot customers")
    assert result.success
    version = result.result
    assert version.ref == "customers@1" and version.row_count == 3
    html = [d["text/html"] for kind, d in ip.events_log if kind == "result" and "text/html" in d]
    assert html and "customers" in html[-1] and "<b>x</b>" not in html[-1]
    result, _ = run(ip, "%snapshot customers 'my customers'")
    assert result.result.name == "my customers"
    result, _ = run(ip, "%snapshot customers")
    assert result.result.existed and result.result.version == 1


def test_snapshot_magic_errors_are_clear(ip):
    result, output = run(ip, "%snapshot nothing_here")
    assert not result.success and "no variable 'nothing_here'" in output
    ip.user_ns["bad"] = pd.DataFrame({"x": [1.0]})
    ml.expect("refusing", column="x", max=0, on_fail="refuse")
    result, output = run(ip, "%snapshot bad refusing")
    assert "refused" in output and "outside" in output
    assert ml.list_snapshots("refusing") == []


def test_track_links_loaded_snapshots_and_matching_frames_as_inputs(ip, tmp_path):
    df = pd.DataFrame({"a": range(20), "b": [float(i) / 3 for i in range(20)]})
    df.to_csv(tmp_path / "train.csv", index=False)
    from_file = ml.snapshot(str(tmp_path / "train.csv"), "train", progress=False)
    other = ml.snapshot(df.assign(c=1), "other", progress=False)
    ip.user_ns["path"] = str(tmp_path / "train.csv")
    result, _ = run(ip, "%%track\nimport pandas as pd\nraw = pd.read_csv(path)\n"
                        "extra = raw.assign(c=1)\nsmall = raw.head(3)\n")
    assert result.success
    run_id = last_run().id
    assert links(run_id) == {("input", "train@1"), ("input", "other@1")}

    # A frame the cell did not bind (here: unchanged) is not linked again; a loaded snapshot
    # and a snapshot taken in the cell are input and output.
    result, _ = run(ip, "%%track\nimport mlops_lab as ml\nloaded = ml.load_snapshot('train')\n"
                        "made = loaded.assign(d=2)\nout = ml.snapshot(made, 'derived', progress=False)\n")
    assert result.success
    assert links(last_run().id) == {("input", "train@1"), ("output", "derived@1")}
    assert from_file.id != other.id


def test_track_without_dataframes_links_nothing(ip):
    result, _ = run(ip, "%%track\nx = 1\n")
    assert result.success and links(last_run().id) == set()
