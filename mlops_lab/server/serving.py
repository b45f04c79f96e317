"""REST route of serving: "Try it" on a model version (a JSON request in, the prediction out),
by the model server's own validation rules."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..serving.runtime.errors import RequestError
from .base import MlopsLabHandler, to_json_text

# The same patterns as the registry's routes (server/models.py).
NAME = r"(?P<name>[^/]+)"
VERSION = r"(?P<version>[0-9]{1,9})"


class PredictHandler(MlopsLabHandler):
    """A body over the limit is refused before it is read whole (see MlopsLabHandler)."""

    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, version: str):
        """What POST takes: the version's input columns and a one-row example request."""
        service = self.services.serving
        self.reply(await self.call(service.request_example, name, int(version)))

    @tornado.web.authenticated
    @authorized
    async def post(self, name: str, version: str):
        service = self.services.serving
        try:
            doc = await self.call(service.try_predict, name, int(version), self.body,
                                  allow_pickle=self.settings.get("mlops_lab_allow_pickle") is True,
                                  max_body_bytes=self.body_limit)
        except RequestError as exc:
            return self._refuse(exc)
        self.reply(doc)

    def _refuse(self, exc: RequestError) -> None:
        self.set_status(exc.status)
        self.set_header("Content-Type", "application/json")
        self.finish(to_json_text(exc.to_json()))


# Patterns relative to /mlops-lab/api/; each is in openapi/serving.yaml.
ROUTES: list[tuple[str, type]] = [
    (rf"models/{NAME}/versions/{VERSION}/predict", PredictHandler),
]
