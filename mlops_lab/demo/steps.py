"""The demo's loop, step by step, on the store of one folder. Each step does one thing with the
public API and hands its figures to the reporter; waits poll a condition with a deadline.

The retraining is driven as the Jupyter server's scheduler drives it: one
`ml.check_retraining()` round after another (fire the rule, then judge the run that ended).
"""

from __future__ import annotations

import time
from pathlib import Path

from . import DemoFailed
from .data import CALLS_THAT_CHURN, FEATURES, LABEL, SHIFT_CALLS, customers
from .notebook import write_retraining_notebook
from .report import Reporter
from .polling import until
from .server import serving

MODEL, ALIAS, MONITOR, RULE = "churn", "champion", "churn@champion", "churn-on-drift"
GATE = {"data": "holdout", "label": LABEL, "metric": "roc_auc", "margin": 0.01}
BUSY = ("running", "judging")  # a firing's states before its outcome
RETRAIN_TIMEOUT_S = 240  # a retraining run on a busy 2-core machine stays well inside it


def run(folder: Path, report: Reporter, one_cell: bool = False) -> dict:
    """The whole loop in `folder` (its store is folder/.mlops-lab); the lineage ids.
    `one_cell`: the retraining notebook is one cell, without a `parameters` cell."""
    import mlops_lab as ml

    parts = customers()
    snapshot_step(ml, parts, report)
    train_and_register(ml, report)
    ml.set_alias(MODEL, ALIAS, 1, reason="the first version")
    report.step("champion", f"{MODEL}@{ALIAS} -> version 1", version=1)
    notebook = write_retraining_notebook(folder / "retrain.ipynb", parameters=not one_cell)
    watch_step(ml, notebook, report, {} if one_cell else {"model": "{model}"})
    with serving(MONITOR, folder) as server:
        health = server.health()
        report.step("serve", f"mlops-lab serve {MONITOR} answers on {server.url} with version "
                    f"{health['version']} (pid {server.proc.pid}; log in {server.log.name})",
                    url=server.url, version=health["version"], pid=server.proc.pid)
        traffic_step(ml, server, parts, report)
        alert = drift_step(ml, report)
        firing = retraining_step(ml, report)
        gate = gate_step(ml, firing, report)
        move = alias_step(ml, gate, report)
        swap_step(server, parts, alert, firing, gate, move, report)
    return lineage_step(alert, firing, gate, move, report)


def snapshot_step(ml, parts, report: Reporter) -> None:
    train = ml.snapshot(parts["train"], "train", progress=False,
                        description="customers before the shift, with churned")
    holdout = ml.snapshot(parts["holdout"], "holdout", progress=False,
                          description="labelled customers the model never trains on")
    report.step("snapshot", f"snapshots {train.ref} ({train.row_count} rows) and {holdout.ref} "
                f"({holdout.row_count} labelled rows)", train=train.ref, holdout=holdout.ref,
                rows={"train": train.row_count, "holdout": holdout.row_count})


def train_and_register(ml, report: Reporter) -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score

    with ml.start_run("churn-forest", experiment="continuous-training") as run:
        frame = ml.load_snapshot("train")  # the run's input: the version's lineage
        holdout = ml.load_snapshot("holdout")
        params = {"n_estimators": 100, "max_depth": 8}
        ml.log_params(params)
        model = RandomForestClassifier(**params, random_state=0).fit(frame[FEATURES],
                                                                     frame[LABEL])
        auc = float(roc_auc_score(holdout[LABEL],
                                  model.predict_proba(holdout[FEATURES])[:, 1]))
        ml.log_metric("roc_auc", auc)
        report.step("train", f"tracked run {run.id[:8]}: a random forest, ROC AUC {auc:.3f} on "
                    "holdout@1", run_id=run.id, roc_auc=auc)
        version = ml.register_model(model, MODEL, input_example=frame[FEATURES].head(3),
                                    description="a forest on the customers before the shift")
    report.step("register", f"registered {version.ref} (skops, signature of "
                f"{len(FEATURES)} inputs, lineage: run {run.id[:8]} read train@1)",
                version=version.version, ref=version.ref)


def watch_step(ml, notebook: Path, report: Reporter, parameters: dict) -> None:
    monitor = ml.create_monitor(MONITOR, last=1000, metric="roc_auc")
    rule = ml.create_alert_rule("inputs drifted", "feature_drift", monitor=monitor.name)
    retraining = ml.create_retraining_rule(RULE, MODEL, notebook, on="alert",
                                           monitor=monitor.name, gate=GATE,
                                           parameters=parameters)
    report.step("watch", f"monitor {monitor.name} (the last 1000 predictions against train@1), "
                f"alert rule '{rule.name}', retraining rule '{retraining.name}' -> "
                f"{notebook.name}, gated on {GATE['data']} ({GATE['metric']}, margin "
                f"{GATE['margin']})", monitor=monitor.name, alert_rule=rule.id,
                retraining_rule=retraining.name, notebook=str(notebook))


def traffic_step(ml, server, parts, report: Reporter) -> None:
    from ..services import services

    normal = server.send(parts["traffic"][FEATURES])
    report.step("traffic", f"{len(parts['traffic'])} customers scored in {len(normal)} "
                f"requests, answered by version {versions(normal)}",
                rows=len(parts["traffic"]), versions=versions(normal))
    shifted = server.send(parts["shifted_traffic"][FEATURES])
    rows = len(parts["traffic"]) + len(parts["shifted_traffic"])
    server.wait_for(lambda: len(services().serving.prediction_frame(MODEL)) >= rows,
                    f"{rows} logged predictions", 60)
    calls = parts["shifted_traffic"]["support_calls"].mean()
    report.step("shifted_traffic", f"{len(parts['shifted_traffic'])} SHIFTED customers "
                f"(support calls {calls:.2f} on average, +{SHIFT_CALLS}); {rows} predictions "
                "logged", rows=len(parts["shifted_traffic"]), logged=rows,
                mean_support_calls=round(float(calls), 3))
    # Their outcomes arrive: the labels of the shifted traffic, and new labelled snapshots.
    ids = [(rid, n) for rid, _, size in shifted for n in range(size)]
    ml.log_labels([i for i, _ in ids], parts["shifted_traffic"][LABEL].tolist(),
                  [n for _, n in ids])
    train = ml.snapshot(parts["recent"], "train", progress=False,
                        description="customers after the shift, with churned")
    holdout = ml.snapshot(parts["recent_holdout"], "holdout", progress=False,
                          description="labelled customers after the shift")
    churn_calls = (parts["recent"]["support_calls"] > CALLS_THAT_CHURN).mean()
    report.step("labels", f"outcomes arrive: labels of the {len(ids)} shifted predictions, "
                f"snapshots {train.ref} and {holdout.ref}; {churn_calls:.0%} of recent "
                f"customers call support more than {CALLS_THAT_CHURN:g} times, and they "
                "all churned", labels=len(ids), train=train.ref, holdout=holdout.ref)


def versions(answers) -> str:
    return ", ".join(sorted({v for _, v, _ in answers}))


def drift_step(ml, report: Reporter):
    run = ml.run_monitor(MONITOR)
    features = {f["name"]: f for f in run.result["drift"]["features"]}
    drifted = run.result.get("drifted_features", [])
    lines = [f"{name}: p = {features[name]['p_value_adjusted']:.2g} (adjusted), effect size "
             f"{features[name]['effect_size']:.2f} ({features[name]['effect_method']}; "
             f"{features[name]['method']})" for name in drifted]
    perf = run.result.get("performance") or {}
    if perf.get("value") is not None:
        lines.append(f"{perf['metric']} on the labelled traffic {perf['value']:.3f} (training "
                     f"{perf.get('training') or float('nan'):.3f})")
    report.step("monitor", f"monitor run #{run.id}: {run.status}, {len(drifted)} of "
                f"{len(features)} features drifted", lines, run=run.id, status=run.status,
                drifted={n: {k: features[n].get(k) for k in ("p_value", "p_value_adjusted",
                                                             "effect_size", "method")}
                         for n in drifted},
                performance={k: perf.get(k) for k in ("metric", "value", "training",
                                                     "estimated")})
    alerts = ml.list_alerts(state="open", model=MODEL)
    if not alerts:
        raise DemoFailed(f"The monitor found {run.status} but no alert opened: "
                           f"{run.result.get('message')}")
    alert = alerts[0]
    report.step("alert", f"alert #{alert.id} opened: {alert.message}",
                [f"#{a.id} {a.feature}" for a in alerts], alert=alert.id,
                alerts=[a.id for a in alerts], features=[a.feature for a in alerts],
                opened_at=alert.opened_at)
    return alert


def retraining_step(ml, report: Reporter):
    """Scheduler rounds until the rule fires, then until its retraining has been judged. What
    happened is read from the rule's firings, so another checker (a Jupyter server's
    scheduler on the same store) may do either part. Interrupted (Ctrl-C, an error), the
    retraining still running is cancelled: its worker runs in a session of its own, which
    Ctrl-C does not reach."""
    try:
        return retrain_and_judge(ml, report)
    except BaseException:
        cancel_retrainings(ml)
        raise


def cancel_retrainings(ml) -> None:
    from ..services import services

    pipelines = services().pipelines
    for firing in ml.list_retraining_firings(RULE, status="running"):
        pipelines.cancel(firing.pipeline_run_id)
        pipelines.wait(firing.pipeline_run_id, timeout=30)  # its worker is done with the store


def retrain_and_judge(ml, report: Reporter):
    from ..services import services

    def after_a_round(look):
        return lambda: (ml.check_retraining(), look())[1]

    def firings():
        return ml.list_retraining_firings(RULE, limit=1)

    firing = until(after_a_round(firings), "the retraining rule to fire", RETRAIN_TIMEOUT_S)[0]
    report.step("fired", f"retraining rule {firing.rule} fired (firing #{firing.id}) on alert "
                f"#{firing.trigger.get('alert')}: pipeline run {firing.pipeline_run_id[:8]} "
                "queued", firing=firing.id, alert=firing.trigger.get("alert"),
                pipeline_run=firing.pipeline_run_id)
    ended = until(after_a_round(lambda: [f for f in firings() if f.status not in BUSY]),
                  "the retraining to be judged", RETRAIN_TIMEOUT_S)[0]
    run = services().pipelines.get(firing.pipeline_run_id)
    took = (run.duration_ms or 0) / 1000
    report.step("pipeline", f"pipeline run {run.id[:8]} {run.status} in {took:.1f} s "
                f"(papermill; executed notebook {run.output_notebook or '-'})",
                pipeline_run=run.id, status=run.status, seconds=took,
                output_notebook=run.output_notebook)
    if ended.status != "promoted":
        raise DemoFailed(f"The retraining ended {ended.status}: {ended.message}")
    inputs = trained_on(ml, ended.version)
    report.step("registered", f"{MODEL}/{ended.version} registered by the pipeline run "
                f"(trained on {inputs})", version=ended.version, inputs=inputs)
    return ended


def trained_on(ml, version: int) -> str:
    """The snapshots the version's run read (its lineage), as "train@2"."""
    links = ml.get_model_version(f"{MODEL}/{version}").inputs or []
    return ", ".join(i.get("label") or i["ref"] for i in links
                     if i.get("kind") == "snapshot") or "no recorded snapshot"


def gate_step(ml, firing, report: Reporter):
    from ..services import services

    gate = services().evaluation.get_evaluation(firing.evaluation_id)
    inputs = trained_on(ml, firing.version)
    doc = gate.doc
    new, old, gain = doc["challenger"], doc["champion"], doc["improvement"]
    lines = [f"version {new['version']}: {doc['metric']} {new['value']:.3f} "
             f"[{new['low']:.3f}, {new['high']:.3f}]",
             f"version {old['version']}: {doc['metric']} {old['value']:.3f} "
             f"[{old['low']:.3f}, {old['high']:.3f}]",
             f"improvement {gain['value']:+.3f}, {doc['confidence']:.0%} interval "
             f"[{gain['low']:+.3f}, {gain['high']:+.3f}] ({doc['method']}), margin "
             f"{doc['margin']}: {'passed' if gate.passed else 'failed'}",
             f"why: after the shift, customers calling support more than "
             f"{CALLS_THAT_CHURN:g} times churn; version {old['version']} was trained when "
             f"support calls meant nothing, version {new['version']} learned it from the "
             f"shifted customers' outcomes ({inputs})"]
    report.step("gate", f"gate #{gate.id} on {doc['data']['snapshot']}: "
                f"{'PASSED' if gate.passed else 'failed'}", lines, gate=gate.id,
                passed=gate.passed, metric=doc["metric"],
                challenger={k: new[k] for k in ("version", "value", "low", "high")},
                champion={k: old[k] for k in ("version", "value", "low", "high")},
                improvement=gain, data=doc["data"])
    return gate


def alias_step(ml, gate, report: Reporter):
    from ..services import services

    history = services().models.alias_history(MODEL, ALIAS)
    move = history[0]
    report.step("promoted", f"{MODEL}@{ALIAS} moved from version {move.from_version} to "
                f"{move.to_version} by gate #{move.evaluation_id}; its history, newest first:",
                [f"{m.from_version or '-'} -> {m.to_version}  gate #{m.evaluation_id or '-'}  "
                 f"{m.reason}" for m in history], from_version=move.from_version,
                to_version=move.to_version, evaluation_id=move.evaluation_id,
                history=[m.to_json() for m in history])
    return move


def swap_step(server, parts, alert, firing, gate, move, report: Reporter) -> None:
    """Until the server answers with the new version (it polls the alias each second)."""
    from ..services import services
    from .timing import loop_parts

    row = parts["recent_holdout"][FEATURES].head(1)
    server.wait_for(lambda: server.predict(row)[1] == str(move.to_version),
                    f"an answer from version {move.to_version}", 60)
    answered = time.time()
    health = server.health()
    run = services().pipelines.get(firing.pipeline_run_id)
    took = loop_parts(alert, firing, run, gate, move, answered)
    report.step("swapped", f"the server swapped: /health says version {health['version']}; "
                f"{took['total_s']:.1f} s from alert #{alert.id} to version {move.to_version} "
                "answering:", [
                    f"rule fired {took['fire_s']:.1f} s, pipeline run {took['pipeline_s']:.1f} s "
                    f"(a worker claimed it after {took['pipeline_start_s']:.1f} s; the notebook, "
                    f"its kernel's start included, {took['notebook_s']:.1f} s)",
                    f"registering took {took.get('registration_s', 0):.2f} s of it; "
                    f"judged {took['judge_s']:.1f} s (the gate {took['gate_s']:.2f} s), the "
                    f"server swapped {took['swap_s']:.1f} s after the alias moved"],
                version=health["version"], timing=took)


def lineage_step(alert, firing, gate, move, report: Reporter) -> dict:
    lineage = {"alert": alert.id, "firing": firing.id, "pipeline_run": firing.pipeline_run_id,
               "version": firing.version, "gate": gate.id,
               "alias_move": {"alias": ALIAS, "from_version": move.from_version,
                              "to_version": move.to_version, "evaluation_id": move.evaluation_id}}
    report.step("lineage", f"alert #{alert.id} -> pipeline run {firing.pipeline_run_id[:8]} "
                f"-> version {firing.version} -> gate #{gate.id} -> {ALIAS} "
                f"{move.from_version} -> {move.to_version}", **lineage)
    return lineage
