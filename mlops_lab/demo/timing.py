"""Where the time from an alert to the new version answering goes, from the store's own
timestamps (milliseconds): the rule firing, the pipeline run (its worker and kernel starting,
then the notebook, which trains and registers), judging it (the gate and the alias move) and
the model server swapping."""

from __future__ import annotations


def loop_parts(alert, firing, run, gate, move, answered_s: float) -> dict:
    """Seconds of each part; `answered_s` the epoch second the new version first answered.
    The notebook measures its own `register_model` call (its output `registration_s`)."""
    def span(start_ms, end_ms):
        return round((end_ms - start_ms) / 1000, 3)

    parts = {
        "total_s": round(answered_s - alert.opened_at / 1000, 3),
        "fire_s": span(alert.opened_at, firing.fired_at),
        "pipeline_s": span(firing.fired_at, run.ended_at),
        "pipeline_start_s": span(firing.fired_at, run.started_at),
        "notebook_s": span(run.started_at, run.ended_at),
        "judge_s": span(run.ended_at, firing.ended_at),
        "gate_s": gate.doc.get("seconds"),
        "swap_s": round(answered_s - move.moved_at / 1000, 3),
    }
    if isinstance(run.outputs.get("registration_s"), (int, float)):
        parts["registration_s"] = round(run.outputs["registration_s"], 3)
    return parts
