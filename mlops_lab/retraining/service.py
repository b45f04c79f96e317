"""Continuous-training rules: a trigger fires a notebook pipeline run; when it ends, the version
it registered meets the champion at the gate; a pass moves the alias. Every firing is recorded,
at most one retraining per rule runs at a time, a rule cools down between retrainings, and a
retraining that fails leaves the alias where it was and raises an alert.

Entry points (ml.create_retraining_rule…, `mlops-lab retrain`, REST) call these methods; the
scheduler's monitoring loop calls `check` every few seconds (after monitors ran and alerts
were raised), so an alert becomes a retraining within one round.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import now_ms
from ..collaborators import Collaborator
from ..errors import Conflict, InvalidInput, MlopsLabError, NotFound
from ..limits import check_limit
from ..models.names import user_name
from ..store import Store, keyset
from ..store.keyset import SortKey
from ..store.tables.retraining import retraining_firings as f
from ..store.tables.retraining import retraining_rules as r
from . import rules
from .entities import Firing, RetrainingRule

MAX_LIMIT = 10_000
DAG_START_MS = 60_000
# A firing being judged for longer than this lost its judge (a gate takes seconds).
JUDGING_MS = 600_000
STATUSES = ("running", "judging", "promoted", "kept", "registered", "failed", "skipped")
# How many trigger events one check reads per rule (the rest wait for the next check).
EVENTS_PER_CHECK = 100


class RetrainingService:
    pipelines = Collaborator("pipelines")  # the retraining runs
    dags = Collaborator("dags")  # ... or DAG runs, for a rule whose pipeline is a DAG file
    models = Collaborator("models")  # which version a run registered; the alias
    evaluation = Collaborator("evaluation")  # the gate
    alerts = Collaborator("alerts")  # what fires a rule; where a failed retraining is told
    datasets = Collaborator("datasets")  # whose new snapshots fire a rule
    tracking = Collaborator("tracking")  # the runs under a pipeline run
    monitors = Collaborator("monitors")  # the monitor a rule on alerts names
    webhooks = Collaborator("webhooks")  # told when a retraining starts and ends

    def __init__(self, store: Store, **collaborators):
        self.store = store
        self.db = store.db
        for name, value in collaborators.items():
            setattr(self, f"_{name}", value)

    # ---- rules -----------------------------------------------------------------------------

    def create_rule(self, name: str, model: str, notebook, *, on: str, monitor: str | None = None,
                    dataset: str | None = None, cron: str | None = None,
                    timezone: str = "UTC", parameters: dict | None = None,
                    gate: dict | None = None, alias: str = "champion",
                    keep_previous: str | None = "previous",
                    cooldown=rules.DEFAULT_COOLDOWN, timeout=None,
                    user: str | None = None) -> RetrainingRule:
        from ..durations import seconds
        from ..pipelines.runs.notebooks import local_notebook, read_bytes
        from ..pipelines.runs.parameters import effective_parameters
        from ..pipelines.schedules.service import check_cron, check_timezone

        on = rules.clean_trigger(on, monitor, dataset, cron)
        name, model, alias, keep_previous, cooldown_s = rules.clean_common(
            name, model, alias, keep_previous, cooldown)
        self.models.get_model(model)  # a clear NotFound for a typo
        parameters = rules.clean_parameters(parameters)
        if str(notebook).lower().endswith((".yaml", ".yml")):
            from ..pipelines.dags.file import apply_overrides, load_dag

            dag = apply_overrides(load_dag(notebook), parameters)  # a valid DAG, known steps
            path = Path(dag.file)
        else:
            path = local_notebook(notebook)
            effective_parameters(read_bytes(path), parameters, False, path.name)  # declared?
        gate = rules.clean_gate(gate)
        timeout_s = None if timeout is None else seconds(timeout, "timeout")
        now = now_ms()
        cursor = now
        if on == "alert" and monitor is not None:
            monitor = self.monitors.get_monitor(monitor).name
        if on == "snapshot":
            found = self.datasets.list_versions(dataset, limit=1)
            cursor = found[0].version if found else 0  # fires on the next one, not this one
        if on == "schedule":
            cron, timezone = check_cron(cron), check_timezone(timezone)
        row = dict(name=name, model=model, trigger=on, monitor=monitor, dataset=dataset,
                   cron=cron, timezone=timezone if on == "schedule" else None,
                   notebook=str(path), parameters=json.dumps(parameters),
                   gate=None if gate is None else json.dumps(gate), alias=alias,
                   keep_previous=keep_previous, cooldown_s=cooldown_s, timeout_s=timeout_s,
                   enabled=True, cursor=cursor, created_at=now, created_by=user_name(user))
        try:
            with self.db.write() as conn:
                row["id"] = conn.execute(insert(r).values(**row).returning(r.c.id)).scalar_one()
        except IntegrityError:
            raise Conflict(f"A retraining rule named {name!r} exists; pick another name or "
                           "delete it first.") from None
        return _rule(row)

    def list_rules(self, model: str | None = None) -> list[RetrainingRule]:
        query = select(r).order_by(r.c.name)
        if model is not None:
            query = query.where(r.c.model == model)
        with self.db.read() as conn:
            return [_rule(row._mapping) for row in conn.execute(query)]

    def get_rule(self, rule) -> RetrainingRule:
        with self.db.read() as conn:
            return _rule(self._rule_row(conn, rule)._mapping)

    def _rule_row(self, conn, rule):
        if isinstance(rule, int) or (isinstance(rule, str) and rule.isdigit()):
            row = conn.execute(select(r).where(r.c.id == int(rule))).first() \
                if 0 < int(rule) < 2**31 else None
        else:
            row = conn.execute(select(r).where(r.c.name == str(rule))).first()
        if row is None:
            raise NotFound(f"No retraining rule {rule!r:.80} (see `mlops-lab retrain list`).")
        return row

    def set_enabled(self, rule, enabled: bool) -> RetrainingRule:
        if not isinstance(enabled, bool):
            raise InvalidInput("enabled is true or false.")
        with self.db.write() as conn:
            row = self._rule_row(conn, rule)
            conn.execute(update(r).where(r.c.id == row.id).values(enabled=enabled))
        return self.get_rule(row.id)

    def delete_rule(self, rule) -> RetrainingRule:
        with self.db.write() as conn:
            row = self._rule_row(conn, rule)
            conn.execute(r.delete().where(r.c.id == row.id))
        return _rule(row._mapping)

    # ---- firing ----------------------------------------------------------------------------

    def fire(self, rule, user: str | None = None) -> Firing:
        """Fires the rule now, by hand (as its trigger would; the cooldown and the one-at-a-
        time rule hold here too: a refused firing is recorded as skipped, with why)."""
        found = self.get_rule(rule)
        return self._start(found, [{"kind": "by hand", "by": user_name(user)}], now_ms(),
                           move_cursor=False)

    def check(self, now: int | None = None) -> dict:
        """One round: fires the rules whose trigger has news, then judges the retrainings
        whose pipeline run ended. What it did: {"fired": [...], "ended": [...]}."""
        now = now_ms() if now is None else now
        fired, ended = [], []
        for rule in self.list_rules():
            if not rule.enabled:
                continue
            events, cursor = self._news(rule, now)
            if events:
                found = self._start(rule, events, now, move_cursor=True, cursor=cursor)
                if found is not None:
                    fired.append(found)
        for firing in self.list_firings(status="running", limit=MAX_LIMIT):
            done = self._judge(firing)
            if done is not None:
                ended.append(done)
        for firing in self.list_firings(status="judging", limit=MAX_LIMIT):
            if now - (firing.ended_at or now) > JUDGING_MS:  # its judge died mid-gate
                done = self._end(firing, self.get_rule(firing.rule_id), "failed", message=(
                    "Judging this retraining was interrupted (the process ended); the alias "
                    "stays. Gate its version by hand with `mlops-lab gate`."))
                if done is not None:
                    ended.append(done)
        return {"fired": fired, "ended": ended}

    def _news(self, rule: RetrainingRule, now: int) -> tuple[list[dict], int | None]:
        """What the rule's trigger saw since its cursor, and where the cursor goes."""
        if rule.trigger == "alert":
            seen, cursor = self.alerts.told_since(rule.cursor or 0, rule.model, rule.monitor,
                                                  EVENTS_PER_CHECK)
            return [{"kind": "alert", "alert": a.id, "message": a.message} for a in seen], cursor
        if rule.trigger == "snapshot":
            try:
                found = self.datasets.list_versions(rule.dataset, limit=1)
            except NotFound:  # the dataset is not there (yet)
                return [], rule.cursor
            newest = found[0].version if found else 0
            if newest <= (rule.cursor or 0):
                return [], rule.cursor
            return [{"kind": "snapshot", "snapshot": found[0].ref,
                     "snapshot_id": found[0].id}], newest
        from ..pipelines.schedules.service import fire_times

        times = fire_times(rule.cron, rule.timezone, rule.cursor or now, until_ms=now)
        return [{"kind": "schedule", "fire_time": t} for t in times[-1:]], \
            (times[-1] if times else rule.cursor)

    def _start(self, rule: RetrainingRule, events: list[dict], now: int, *, move_cursor: bool,
               cursor: int | None = None) -> Firing | None:
        """Records a firing for `events` and queues its pipeline run, unless one of the rule's
        retrainings still runs or the rule cools down (then the firing is recorded skipped).
        The cursor moves in the same transaction, only from where this check read it, so two
        checkers at once fire once."""
        trigger = {**events[-1], "events": len(events)}
        values = {"model": rule.model, "alias": rule.alias,
                  "champion_version": self.models.alias_target(rule.model, rule.alias) or "",
                  "snapshot": trigger.get("snapshot", ""), "alert": trigger.get("alert", ""),
                  "fired_at": now}
        run_row, problem = None, None
        with self.db.read() as conn:
            busy, last = self._busy_and_last(conn, rule.id)
        parameters = rules.fill(rule.parameters, values)
        if busy is None and (last is None or now - last >= rule.cooldown_s * 1000) \
                and not rule.runs_dag:
            try:
                run_row = self._run_row(rule, parameters)
            except MlopsLabError as exc:
                problem = str(exc)
        with self.db.write() as conn:
            if move_cursor:
                moved = conn.execute(update(r).where(r.c.id == rule.id,
                                                     r.c.cursor == rule.cursor)
                                     .values(cursor=cursor))
                if not moved.rowcount:
                    return None  # another checker read these events
            busy, last = self._busy_and_last(conn, rule.id)
            status, message = "running", None
            if busy is not None:
                status, message = "skipped", (f"Retraining #{busy} of this rule is still "
                                              "running; one at a time.")
            elif last is not None and now - last < rule.cooldown_s * 1000:
                status, message = "skipped", (f"Cooling down: the last retraining started "
                                              f"{(now - last) // 1000} s ago; the cooldown is "
                                              f"{rule.cooldown_s} s.")
            elif problem is not None or (run_row is None and not rule.runs_dag):
                status, message = "failed", problem or "The rule changed while it fired."
            firing = dict(rule_id=rule.id, fired_at=now, trigger=json.dumps(trigger),
                          status=status, message=message,
                          pipeline_run_id=run_row["id"] if run_row and status == "running"
                          else None,
                          ended_at=None if status == "running" else now)
            firing["id"] = conn.execute(insert(f).values(**firing).returning(f.c.id)
                                        ).scalar_one()
            if status == "running":
                if run_row is not None:
                    from ..pipelines.runs import lifecycle

                    lifecycle.queue(self.db, run_row, conn)
                self._tell(conn, "retraining.started", rule, firing, now)
        found = _firing(firing, rule.name)
        if status == "running" and rule.runs_dag:
            return self._start_dag(rule, found, parameters)
        if status == "running":
            self.pipelines.dispatch()
        elif status == "failed":
            self._report_failure(rule, found)
        return found

    def _start_dag(self, rule: RetrainingRule, firing: Firing, parameters: dict) -> Firing:
        """A DAG run starts in a thread of this process once its firing is stored (a DAG run
        is not a queued row another process takes); the firing then names it."""
        try:
            dag_run = self.dags.run(rule.notebook, parameters, wait=False)
        except MlopsLabError as exc:
            return self._end(firing, rule, "failed", message=f"The DAG could not start: {exc}")
        with self.db.write() as conn:
            conn.execute(update(f).where(f.c.id == firing.id).values(dag_run_id=dag_run.id))
        return self.get_firing(firing.id)

    def _busy_and_last(self, conn, rule_id: int) -> tuple[int | None, int | None]:
        """The rule's running retraining (its firing id) and when its last one started."""
        busy = conn.execute(select(f.c.id).where(
            f.c.rule_id == rule_id, f.c.status.in_(("running", "judging")))).scalar()
        last = conn.execute(select(f.c.fired_at).where(
            f.c.rule_id == rule_id, f.c.pipeline_run_id.is_not(None))
            .order_by(f.c.fired_at.desc()).limit(1)).scalar()
        return busy, last

    def _run_row(self, rule: RetrainingRule, parameters: dict) -> dict:
        from ..pipelines.runs.notebooks import read_bytes

        path = Path(rule.notebook)
        return self.pipelines.prepare(
            path, read_bytes(path), parameters, timeout=rule.timeout_s,
            tags={"mlops_lab.retraining_rule": rule.name})

    # ---- judging a retraining that ended ----------------------------------------------------

    def _judge(self, firing: Firing) -> Firing | None:
        found = self._ended_run(firing)
        if found is None:
            return None
        what, status, error, run_ids = found
        if not self._claim(firing):
            return None  # another checker judges it
        rule = self.get_rule(firing.rule_id)
        if status != "SUCCEEDED":
            return self._end(firing, rule, "failed", message=(
                f"The retraining {what} ended {status}: "
                f"{(error or 'no error recorded').rstrip('.')}. The {rule.alias} alias "
                "stays."))
        versions = self._versions_of(rule.model, run_ids)
        if not versions:
            return self._end(firing, rule, "failed", message=(
                f"The retraining {what} registered no version of {rule.model!r}; "
                "the notebook should call ml.register_model(model, "
                f"{rule.model!r}, ...)."))
        version = max(versions)
        champion = self.models.alias_target(rule.model, rule.alias)
        if champion is None:
            self.models.set_alias(rule.model, rule.alias, version,
                                  reason=f"Retraining rule {rule.name}: the first version "
                                  f"(no {rule.alias} to compare with).")
            return self._end(firing, rule, "promoted", version=version,
                             message=f"{rule.alias} had no version: set to {version}.")
        if rule.gate is None:
            return self._end(firing, rule, "registered", version=version, message=(
                f"Version {version} registered; the rule has no gate, so {rule.alias} stays "
                f"at version {champion}."))
        try:
            gate = self.evaluation.gate(
                f"{rule.model}/{version}", f"{rule.model}@{rule.alias}", promote=rule.alias,
                keep_previous=rule.keep_previous,
                reason=f"Retraining rule {rule.name}, firing #{firing.id}.", **rule.gate)
        except MlopsLabError as exc:
            return self._end(firing, rule, "failed", version=version,
                             message=f"The gate could not run: {exc}")
        doc = gate.doc
        if doc.get("promoted"):
            return self._end(firing, rule, "promoted", version=version, evaluation_id=gate.id,
                             message=f"Gate #{gate.id} passed; {rule.alias} moved from "
                             f"version {doc['promoted']['from_version']} to {version}.")
        why = doc.get("promotion_skipped") or "; ".join(doc["reasons"])
        return self._end(firing, rule, "kept", version=version, evaluation_id=gate.id,
                         message=f"Gate #{gate.id} did not promote version {version}: {why}")

    def _claim(self, firing: Firing) -> bool:
        """Marks the firing as being judged (one checker gates it, not two); `ended_at`
        holds when, until it ends."""
        with self.db.write() as conn:
            return bool(conn.execute(update(f).where(f.c.id == firing.id,
                                                     f.c.status == "running")
                                     .values(status="judging", ended_at=now_ms())).rowcount)

    def _ended_run(self, firing: Firing):
        """(what ran, how it ended, its error, its tracked runs) once the firing's pipeline
        or DAG run ended; None while it runs. A DAG firing that never got its run (the
        process died between) ends FAILED after a minute."""
        if firing.pipeline_run_id:
            run = self.pipelines.get(firing.pipeline_run_id)
            if run.status in ("QUEUED", "RUNNING"):
                return None
            return f"run {run.id[:8]}", run.status, run.error, [run.run_id] if run.run_id else []
        if firing.dag_run_id:
            dag = self.dags.get(firing.dag_run_id)
            if not dag.ended:
                return None
            return (f"DAG run {dag.id[:8]}", dag.status, dag.error,
                    [s.run_id for s in dag.steps if s.run_id])
        if now_ms() - firing.fired_at < DAG_START_MS:
            return None
        return "DAG", "FAILED", "its run never started (the process ended)", []

    def _versions_of(self, model: str, run_ids: list[str]) -> list[int]:
        """The versions of `model` registered from these runs or any run under them."""
        ids = list(run_ids)
        for run_id in run_ids:
            ids += self.tracking.descendant_ids(run_id)
        return self.models.versions_from_runs(model, ids) if ids else []

    def _end(self, firing: Firing, rule: RetrainingRule, status: str, *,
             version: int | None = None, evaluation_id: int | None = None,
             message: str) -> Firing | None:
        now = now_ms()
        with self.db.write() as conn:
            moved = conn.execute(update(f).where(f.c.id == firing.id,
                                                 f.c.status.in_(("running", "judging")))
                                 .values(status=status, version=version,
                                         evaluation_id=evaluation_id, message=message,
                                         ended_at=now))
            if not moved.rowcount:
                return None  # another checker ended it
            ended = {**firing.to_json(), "status": status, "version": version,
                     "evaluation_id": evaluation_id, "message": message, "ended_at": now}
            self._tell(conn, "retraining.failed" if status == "failed" else
                       "retraining.ended", rule, ended, now)
        found = self.get_firing(firing.id)
        if status == "failed":
            self._report_failure(rule, found)
        return found

    def _report_failure(self, rule: RetrainingRule, firing: Firing) -> None:
        from ..monitoring.alerts.service import alert_key

        self.alerts.report(alert_key("retraining", rule.id), f"Retraining rule {rule.name} "
                           f"failed: {firing.message}", model=rule.model,
                           figures={"retraining_rule": rule.name, "firing": firing.id,
                                    "pipeline_run_id": firing.pipeline_run_id})

    def _tell(self, conn, event: str, rule: RetrainingRule, firing: dict, now: int) -> None:
        doc = {"at": now, "rule": rule.name, "model": rule.model, "alias": rule.alias,
               "firing": {k: firing.get(k) for k in ("id", "status", "pipeline_run_id",
                                                    "version", "evaluation_id", "message")},
               "trigger": json.loads(firing["trigger"]) if isinstance(firing.get("trigger"), str)
               else firing.get("trigger")}
        self.webhooks.queue(conn, event, doc, None, now)

    # ---- reading firings --------------------------------------------------------------------

    def get_firing(self, firing_id) -> Firing:
        with self.db.read() as conn:
            row = conn.execute(select(f, r.c.name.label("rule_name"))
                               .join(r, r.c.id == f.c.rule_id)
                               .where(f.c.id == int(firing_id))).first()
        if row is None:
            raise NotFound(f"No retraining firing #{firing_id}.")
        return _firing(row._mapping, row.rule_name)

    def list_firings(self, rule=None, status: str | None = None, limit: int = 100,
                     after: list | None = None, model: str | None = None) -> list[Firing]:
        """Firings newest first (of one rule, or of the rules of `model`); `after` a firing's
        (fired_at, id), the ones after it."""
        check_limit(limit, MAX_LIMIT)
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"status is one of {', '.join(STATUSES)}, not {status!r:.40}.")
        query = select(f, r.c.name.label("rule_name")).join(r, r.c.id == f.c.rule_id)
        if rule is not None:
            query = query.where(f.c.rule_id == self.get_rule(rule).id)
        if model is not None:
            query = query.where(r.c.model == model)
        if status is not None:
            query = query.where(f.c.status == status)
        order = [SortKey(f.c.fired_at, True), SortKey(f.c.id, True)]
        with self.db.read() as conn:
            rows = conn.execute(keyset.page_query(query, order, after, limit)).all()
        return [_firing(row._mapping, row.rule_name) for row in rows]


def _rule(row) -> RetrainingRule:
    row = dict(row)
    row["parameters"] = json.loads(row["parameters"])
    row["gate"] = None if row["gate"] is None else json.loads(row["gate"])
    return RetrainingRule(**row)


def _firing(row, rule_name: str) -> Firing:
    row = dict(row)
    row.pop("rule_name", None)
    trigger = row.pop("trigger")
    return Firing(**row, rule=rule_name,
                  trigger=json.loads(trigger) if isinstance(trigger, str) else trigger)
