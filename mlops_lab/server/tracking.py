"""REST routes of experiment tracking: the store, experiments, runs, metric histories and
artifacts. Parse the request, call the tracking service off the event loop, shape the JSON."""

from __future__ import annotations

import asyncio
import math
import re

import tornado.web
from jupyter_server.auth.decorator import authorized

from .base import MlopsLabHandler, attachment
from .paging import Page

RUN_ID = r"(?P<run_id>[0-9a-f]{32})"
_CHUNK = 1 << 20
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+(;\s*[\w.+-]+=[\w.+-]+)*$")


class StoreHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        self.reply(await self.call(self.tracking.store_info))


class ExperimentsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        page = await self.whole_list_page(self.tracking.list_experiments, lambda e: (e.id,),
                                          (int,))
        self.reply(page.to_json("experiments"))


class RunsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        query = dict(
            experiments=[e for e in self.get_arguments("experiment") if e.strip()],
            filter=self.get_argument("filter", ""),
            order_by=[o for o in self.get_arguments("order_by") if o.strip()] or None,
            max_results=self.page_limit(),
            page_token=self.get_argument("page_token", "") or None,
        )
        svc = self.tracking
        ids = await self.call(svc.experiment_ids, query.pop("experiments"))
        # How many match is counted only when asked, on the first page (a panel's count),
        # at the same time as the page is read.
        counted = self.get_argument("count", "") == "true" and not query["page_token"]
        page, total = await asyncio.gather(
            self.call(svc.search_runs, experiment_ids=ids, **query),
            self.call(svc.count_runs, ids, query["filter"]) if counted else _nothing())
        self.reply(Page(page.runs, page.next_page_token, total).to_json(
            "runs", lambda r: r.to_json(full=False)))


async def _nothing() -> None:
    return None


class RunFieldsHandler(MlopsLabHandler):
    """The metric, param and tag keys of the runs of some experiments (`?experiment=`)."""

    @tornado.web.authenticated
    @authorized
    async def get(self):
        experiments = [e for e in self.get_arguments("experiment") if e.strip()]
        svc = self.tracking
        self.reply(await self.call(lambda: svc.run_fields(svc.experiment_ids(experiments))))


class RunFieldValuesHandler(MlopsLabHandler):
    """The values of one param or tag (`?field=params.model`) on the runs of some experiments."""

    @tornado.web.authenticated
    @authorized
    async def get(self):
        experiments = [e for e in self.get_arguments("experiment") if e.strip()]
        field = self.search_text("field")
        svc = self.tracking
        values = await self.call(
            lambda: svc.run_field_values(field, svc.experiment_ids(experiments)))
        self.reply({"field": field, "values": values})


class RunHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str):
        run = await self.call(self.tracking.get_run, run_id)
        self.reply(run.to_json())


class MetricHistoryHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str, key: str):
        page = await self.keyset_page(
            lambda after, n: self.tracking.metric_history(run_id, key, n, after),
            _history_key, (int, int, float, bool))
        self.reply(page.to_json("history", key=key))


def _history_key(metric) -> tuple:
    """Where a page of a metric's history ends: its stored order (a NaN is stored as 0.0)."""
    nan = math.isnan(metric.value)
    return metric.step, metric.timestamp, 0.0 if nan else metric.value, nan


class MetricHistoriesHandler(MlopsLabHandler):
    """Several metrics' histories of a run in one answer: `?key=loss&key=acc`."""

    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str):
        histories = await self.call(self.tracking.metric_histories, run_id,
                                    self.get_arguments("key"))
        self.reply({"histories": {key: [m.to_json() for m in history]
                                  for key, history in histories.items()}})


class ArtifactsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str):
        path = self.get_argument("path", "") or None
        page = await self.whole_list_page(lambda: self.tracking.list_artifacts(run_id, path),
                                          lambda a: (a.path,), (str,))
        self.reply(page.to_json("artifacts"))


class ArtifactHandler(MlopsLabHandler):
    """The bytes of one artifact, always as a download: an HTML artifact opened from here must
    not run as a page of the Jupyter origin."""

    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str, path: str):
        # `path` was percent-decoded once by the router; the service validates it.
        info, stream = await self.call(self.tracking.open_artifact, run_id, path)
        try:
            media_type = info.media_type if _MEDIA_TYPE.match(info.media_type or "") else None
            content_type = media_type or "application/octet-stream"
            self.set_header("Content-Type", content_type)
            self.set_header("Content-Disposition", attachment(info.path.rsplit("/", 1)[-1]))
            self.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
            self.set_header("Content-Length", str(info.size))
            while chunk := await self.call(stream.read, _CHUNK):
                self.write(chunk)
                await self.flush()
        finally:
            await self.call(stream.close)
        await self.finish(set_content_type=content_type)


class ArtifactPreviewHandler(MlopsLabHandler):
    """What the run view shows of an artifact (ModelService.artifact_preview)."""

    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str, path: str):
        self.reply(await self.call(self.services.models.artifact_preview, run_id, path))


# Patterns relative to the server's base URL; every one must also be in openapi/tracking.yaml.
ROUTES = [
    (r"store", StoreHandler),
    (r"experiments", ExperimentsHandler),
    (r"runs", RunsHandler),
    (r"runs/fields", RunFieldsHandler),
    (r"runs/fields/values", RunFieldValuesHandler),
    (rf"runs/{RUN_ID}", RunHandler),
    (rf"runs/{RUN_ID}/metrics/(?P<key>.+)", MetricHistoryHandler),
    (rf"runs/{RUN_ID}/metric-histories", MetricHistoriesHandler),
    (rf"runs/{RUN_ID}/artifacts", ArtifactsHandler),
    (rf"runs/{RUN_ID}/artifacts/(?P<path>.+)", ArtifactHandler),
    (rf"runs/{RUN_ID}/artifact-previews/(?P<path>.+)", ArtifactPreviewHandler),
]
