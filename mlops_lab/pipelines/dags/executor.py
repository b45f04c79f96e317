"""Runs the steps of a DAG: ready steps in parallel up to a concurrency limit, a failed step's
dependents skipped while independent branches go on.

The executor knows nothing of papermill or the store: it calls a *step runner* for each step
and reports what happens to *events*, so the graph logic is tested with any runner.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any, Callable, Protocol

from ...errors import MlopsLabError
from .file import Dag, Step, resolve_parameters


@dataclass(frozen=True)
class StepCall:
    """What a step runner gets: the step and its parameters with upstream outputs filled in."""

    dag_run_id: str
    attempt: int
    step: Step
    parameters: dict[str, Any]


@dataclass(frozen=True)
class StepOutcome:
    status: str  # SUCCEEDED | FAILED
    outputs: dict[str, Any] = field(default_factory=dict)
    pipeline_run_id: str | None = None
    run_id: str | None = None
    error: str | None = None


# runner(call, link): runs the step and returns its outcome; it calls link(pipeline_run_id)
# as soon as the step has a pipeline run, so its run can be shown while it runs.
StepRunner = Callable[[StepCall, Callable[[str], None]], StepOutcome]


class Events(Protocol):
    def started(self, name: str, parameters: dict) -> None: ...
    def linked(self, name: str, pipeline_run_id: str) -> None: ...
    def finished(self, name: str, outcome: StepOutcome) -> None: ...
    def skipped(self, name: str, reason: str) -> None: ...


def execute(dag: Dag, runner: StepRunner, events: Events, *, dag_run_id: str, attempt: int,
            succeeded: dict[str, dict] | None = None, concurrency: int | None = None
            ) -> dict[str, str]:
    """Runs every step not in `succeeded` (name -> outputs, from an earlier attempt);
    returns each step's final status."""
    outputs: dict[str, dict] = dict(succeeded or {})
    status: dict[str, str] = {name: "SUCCEEDED" for name in outputs}
    graph = TopologicalSorter({n: s.depends_on for n, s in dag.steps.items()})
    graph.prepare()
    limit = max(1, concurrency or dag.concurrency)
    running: dict = {}
    pool = ThreadPoolExecutor(max_workers=limit, thread_name_prefix=f"mlops-lab-dag-{dag_run_id[:8]}")
    try:
        while graph.is_active():
            for name in graph.get_ready():
                if status.get(name) == "SUCCEEDED":
                    graph.done(name)  # kept from an earlier attempt
                    continue
                step = dag.steps[name]
                blocked = [d for d in step.depends_on if status.get(d) != "SUCCEEDED"]
                if blocked:
                    status[name] = "SKIPPED"
                    events.skipped(name, f"Upstream step {blocked[0]!r} "
                                         f"{'failed' if status[blocked[0]] == 'FAILED' else 'did not run'}.")
                    graph.done(name)
                    continue
                try:
                    parameters = resolve_parameters(step, outputs)
                except MlopsLabError as exc:
                    status[name] = "FAILED"
                    events.started(name, {})
                    events.finished(name, StepOutcome("FAILED", error=str(exc)))
                    graph.done(name)
                    continue
                call = StepCall(dag_run_id, attempt, step, parameters)
                running[pool.submit(_run_step, runner, call, events)] = name
            if not running:
                continue  # skipped or failed steps made others ready
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                outcome = future.result()
                status[name] = outcome.status
                if outcome.status == "SUCCEEDED":
                    outputs[name] = dict(outcome.outputs)
                graph.done(name)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return status


def _run_step(runner: StepRunner, call: StepCall, events: Events) -> StepOutcome:
    """In a pool thread: the step runs, whatever it raises becomes a FAILED outcome."""
    name = call.step.name
    try:
        events.started(name, call.parameters)
        outcome = runner(call, lambda pipeline_run_id: events.linked(name, pipeline_run_id))
        if not isinstance(outcome, StepOutcome) or outcome.status not in ("SUCCEEDED", "FAILED"):
            outcome = StepOutcome("FAILED", error=f"The step runner returned {outcome!r}.")
    except Exception as exc:  # noqa: BLE001 - a step's failure is the step's, not the DAG's
        outcome = StepOutcome("FAILED", error=f"{type(exc).__name__}: {exc}")
    events.finished(name, outcome)
    return outcome

