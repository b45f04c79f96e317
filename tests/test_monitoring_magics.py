"""%drift and %monitor on an in-process IPython shell and the real store: the report or run is
the cell's result, rendered as HTML; mistakes are usage errors that say what to pass."""

from __future__ import annotations

from test_datasets_magics import ip, run  # noqa: F401 - the shell fixture
from test_monitors_service import champion, customers, log_predictions, s  # noqa: F401


def test_drift_of_two_variables_and_of_two_snapshots(ip):
    ip.user_ns["train"] = customers(2000, seed=1)
    ip.user_ns["recent"] = customers(2000, seed=2, income_shift=1.0)
    result, _ = run(ip, "%drift train recent -c age income plan")
    assert result.success and result.result.drifted_features == ["income"]
    html = dict(ip.events_log)["result"]["text/html"]
    assert "income" in html

    run(ip, "%snapshot train customers -q\n%snapshot recent customers -q")
    result, _ = run(ip, "%drift customers@1 customers@2 --columns income")
    assert result.result.drifted_features == ["income"]


def test_mistakes_say_what_to_pass(ip):
    ip.user_ns["train"] = customers(100, seed=1)
    _, out = run(ip, "%drift train nosuchframe")
    assert "there is no variable 'nosuchframe'" in out
    _, out = run(ip, "%monitor nosuch@champion")
    assert "%monitor: No monitor 'nosuch@champion'" in out


def test_monitor_runs_it_and_shows_the_run(ip, s, champion):
    version, model = champion
    log_predictions(s, version, model, customers(1000, seed=2))
    s.monitors.create_monitor("churn@champion")
    result, _ = run(ip, "%monitor churn@champion")
    assert result.success and result.result.status == "ok"
    assert "churn@champion" in dict(ip.events_log)["result"]["text/html"]
