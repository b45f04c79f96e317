"""Alert rules and alerts. Entry points (ml.*, `mlops-lab alerts`, REST) and a monitor run
(`evaluate(figures)`) call these methods; the rules of each kind are in rules.py, an alert's
life cycle in lifecycle.py, and every change that webhooks should hear of queues its
deliveries (through the webhooks part) in the same transaction.

`figures`, what a monitor run hands `evaluate`:

    {"monitor": "churn-drift", "monitor_id": 1, "model_name": "churn", "alias": "champion",
     "model_version": 3, "run_id": 17,
     "drift": {"share": 0.1, "features": {"age": {"drifted": True, "effect_size": 0.3,
               "p_value": 0.001, "method": "ks"}}} or None,
     "performance": {"metric": "roc_auc", "value": 0.81, "training": 0.86,
                     "estimated": False} or None,
     "staleness": {"version_age_s": 86400.0, "since_retraining_s": …,
                   "since_prediction_s": …, "training_data_age_s": …}}
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import delete, insert, or_, select, true

from ...clock import now_ms
from ...collaborators import Collaborator
from ...durations import duration_ms
from ...errors import InvalidInput, NotFound
from ...limits import check_limit
from ...models.names import clean_text, user_name
from ...naming import clean_name
from ...store import Store, keyset
from ...store.keyset import SortKey
from ...store.tables.monitoring import alert_rules as r
from ...store.tables.monitoring import alerts as a
from . import lifecycle, rules
from .entities import STATES, Alert, AlertRule, alert_of, rule_of
from ..webhooks.service import clean_id

KEY_MAX = 1000
NOTE_MAX = 2000
MAX_LIMIT = 10_000
# What of a run's figures every alert keeps, besides what its rule found.
CONTEXT = ("monitor", "monitor_id", "model_name", "alias", "model_version", "run_id")


def alert_key(*parts) -> str:
    """The dedup key: readable (a JSON list) unless too long for its column."""
    text = json.dumps(list(parts), ensure_ascii=False)
    return text if len(text) <= KEY_MAX else "sha256:" + hashlib.sha256(text.encode()).hexdigest()


class AlertService:
    monitors = Collaborator("monitors")  # rules and alerts name monitors by name or id
    webhooks = Collaborator("webhooks")  # told of every opened, re-opened and resolved alert
    pipelines = Collaborator("pipelines")  # whose failed runs pipeline_failed rules watch

    def __init__(self, store: Store, webhooks=None, pipelines=None):
        self.store = store
        self.db = store.db
        self._webhooks, self._pipelines = webhooks, pipelines

    # ---- rules ----------------------------------------------------------------------------

    def create_alert_rule(self, name: str, kind: str, monitor=None, cooldown="1h",
                          enabled: bool = True, **params) -> AlertRule:
        """A rule of `kind` (see rules.KINDS) on `monitor` (its name or id; None: every
        monitor). `cooldown`: a re-opened alert is told to webhooks at most once per it."""
        name = clean_name(name, "alert rule name", 200)
        kind = rules.clean_kind(kind)
        params = rules.clean_params(kind, params)
        cooldown_s = duration_ms(cooldown, "cooldown", allow_zero=True) // 1000
        if not isinstance(enabled, bool):
            raise InvalidInput("enabled must be true or false.")
        if kind == rules.PIPELINE_KIND and monitor is not None:
            raise InvalidInput("A pipeline_failed rule watches pipeline runs, not a monitor: "
                               "leave monitor out (name the notebook with pipeline=…).")
        monitor_id = None if monitor is None else self._monitor_id(monitor)
        with self.db.write() as conn:
            new = conn.execute(insert(r).values(
                name=name, kind=kind, params=json.dumps(params), cooldown_s=cooldown_s,
                enabled=enabled, monitor_id=monitor_id, created_at=now_ms())
            ).inserted_primary_key[0]
            return rule_of(conn.execute(select(r).where(r.c.id == new)).first())

    def list_alert_rules(self, monitor=None) -> list[AlertRule]:
        """Every rule (or those of one monitor, and those of every monitor), oldest first."""
        query = select(r).order_by(r.c.id)
        if monitor is not None:
            query = query.where(or_(r.c.monitor_id == self._monitor_id(monitor),
                                    r.c.monitor_id.is_(None)))
        with self.db.read() as conn:
            return [rule_of(row) for row in conn.execute(query)]

    def get_alert_rule(self, rule_id) -> AlertRule:
        rule_id = clean_id(rule_id, "alert rule")
        with self.db.read() as conn:
            row = conn.execute(select(r).where(r.c.id == rule_id)).first()
        if row is None:
            raise NotFound(f"No alert rule with id {rule_id} (see `mlops-lab alerts rules list`).")
        return rule_of(row)

    def delete_alert_rule(self, rule_id) -> AlertRule:
        """Deletes the rule; its alerts stay (with no rule)."""
        rule = self.get_alert_rule(rule_id)
        with self.db.write() as conn:
            conn.execute(delete(r).where(r.c.id == rule.id))
        return rule

    def _monitor_id(self, monitor) -> int:
        """The id of a monitor named by name or id (a clear NotFound otherwise)."""
        return self.monitors.get_monitor(monitor).id

    # ---- what raises alerts ------------------------------------------------------------

    def evaluate(self, figures: dict) -> list[Alert]:
        """Checks a monitor run's figures against each enabled rule of its monitor and the
        rules of every monitor; returns the alerts that opened, re-opened or were seen again."""
        if not isinstance(figures, dict):
            raise InvalidInput("A monitor run's figures are a dict (see AlertService.evaluate).")
        monitor_id = figures.get("monitor_id")
        if monitor_id is not None:
            monitor_id = clean_id(monitor_id, "monitor")
            self._monitor_id(monitor_id)  # a clear NotFound, not a foreign-key error
        context = {k: figures.get(k) for k in CONTEXT}
        query = select(r).where(r.c.enabled == true(), r.c.kind != rules.PIPELINE_KIND,
                                or_(r.c.monitor_id.is_(None), r.c.monitor_id == monitor_id))
        now = now_ms()
        touched = []
        with self.db.write() as conn:
            lifecycle.serialise(conn, self.db)
            for rule in [rule_of(row) for row in conn.execute(query.order_by(r.c.id))]:
                for finding in rules.check(rule.kind, rule.params, figures):
                    key = alert_key(context["model_name"], context["alias"],
                                    context["monitor"], rule.id, finding.feature)
                    touched.append(self._seen(conn, key, rule, finding, context, monitor_id,
                                              now))
            return [self._alert(conn, alert_id) for alert_id in touched]

    def check_pipeline_failures(self, since_ms: int) -> list[Alert]:
        """Applies the pipeline_failed rules to the pipeline runs that ended FAILED since
        `since_ms`; a run already counted in its alert is not counted again."""
        failed = self.pipelines.ended_since(since_ms, "FAILED")
        query = select(r).where(r.c.enabled == true(), r.c.kind == rules.PIPELINE_KIND)
        now = now_ms()
        touched = []
        with self.db.write() as conn:
            lifecycle.serialise(conn, self.db)
            for rule in [rule_of(row) for row in conn.execute(query.order_by(r.c.id))]:
                for run in failed:
                    finding = rules.pipeline_finding(rule.params, run)
                    if finding is None:
                        continue
                    key = alert_key("pipeline", rule.id, run.notebook)
                    last = conn.execute(select(a.c.figures).where(a.c.key == key)).scalar()
                    if last and json.loads(last).get("pipeline_run_id") == run.id:
                        continue
                    touched.append(self._seen(conn, key, rule, finding, {}, None, now))
            return [self._alert(conn, alert_id) for alert_id in touched]

    def _seen(self, conn, key, rule: AlertRule, finding, context: dict, monitor_id, now) -> int:
        alert_id, event = lifecycle.seen(conn, key, {
            "rule_id": rule.id, "monitor_id": monitor_id, "model_name": context.get("model_name"),
            "alias": context.get("alias"), "feature": finding.feature,
            "severity": rule.params.get("severity", "warning"), "message": finding.message,
            "figures": {**context, "rule": rule.name, "kind": rule.kind, **finding.figures},
        }, rule.cooldown_s, now)
        if event is not None:
            self._tell(conn, alert_id, event, now)
        return alert_id

    def _tell(self, conn, alert_id: int, event: str, now: int) -> None:
        self.webhooks.queue(conn, event, {"alert": self._alert(conn, alert_id).to_json()},
                            alert_id, now)

    # ---- people moving alerts ----------------------------------------------------------

    def acknowledge_alert(self, alert_id, note: str | None = None,
                          user: str | None = None) -> Alert:
        """open -> acknowledged: someone is on it."""
        alert_id, note = clean_id(alert_id, "alert"), clean_text(note, "note", NOTE_MAX)
        with self.db.write() as conn:
            lifecycle.acknowledge(conn, alert_id, user_name(user), note, now_ms())
            return self._alert(conn, alert_id)

    def resolve_alert(self, alert_id, note: str | None = None, user: str | None = None) -> Alert:
        """open or acknowledged -> resolved (webhooks are told); it re-opens if its condition
        is seen again."""
        alert_id, note = clean_id(alert_id, "alert"), clean_text(note, "note", NOTE_MAX)
        now = now_ms()
        with self.db.write() as conn:
            lifecycle.serialise(conn, self.db)
            event = lifecycle.resolve(conn, alert_id, user_name(user), note, now)
            self._tell(conn, alert_id, event, now)
            return self._alert(conn, alert_id)

    # ---- reading ----------------------------------------------------------------------

    def get_alert(self, alert_id) -> Alert:
        alert_id = clean_id(alert_id, "alert")
        with self.db.read() as conn:
            return self._alert(conn, alert_id)

    def _alert(self, conn, alert_id: int) -> Alert:
        row = conn.execute(select(a).where(a.c.id == alert_id)).first()
        if row is None:
            raise NotFound(f"No alert with id {alert_id} (see `mlops-lab alerts`).")
        return alert_of(row)

    # ---- what continuous training reads and reports ------------------------------------

    def told_since(self, after_ms: int, model: str, monitor=None,
                   limit: int = 100) -> tuple[list[Alert], int]:
        """The model's unresolved monitor alerts whose webhooks were told of them (opened or
        re-opened) after `after_ms`, oldest first, and the time of the last one told (or
        `after_ms`): the alert events a retraining rule follows. Alerts of no rule (a
        retraining's own failure) are not among them."""
        query = select(a).where(a.c.notified_at > int(after_ms), a.c.state != "resolved",
                                a.c.rule_id.is_not(None),
                                a.c.model_name == clean_name(model, "model name"))
        with self.db.read() as conn:
            if monitor is not None:
                query = query.where(a.c.monitor_id == self._monitor_id(monitor))
            rows = conn.execute(query.order_by(a.c.notified_at, a.c.id).limit(limit)).all()
        return [alert_of(row) for row in rows], max((row.notified_at for row in rows),
                                                    default=int(after_ms))

    def report(self, key: str, message: str, *, model: str | None = None,
               severity: str = "error", figures: dict | None = None) -> Alert:
        """Opens (or counts again) the alert `key` for a failure no rule watches for, such as
        a retraining that failed; webhooks are told like of any alert."""
        now = now_ms()
        with self.db.write() as conn:
            lifecycle.serialise(conn, self.db)
            alert_id, event = lifecycle.seen(conn, key, {
                "rule_id": None, "monitor_id": None, "model_name": model, "alias": None,
                "feature": None, "severity": severity, "message": message,
                "figures": figures or {}}, 0, now)
            if event is not None:
                self._tell(conn, alert_id, event, now)
            return self._alert(conn, alert_id)

    def unresolved(self, model: str, limit: int = 20) -> list[Alert]:
        """A model's alerts not yet resolved: the open ones, then the acknowledged ones."""
        return [alert for state in ("open", "acknowledged")
                for alert in self.list_alerts(state=state, model=model, limit=limit)]

    def list_alerts(self, state: str | None = None, monitor=None, model: str | None = None,
                    limit: int = 100, after: list | None = None) -> list[Alert]:
        """Alerts most recently seen first; `after` an alert's (last_seen_at, id), the ones
        after it."""
        check_limit(limit, MAX_LIMIT)
        query = select(a)
        if state is not None:
            if state not in STATES:
                raise InvalidInput(f"state is one of {', '.join(STATES)}, not {state!r:.80}.")
            query = query.where(a.c.state == state)
        if model is not None:
            query = query.where(a.c.model_name == clean_name(model, "model name"))
        order = [SortKey(a.c.last_seen_at, True), SortKey(a.c.id, True)]
        with self.db.read() as conn:
            if monitor is not None:
                query = query.where(a.c.monitor_id == self._monitor_id(monitor))
            rows = conn.execute(keyset.page_query(query, order, after, limit)).all()
        return [alert_of(row) for row in rows]
