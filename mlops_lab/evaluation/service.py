"""Model evaluation rules: a gate (does the challenger beat the champion, by a margin, with
confidence, on the same labelled rows?) and benchmarks (a leaderboard of any number of
versions), each stored with its evidence; a passing gate can move an alias.

Entry points (ml.gate, ml.benchmark_models, `mlops-lab gate`, `mlops-lab benchmark`, REST)
call these methods. Scoring is in scoring.py, the statistics in statistics.py and compare.py,
the guardrails in guardrails.py (imported when a gate runs: reading stored evaluations, as
`mlops-lab models show` does, needs neither numpy nor pandas).
"""

from __future__ import annotations

import json
import math
import time

from sqlalchemy import insert, select, update

from ..clock import now_ms
from ..collaborators import Collaborator
from ..errors import InvalidInput, NotFound
from ..limits import check_limit
from ..models.names import user_name
from ..store import Store, keyset
from ..store.keyset import SortKey
from ..store.tables.evaluation import model_evaluations as e
from .entities import Evaluation

MAX_RESAMPLES, MAX_VERSIONS, MAX_LIMIT = 100_000, 50, 10_000
KINDS = ("gate", "benchmark")


class EvaluationService:
    models = Collaborator("models")  # versions, aliases
    serving = Collaborator("serving")  # loading a version to score
    datasets = Collaborator("datasets")  # the labelled snapshot
    webhooks = Collaborator("webhooks")  # told of every gate's verdict, in its transaction

    def __init__(self, store: Store, models=None, serving=None, datasets=None, webhooks=None):
        self.store = store
        self.db = store.db
        self._models, self._serving, self._datasets = models, serving, datasets
        self._webhooks = webhooks

    # ---- the gate -------------------------------------------------------------------------

    def gate(self, challenger: str, champion: str, data, label: str, *,
             metric: str | None = None, margin: float = 0.0, confidence: float = 0.95,
             resamples: int = 1000, seed: int = 0, slices: list[str] | None = None,
             max_slice_drop: float = 0.0, max_latency_increase: float | None = None,
             check_signature: bool = True, promote: str | None = None,
             keep_previous: str | None = None, reason: str | None = None,
             user: str | None = None) -> Evaluation:
        """Scores `challenger` and `champion` (model references: "churn/7", "churn@champion")
        on the labelled snapshot `data` and passes when the challenger is better on `metric`
        by more than `margin` over the whole `confidence` interval of the paired difference,
        and every guardrail holds. Stored with the challenger; with `promote` (an alias), a
        pass moves that alias to the challenger (and `keep_previous`, an alias, to the old
        champion), with this gate's evidence in the alias history."""
        from . import guardrails
        from .compare import Comparison
        from .metrics import default_metric, get_metric
        from .scoring import check_task, labelled_rows, score

        started = time.perf_counter()
        margin = _number(margin, "margin", low=0.0)
        confidence, resamples, seed = _settings(confidence, resamples, seed)
        max_slice_drop = _number(max_slice_drop, "max_slice_drop", low=0.0)
        if max_latency_increase is not None:
            max_latency_increase = _number(max_latency_increase, "max_latency_increase",
                                           low=0.0)
        slices = _names(slices, "slices")
        if promote is not None:
            from ..models.names import clean_alias

            promote = clean_alias(promote)
            keep_previous = None if keep_previous is None else clean_alias(keep_previous)
        new, old = (self.serving.load_predictor(ref) for ref in (challenger, champion))
        if new.name != old.name:
            raise InvalidInput(f"A gate compares two versions of one model; {challenger} is "
                               f"model {new.name!r} and {champion} is model {old.name!r}.")
        if new.version == old.version:
            raise InvalidInput(f"{challenger} and {champion} are both version {new.version} "
                               f"of {new.name!r}: there is nothing to compare.")
        snapshot, frame = self.datasets.load(data)
        inputs, y = labelled_rows(frame, label, snapshot.ref)
        chosen = get_metric(metric or default_metric(
            getattr(new.model, "classes_", None) is not None))
        scored = [score(p, ref, inputs, snapshot.ref, chosen.needs_probabilities)
                  for p, ref in ((new, challenger), (old, champion))]
        check_task(chosen, scored, y)
        comparison = Comparison(chosen, y, scored, confidence=confidence,
                                resamples=resamples, seed=seed)
        improvement = comparison.improvement(0, 1)
        checks = []
        if check_signature:
            checks.append(guardrails.signature(scored[0], scored[1]))
        if slices:
            checks += guardrails.slices(chosen, y, scored[0], scored[1], frame, slices,
                                        max_slice_drop, snapshot.ref)
        if max_latency_increase is not None:
            checks.append(guardrails.latency(scored[0], scored[1], inputs,
                                             max_latency_increase))
        reasons = []
        if not improvement.low > margin:
            reasons.append(f"The improvement's interval reaches down to {improvement.low:+.4f}, "
                           f"not above the margin {margin:+.4f}.")
        reasons += [f"The {g.name} guardrail failed (see above)." for g in checks
                    if not g.passed]
        doc = {
            "metric": chosen.name, "higher_is_better": chosen.higher_is_better,
            "method": comparison.method, "confidence": confidence, "resamples": resamples,
            "seed": seed, "margin": margin,
            "challenger": {"ref": challenger, "version": new.version,
                           **comparison.value(0).to_json()},
            "champion": {"ref": champion, "version": old.version,
                         **comparison.value(1).to_json()},
            "improvement": improvement.to_json(),
            "guardrails": [g.to_json() for g in checks],
            "reasons": reasons,
            "data": _data(snapshot, len(y), label),
            "promoted": None,
        }
        passed = not reasons
        doc["seconds"] = round(time.perf_counter() - started, 3)
        found = self._store("gate", new.name, new.version, passed, doc, snapshot.id, user)
        if passed and promote:
            found = self._promote(found, old.version, promote, keep_previous, reason, user)
        return found

    def _promote(self, gate: Evaluation, champion: int, alias: str, keep_previous: str | None,
                 reason: str | None, user: str | None) -> Evaluation:
        """Moves `alias` to the gate's challenger, unless the alias no longer points at the
        champion the gate compared against (then the evidence is stale: say so, move nothing)."""
        now_at = self.models.alias_target(gate.model, alias)
        doc = dict(gate.doc)
        if now_at is not None and now_at != champion:
            doc["promotion_skipped"] = (f"{alias} points at version {now_at}, not at version "
                                        f"{champion} the gate compared against; run the gate "
                                        "again against it.")
        else:
            why = f"Passed gate #{gate.id} on {doc['metric']}"
            if reason:
                why = f"{why}. {reason}"
            move = self.models.set_alias(gate.model, alias, gate.version, reason=why,
                                         user=user, evaluation_id=gate.id)
            if keep_previous and move.from_version is not None:
                self.models.set_alias(gate.model, keep_previous, move.from_version,
                                      reason=f"Was {alias} before gate #{gate.id}.", user=user,
                                      evaluation_id=gate.id)
            doc["promoted"] = {"alias": alias, "from_version": move.from_version,
                               "to_version": move.to_version}
        with self.db.write() as conn:
            conn.execute(update(e).where(e.c.id == gate.id).values(result=json.dumps(doc)))
        gate.doc = doc
        return gate

    # ---- benchmarks -----------------------------------------------------------------------

    def benchmark_models(self, refs: list[str], data, label: str, *,
                         metrics: list[str] | None = None, confidence: float = 0.95,
                         resamples: int = 1000, seed: int = 0,
                         user: str | None = None) -> Evaluation:
        """Scores every version `refs` names on the labelled snapshot `data`: a leaderboard by
        the first metric, each value with its interval, and how far behind the leader each
        version is (paired). Stored with the model."""
        from .compare import Comparison
        from .metrics import default_metric, get_metric
        from .scoring import check_task, labelled_rows, score

        started = time.perf_counter()
        confidence, resamples, seed = _settings(confidence, resamples, seed)
        if isinstance(refs, str) or not refs:
            raise InvalidInput("Name the versions to benchmark as a list: "
                               "[\"churn/5\", \"churn@champion\"].")
        if len(refs) > MAX_VERSIONS:
            raise InvalidInput(f"At most {MAX_VERSIONS} versions in one benchmark.")
        predictors, chosen_refs = [], []
        for ref in refs:
            p = self.serving.load_predictor(ref)
            if predictors and p.name != predictors[0].name:
                raise InvalidInput(f"A benchmark compares versions of one model; {ref} is "
                                   f"model {p.name!r}, {chosen_refs[0]} is "
                                   f"{predictors[0].name!r}.")
            if any(q.version == p.version for q in predictors):
                continue  # "churn/6" and "churn@champion" may be one version: score it once
            predictors.append(p)
            chosen_refs.append(ref)
        snapshot, frame = self.datasets.load(data)
        inputs, y = labelled_rows(frame, label, snapshot.ref)
        names = _names(metrics, "metrics") or [default_metric(
            getattr(predictors[0].model, "classes_", None) is not None)]
        chosen = [get_metric(m) for m in names]
        needs_probabilities = any(m.needs_probabilities for m in chosen)
        scored = [score(p, ref, inputs, snapshot.ref, needs_probabilities)
                  for p, ref in zip(predictors, chosen_refs)]
        comparisons = []
        for m in chosen:
            check_task(m, scored, y)
            comparisons.append(Comparison(m, y, scored, confidence=confidence,
                                          resamples=resamples, seed=seed))
        first = comparisons[0]
        order = first.ranking()
        leader = order[0]
        board = [{"ref": chosen_refs[i], "version": scored[i].version, "rank": rank + 1,
                  "values": {m.name: c.value(i).to_json() for m, c in zip(chosen, comparisons)},
                  "behind_leader": None if i == leader else first.improvement(leader, i).to_json()}
                 for rank, i in enumerate(order)]
        doc = {"metric": chosen[0].name, "metrics": [m.name for m in chosen],
               "higher_is_better": {m.name: m.higher_is_better for m in chosen},
               "methods": {m.name: c.method for m, c in zip(chosen, comparisons)},
               "confidence": confidence, "resamples": resamples, "seed": seed,
               "leaderboard": board, "data": _data(snapshot, len(y), label),
               "seconds": round(time.perf_counter() - started, 3)}
        return self._store("benchmark", predictors[0].name, None, None, doc, snapshot.id, user)

    # ---- stored evaluations ---------------------------------------------------------------

    def _store(self, kind: str, model: str, version: int | None, passed: bool | None,
               doc: dict, snapshot_id: str, user: str | None) -> Evaluation:
        model_id, now, who = self.models.model_id(model), now_ms(), user_name(user)
        with self.db.write() as conn:
            new_id = conn.execute(insert(e).values(
                model_id=model_id, kind=kind, version=version, passed=passed,
                metric=doc["metric"], snapshot_id=snapshot_id, result=json.dumps(doc),
                created_at=now, created_by=who).returning(e.c.id)).scalar_one()
            if kind == "gate":
                self.webhooks.queue(conn, "gate.passed" if passed else "gate.failed", {
                    "at": now, "model": model, "evaluation_id": new_id,
                    **{k: doc[k] for k in ("challenger", "champion", "metric", "margin",
                                           "improvement", "reasons", "data")}}, None, now)
        return Evaluation(new_id, kind, model, now, who, passed, doc)

    def list_evaluations(self, model: str, kind: str | None = None, version: int | None = None,
                         limit: int = 100, after: list | None = None) -> list[Evaluation]:
        """The model's gates and benchmarks, newest first; `version`: the gates whose
        challenger it was; `after`: a (created_at, id) key, the evaluations after it."""
        check_limit(limit, MAX_LIMIT)
        if kind is not None and kind not in KINDS:
            raise InvalidInput(f"kind is gate or benchmark, not {kind!r:.40}.")
        model_id = self.models.model_id(model)
        query = select(e).where(e.c.model_id == model_id)
        if kind is not None:
            query = query.where(e.c.kind == kind)
        if version is not None:
            query = query.where(e.c.version == int(version), e.c.kind == "gate")
        order = [SortKey(e.c.created_at, True), SortKey(e.c.id, True)]
        with self.db.read() as conn:
            rows = conn.execute(keyset.page_query(query, order, after, limit)).all()
        return [_evaluation(r, model) for r in rows]

    def get_evaluation(self, evaluation_id) -> Evaluation:
        try:
            number = int(evaluation_id)
        except (TypeError, ValueError):
            raise NotFound(f"No evaluation {str(evaluation_id)[:40]!r}.") from None
        with self.db.read() as conn:
            row = conn.execute(select(e).where(e.c.id == number)).first() if \
                0 < number < 2**31 else None
        if row is None:
            raise NotFound(f"No evaluation #{number}.")
        return _evaluation(row, self.models.model_name(row.model_id))


def _evaluation(row, model: str) -> Evaluation:
    return Evaluation(row.id, row.kind, model, row.created_at, row.created_by, row.passed,
                      json.loads(row.result))


def _data(snapshot, rows: int, label: str) -> dict:
    return {"snapshot": snapshot.ref, "snapshot_id": snapshot.id, "dataset": snapshot.name,
            "version": snapshot.version, "rows": rows, "label": label}


def _number(value, what: str, low: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value < low:
        raise InvalidInput(f"{what} is a number of at least {low:g}, not {value!r:.40}.")
    return float(value)


def _settings(confidence, resamples, seed) -> tuple[float, int, int]:
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or \
            not 0.5 <= confidence < 1:
        raise InvalidInput(f"confidence is a fraction from 0.5 to below 1 (e.g. 0.95), not "
                           f"{confidence!r:.40}.")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or \
            not 100 <= resamples <= MAX_RESAMPLES:
        raise InvalidInput(f"resamples is a whole number from 100 to {MAX_RESAMPLES:,}, not "
                           f"{resamples!r:.40}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInput(f"seed is a whole number of at least 0, not {seed!r:.40}.")
    return float(confidence), resamples, seed


def _names(values, what: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise InvalidInput(f"{what} is a list of column or metric names.")
    return [v.strip() for v in values]
