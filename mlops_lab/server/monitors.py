"""REST routes of monitors: list and create them, a monitor's view (its runs over time and the
newest in full), run one now, and the labels that arrive after predictions. Parse the request,
call the monitors service off the event loop, shape the JSON."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..errors import InvalidInput
from .base import MlopsLabHandler

NAME = r"(?P<name>[^/]+)"
RUN_NUMBER = r"(?P<number>[0-9]{1,12})"
# What POST monitors takes, as create_monitor's keyword arguments.
CREATE_FIELDS = ("name", "window", "last", "snapshot", "reference", "label", "metric",
                 "thresholds", "per_feature", "schedule")


class MonitorsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        monitors = self.services.monitors
        model = self.search_text("model") or None
        page = await self.keyset_page(
            lambda after, n: monitors.list_monitors(model, n, after, with_last_run=True),
            lambda m: (m.name,), (str,))
        self.reply(page.to_json("monitors"))

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.json_body()
        target = body.get("target")
        unknown = set(body) - {"target", *CREATE_FIELDS}
        if unknown:
            raise InvalidInput(f"Unknown field(s) {', '.join(sorted(unknown))}; a monitor takes "
                               f"target, {', '.join(CREATE_FIELDS)}.")
        monitor = await self.call(self.services.monitors.create_monitor, target,
                                  user=self.user_name(),
                                  **{k: body[k] for k in CREATE_FIELDS if k in body})
        self.set_status(201)
        self.reply(monitor.to_json())


class MonitorHandler(MlopsLabHandler):
    """The monitor with its runs over time and the newest comparison in full."""

    @tornado.web.authenticated
    @authorized
    async def get(self, name: str):
        self.reply(await self.call(self.services.monitors.overview, name))

    @tornado.web.authenticated
    @authorized
    async def delete(self, name: str):
        await self.call(self.services.monitors.delete_monitor, name)
        self.set_status(204)
        self.finish()


class MonitorRunsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str):
        monitors = self.services.monitors
        page = await self.keyset_page(lambda after, n: monitors.list_runs(name, n, after),
                                      lambda r: (r.started_at, r.id), (int, int))
        self.reply(page.to_json("runs", lambda r: r.to_json(full=False), monitor=name))

    @tornado.web.authenticated
    @authorized
    async def post(self, name: str):
        """Runs the monitor now; answers the stored run."""
        run = await self.call(self.services.monitors.run_monitor, name)
        self.set_status(201)
        self.reply(run.to_json())


class MonitorRunHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, number: str):
        run = await self.call(self.services.monitors.get_run, name, int(number))
        self.reply(run.to_json())


class LabelsHandler(MlopsLabHandler):
    """Ground truth for logged predictions: {"request_ids": [...], "labels": [...],
    "rows": [...] (optional, default 0)}."""

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.json_body()
        ids, labels, rows = body.get("request_ids"), body.get("labels"), body.get("rows")
        if not isinstance(ids, list) or not isinstance(labels, list) or not (
                rows is None or isinstance(rows, list)):
            raise InvalidInput('Give {"request_ids": [...], "labels": [...]} (and optionally '
                               '"rows": [...]), lists of equal length.')
        count = await self.call(self.services.monitors.log_labels, ids, labels, rows)
        self.reply({"recorded": count})


# (pattern relative to /mlops-lab/api/, handler class); each also in openapi/monitors.yaml.
ROUTES: list[tuple[str, type]] = [
    (r"monitors", MonitorsHandler),
    (rf"monitors/{NAME}", MonitorHandler),
    (rf"monitors/{NAME}/runs", MonitorRunsHandler),
    (rf"monitors/{NAME}/runs/{RUN_NUMBER}", MonitorRunHandler),
    (r"labels", LabelsHandler),
]
