"""REST handlers: parse the request, call one tracking service method off the event loop,
shape the JSON. Rules live in the service; the status codes live in `errors.py`."""

from __future__ import annotations

import asyncio
import json
import math
import re
from typing import Any
from urllib.parse import quote

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.log import _scrub_uri

from ..errors import InvalidInput, NotFound, SchemaError
from .errors import error_body, status_of

AUTH_RESOURCE = "mlops_lab"
API_PREFIX = "mlops-lab/api"
RUN_ID = r"(?P<run_id>[0-9a-f]{32})"
_CHUNK = 1 << 20
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+(;\s*[\w.+-]+=[\w.+-]+)*$")


def to_json_text(doc: Any) -> str:
    """JSON with non-finite floats as "NaN"/"Infinity"/"-Infinity" (the contract's spelling), and
    `<`, `>`, `&` escaped so no byte of a stored name can ever be read as markup."""
    try:
        text = json.dumps(doc, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(doc), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


class MlopsLabHandler(APIHandler):
    """Base of every mlops-lab route: JSON bodies, JSON errors, work in a thread."""

    auth_resource = AUTH_RESOURCE

    @property
    def tracking(self):
        service = self.settings["mlops_lab_tracking"]
        if isinstance(service, Exception):  # the store could not be opened at start
            raise type(service)(str(service))
        return service

    async def call(self, fn, *args, **kwargs):
        """Database and file work runs in a thread so the event loop keeps serving."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def reply(self, doc: Any) -> None:
        self.finish(to_json_text(doc))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        status, body = error_body(status_code, exc)
        self.set_status(status)
        self.finish(to_json_text(body))

    def log_exception(self, typ, value, tb) -> None:
        # The request line may carry ?token=…: log it scrubbed, never tornado's raw summary.
        where = f"{self.request.method} {_scrub_uri(self.request.uri)}"
        if isinstance(value, tornado.web.HTTPError):
            if value.log_message:  # the status line itself is logged by jupyter-server
                self.log.warning("%d %s: %s", value.status_code, where, value.log_message)
        elif status_of(value) is not None and not isinstance(value, SchemaError):
            self.log.info("%s: %s: %s", where, type(value).__name__, value)
        else:
            self.log.error("Uncaught error in %s", where, exc_info=(typ, value, tb))


class StoreHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        self.reply(await self.call(self.tracking.store_info))


class ExperimentsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        experiments = await self.call(self.tracking.list_experiments)
        self.reply({"experiments": [e.to_json() for e in experiments]})


class RunsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        query = dict(
            experiments=[e for e in self.get_arguments("experiment") if e.strip()],
            filter=self.get_argument("filter", ""),
            order_by=[o for o in self.get_arguments("order_by") if o.strip()] or None,
            max_results=_whole_number(self.get_argument("limit", "100"), "limit"),
            page_token=self.get_argument("page_token", "") or None,
        )
        page = await self.call(_search_runs, self.tracking, **query)
        self.reply(page.to_json())


def _search_runs(svc, experiments: list[str], **query):
    return svc.search_runs(experiment_ids=svc.experiment_ids(experiments), **query)


def _whole_number(text: str, name: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number, not {text[:50]!r}.") from None


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
        history = await self.call(self.tracking.metric_history, run_id, key)
        self.reply({"key": key, "history": [m.to_json() for m in history]})


class ArtifactsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str):
        artifacts = await self.call(self.tracking.list_artifacts, run_id)
        self.reply({"artifacts": [a.to_json() for a in artifacts]})


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
            self.set_header("Content-Disposition", _attachment(info.path.rsplit("/", 1)[-1]))
            self.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
            self.set_header("Content-Length", str(info.size))
            while chunk := await self.call(stream.read, _CHUNK):
                self.write(chunk)
                await self.flush()
        finally:
            await self.call(stream.close)
        await self.finish(set_content_type=content_type)


class NotFoundHandler(MlopsLabHandler):
    """Anything else under the API prefix (an id outside its pattern, a mistyped route): the
    same JSON 404 as every other error, and only for a client that has credentials."""

    @tornado.web.authenticated
    @authorized
    async def get(self, rest: str):
        raise NotFound("No such mlops-lab API route. Run ids are 32 lowercase hexadecimal "
                       "characters; the routes are listed in mlops_lab/server/openapi.yaml.")


def _attachment(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    ascii_name = ascii_name.replace('"', "_").replace("\\", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


# Patterns relative to the server's base URL; every one must also be in openapi.yaml.
ROUTES = [
    (r"store", StoreHandler),
    (r"experiments", ExperimentsHandler),
    (r"runs", RunsHandler),
    (rf"runs/{RUN_ID}", RunHandler),
    (rf"runs/{RUN_ID}/metrics/(?P<key>.+)", MetricHistoryHandler),
    (rf"runs/{RUN_ID}/artifacts", ArtifactsHandler),
    (rf"runs/{RUN_ID}/artifacts/(?P<path>.+)", ArtifactHandler),
]
# Tried last: not an API route of its own, so it is not in openapi.yaml.
FALLBACK = (r"(?P<rest>.*)", NotFoundHandler)


def handlers() -> list[tuple[str, type]]:
    return [(f"{API_PREFIX}/{pattern}", handler) for pattern, handler in [*ROUTES, FALLBACK]]
