"""REST route of serving: "Try it" on a model version (a JSON request in, the prediction out),
by the model server's own validation rules."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..serving.runtime.errors import RequestError
from ..serving.runtime.validation import too_large
from .base import MAX_JSON_BODY, MlopsLabHandler, to_json_text

# The same patterns as the registry's routes (server/models.py).
NAME = r"(?P<name>[^/]+)"
VERSION = r"(?P<version>[0-9]{1,9})"


@tornado.web.stream_request_body
class PredictHandler(MlopsLabHandler):
    """The body is streamed: a declared size over the limit is refused before any of it is
    read, and a body growing past the limit is not kept (answered 413 once it ends)."""

    limit = MAX_JSON_BODY

    async def prepare(self):
        self._chunks: list[bytes] = []
        self._size = 0
        await super().prepare()
        declared = self.request.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            self._refuse(too_large(self.limit))

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size <= self.limit:
            self._chunks.append(chunk)
        else:
            self._chunks.clear()

    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, version: str):
        """What POST takes: the version's input columns and a one-row example request."""
        service = self.service(_serving_service())
        self.reply(await self.call(service.request_example, name, int(version)))

    @tornado.web.authenticated
    @authorized
    async def post(self, name: str, version: str):
        if self._size > self.limit:
            return self._refuse(too_large(self.limit))
        service = self.service(_serving_service())
        try:
            doc = await self.call(service.try_predict, name, int(version), b"".join(self._chunks),
                                  allow_pickle=self.settings.get("mlops_lab_allow_pickle") is True,
                                  max_body_bytes=self.limit)
        except RequestError as exc:
            return self._refuse(exc)
        self.reply(doc)

    def _refuse(self, exc: RequestError) -> None:
        self.set_status(exc.status)
        self.set_header("Content-Type", "application/json")
        self.finish(to_json_text(exc.to_json()))


def _serving_service():
    from ..serving.service import ServingService

    return ServingService


# Patterns relative to /mlops-lab/api/; each is in openapi/serving.yaml.
ROUTES: list[tuple[str, type]] = [
    (rf"models/{NAME}/versions/{VERSION}/predict", PredictHandler),
]
