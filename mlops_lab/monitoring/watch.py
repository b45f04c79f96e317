"""Monitoring's share of the scheduler: scheduled monitors, failed pipeline runs turned into
alerts, and webhook deliveries that are due. It runs on a thread of its own beside the
scheduler's ticks, so a long monitor run or a slow receiver never delays a schedule. Each step
is safe with several schedulers at once: a monitor's tick and a delivery are claimed by one
conditional update, and a failed pipeline run is counted in its alert once."""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("mlops_lab.monitoring")

EVERY_SECONDS = 5.0
# Failed pipeline runs are looked for this far back at every step (each is counted once), so
# failures while no scheduler ran are still seen when one starts.
FAILURES_LOOKBACK_MS = 3_600_000


class Watcher:
    def __init__(self, monitors, alerts, webhooks, clock=time.time, retraining=None):
        """`retraining`: continuous training's rules, checked after the alerts that may fire
        them (None: no retraining step)."""
        self.monitors, self.alerts, self.webhooks = monitors, alerts, webhooks
        self.retraining = retraining
        self.clock = clock

    def step(self, now_ms: int | None = None) -> dict:
        """One round; what it did: {"monitor_runs", "pipeline_alerts", "retraining",
        "delivered"}."""
        now_ms = int(self.clock() * 1000) if now_ms is None else now_ms
        done = {"monitor_runs": 0, "pipeline_alerts": 0, "retraining": 0, "delivered": 0}
        for what, work in (
                ("monitor_runs", lambda: len(self.monitors.run_due(now_ms))),
                ("pipeline_alerts", lambda: len(self.alerts.check_pipeline_failures(
                    now_ms - FAILURES_LOOKBACK_MS))),
                ("retraining", self._retrain),
                ("delivered", lambda: self.webhooks.deliver_due(now_ms))):
            try:
                done[what] = work()
            except Exception:  # noqa: BLE001 - one failing step must not stop the others
                log.warning("mlops-lab: monitoring step %s failed", what, exc_info=True)
        return done

    def _retrain(self) -> int:
        if self.retraining is None:
            return 0
        done = self.retraining.check()
        return len(done["fired"]) + len(done["ended"])

    def run_forever(self, stop: threading.Event, every: float = EVERY_SECONDS) -> None:
        while not stop.is_set():
            self.step()
            stop.wait(every)
