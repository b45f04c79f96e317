"""One run of a monitor: resolve the alias, take the reference statistics (built once per
version and stored), read the current data, compare, measure or estimate performance, date
what is served, store the run and tell the alerts part. A run that crashes is stored as
failed with the reason; one with nothing to compare says so and is never "ok"."""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update

from ...clock import now_ms
from ...errors import MlopsLabError
from ...store.tables import monitoring as t
from . import performance, reference, specs, staleness

log = logging.getLogger("mlops_lab.monitoring")


class Running:
    """The run methods of MonitorService."""

    def run_monitor(self, name_or_id, trigger: str = "manual", now: int | None = None):
        """Runs the monitor now and returns the stored run (its status: ok, drift, no data or
        failed; a failure's reason is in `error`)."""
        monitor = self.get_monitor(name_or_id)
        started = now if now is not None else now_ms()
        with self.db.write() as conn:
            run_id = conn.execute(insert(t.monitor_runs).values(
                monitor_id=monitor.id, trigger=trigger, status="running",
                started_at=started)).inserted_primary_key[0]
        values: dict[str, Any]
        try:
            result, version = self._evaluate(monitor, started)
            values = {"status": result.pop("status"), "model_version": version.version,
                      "rows_current": result.get("rows_current"),
                      "drift_share": (result.get("drift") or {}).get("drift_share"),
                      "result": json.dumps(result, allow_nan=False, default=str)}
        except MlopsLabError as exc:  # a condition the user can mend: said as it is
            values = {"status": "failed", "error": str(exc)}
        except Exception as exc:  # a fault: kept as failed with its reason, then raised
            self._finish(run_id, {"status": "failed", "error": f"{type(exc).__name__}: {exc}"})
            raise
        self._finish(run_id, values)
        found = self.get_run(monitor.id, run_id)
        failed = self._tell_alerts(monitor, found)
        if failed:  # the run stands; that its alert rules were not checked is kept with it
            self._finish(run_id, {"result": json.dumps(
                {**found.result, "alerts_error": failed}, allow_nan=False, default=str)})
            found = self.get_run(monitor.id, run_id)
        return found

    def _finish(self, run_id: int, values: dict) -> None:
        with self.db.write() as conn:
            conn.execute(update(t.monitor_runs).where(t.monitor_runs.c.id == run_id)
                         .values(finished_at=now_ms(), **values))

    def _evaluate(self, monitor, now: int) -> tuple[dict, Any]:
        from ..drift import ReferenceProfile, detect_drift

        version = self.models.resolve(monitor.target)
        model = _Lazy(lambda: self.models.load(version.ref)[1])
        ref = self._reference(monitor, version, model)
        current, source = self._current(monitor, version, model, now)
        columns = reference.input_columns(version)
        result: dict[str, Any] = {"reference": ref["snapshot"], "current": source,
                                  "rows_reference": ref["rows"], "rows_current": len(current)}
        result["staleness"] = staleness.figures(
            now, version, self.models.resolve(version.name).created_at,
            ref.get("snapshot_created_at"), self.serving.last_prediction_at(version.name),
            self._oldest_materialisation(version))
        if len(current) == 0:
            result.update(status="no data", message=f"nothing to compare: no rows in {source}")
            return result, version
        default, per_feature = specs.drift_thresholds(monitor.thresholds)
        report = detect_drift(ReferenceProfile.from_json(ref["features"]), current,
                              columns=columns, thresholds=default, per_feature=per_feature)
        result["drift"] = report.to_json()
        result["drift"]["drift_share"] = report.drift_share
        result["drifted_features"] = report.drifted_features
        drifted = list(report.drifted_features)
        if reference.PREDICTION in current:  # a snapshot without the model's columns has none
            predictions = detect_drift(ReferenceProfile.from_json(ref["prediction"]),
                                       current[[reference.PREDICTION]], thresholds=default)
            result["prediction_drift"] = predictions.to_json()
            drifted += predictions.drifted_features
            result["performance"] = self._performance(monitor, version, model, current, ref)
        if not any(f.tested for f in report.features):
            result.update(status="no data", message="not enough data in any column to compare")
        else:
            result.update(status="drift" if drifted else "ok",
                          message=_message(report, predictions_drifted=len(drifted) > len(
                              report.drifted_features)))
        return result, version

    def _oldest_materialisation(self, version) -> int | None:
        """When the stalest feature set the version read was last materialised."""
        times = []
        for name in staleness.feature_sets(version):
            try:
                times.append(self.features.get(name).freshness["last_materialized"])
            except MlopsLabError:  # deleted since: nothing to date
                continue
        return min((t for t in times if t is not None), default=None)

    def _reference(self, monitor, version, model) -> dict:
        """The stored reference statistics of the version served now (built on its first
        run, and again when the alias moves to another version)."""
        with self.db.read() as conn:
            row = conn.execute(select(t.monitors.c.reference_profile, t.monitors.c.reference_version)
                               .where(t.monitors.c.id == monitor.id)).first()
        if row.reference_profile and row.reference_version == version.version:
            return json.loads(row.reference_profile)
        snapshot, frame = reference.load(self.datasets, version, monitor.reference_ref)
        doc = reference.build(model(), version, snapshot, frame, monitor.current.get("label"))
        with self.db.write() as conn:
            conn.execute(update(t.monitors).where(t.monitors.c.id == monitor.id).values(
                reference_profile=json.dumps(doc, allow_nan=False),
                reference_version=version.version))
        return doc

    def _current(self, monitor, version, model, now: int) -> tuple[pd.DataFrame, str]:
        spec = monitor.current
        if "snapshot" in spec:
            snapshot, frame = self.datasets.load(spec["snapshot"])
            columns = reference.input_columns(version)
            present = [c for c in columns if c in frame.columns]
            if len(frame) and len(present) == len(columns):
                frame = frame.assign(**{reference.PREDICTION:
                                        performance.predict(model(), frame[columns])})
            return frame, f"snapshot {snapshot.ref}"
        since = now - int(spec["window_s"] * 1000) if "window_s" in spec else None
        frame = self.serving.prediction_frame(version.name, version.version, since=since,
                                              last=spec.get("last"))
        return frame, f"{specs.describe_current(spec)} of {version.ref}"

    def _performance(self, monitor, version, model, current: pd.DataFrame, ref: dict) -> dict:
        m = model()
        classes = list(getattr(m, "classes_", [])) or None
        metric = monitor.label_metric or (
            ("roc_auc" if classes and len(classes) == 2 else "accuracy")
            if performance.is_classifier(m) else "rmse")
        key, trained = performance.training_value(version.metrics, metric)
        doc: dict[str, Any] = {"metric": metric, "value": None, "estimated": False,
                               "labelled_rows": 0, "rows": len(current), "training": trained,
                               "training_metric": key, "label_lag_s": None, "note": None}
        y_true, y_pred, inputs = self._labelled(monitor, current)
        columns = reference.input_columns(version)
        missing = [c for c in columns if c not in current]
        if missing and (metric == "roc_auc" or y_true is None or not len(y_true)):
            doc["note"] = (f"cannot score the current rows again: column(s) "
                           f"{', '.join(missing[:5])} missing")
            return doc
        if y_true is not None and len(y_true):
            scores = (performance.positive_probabilities(m, inputs[columns])
                      if metric == "roc_auc" else None)
            doc.update(value=performance.measured(metric, y_true, y_pred, scores, classes),
                       labelled_rows=int(len(y_true)))
            if "label_lag_s" in inputs:
                doc["label_lag_s"] = float(np.median(inputs["label_lag_s"]))
            return doc
        if metric in specs.CLASSIFICATION_METRICS:
            self._estimate(doc, m, current, columns, ref, metric, classes)
        else:
            doc["note"] = "no labels yet: log them with ml.log_labels(request_ids, y)"
        return doc

    def _labelled(self, monitor, current: pd.DataFrame):
        label = monitor.current.get("label")
        if "snapshot" in monitor.current:
            if label and label in current.columns:
                return current[label].to_numpy(), current[reference.PREDICTION].to_numpy(), current
            return None, None, current
        if "request_id" not in current or not len(current):
            return None, None, current
        labels = self.labels_for(current["request_id"].unique())
        if not len(labels):
            return None, None, current
        joined = current.merge(labels, on=["request_id", "row"], how="inner")
        joined["label_lag_s"] = (joined["logged_at"] - joined["created_at"]) / 1000
        return joined["label"].to_numpy(), joined[reference.PREDICTION].to_numpy(), joined

    @staticmethod
    def _estimate(doc, model, current, columns, ref, metric, classes) -> None:
        calibration = ref.get("calibration")
        if calibration and calibration["ece"] > performance.MAX_CALIBRATION_ERROR:
            doc["note"] = (f"no labels yet, and no estimate: the model's probabilities were not "
                           f"calibrated on the reference (error {calibration['ece']:.2f})")
            return
        p = performance.positive_probabilities(model, current[columns])
        if p is None:
            doc["note"] = "no labels yet; an estimate needs a binary classifier's probabilities"
            return
        doc.update(value=performance.estimated(metric, p, classes), estimated=True,
                   note="estimated from the model's probabilities until labels arrive" + (
                       "" if calibration else " (calibration not checked: no label column "
                                              "in the reference)"))

    def _tell_alerts(self, monitor, run) -> str | None:
        """Hands the run's figures to the alert rules; what went wrong, if anything."""
        alerts = self._alerts
        if alerts is None or run.status == "failed":
            return None
        drift = run.drift
        figures = {
            "monitor": monitor.name, "monitor_id": monitor.id, "model_name": monitor.model_name,
            "alias": monitor.alias, "model_version": run.model_version, "run_id": run.id,
            "drift": None if drift is None else {
                "share": drift.drift_share,
                "features": {f.name: {"drifted": f.drifted, "effect_size": f.effect_size,
                                      "p_value": f.p_value, "method": f.method}
                             for f in drift.features}},
            "performance": run.performance, "staleness": run.staleness}
        try:
            alerts.evaluate(figures)
        except Exception as exc:  # the run is stored whatever alerting does
            log.warning("mlops-lab: alert rules of monitor %s failed", monitor.name,
                        exc_info=True)
            return f"the alert rules were not checked: {type(exc).__name__}: {exc}"
        return None

    # ---- the schedule ----------------------------------------------------------------------

    def run_due(self, now: int | None = None) -> list:
        """Runs every scheduled monitor whose time has come (each claimed by one conditional
        update, so two schedulers never run it twice) and sets its next time."""
        from ...pipelines.schedules.service import fire_times

        now = now if now is not None else now_ms()
        m = t.monitors
        with self.db.read() as conn:
            due = conn.execute(select(m.c.id, m.c.schedule, m.c.next_run_at).where(
                m.c.next_run_at.is_not(None), m.c.next_run_at <= now)).all()
        runs = []
        for row in due:
            following = (fire_times(row.schedule, "UTC", now, 1) or [None])[0]
            with self.db.write() as conn:
                claimed = conn.execute(update(m).where(
                    m.c.id == row.id, m.c.next_run_at == row.next_run_at).values(
                    next_run_at=following)).rowcount
            if claimed:
                try:
                    runs.append(self.run_monitor(row.id, "schedule", now))
                except Exception:
                    log.warning("mlops-lab: scheduled run of monitor %s failed", row.id,
                                exc_info=True)
        return runs


def _message(report, predictions_drifted: bool) -> str:
    compared = sum(f.tested for f in report.features)
    columns = report.drifted_features
    said = (f"{', '.join(columns)} drifted ({len(columns)} of {compared} columns compared)"
            if columns else f"no drift in the {compared} columns compared")
    return said + ("; the model's predictions drifted" if predictions_drifted else "")


class _Lazy:
    """The model, loaded on first use (a run with nothing to compare never loads it)."""

    def __init__(self, load):
        self._load, self._value = load, None

    def __call__(self):
        if self._value is None:
            self._value = self._load()
        return self._value
