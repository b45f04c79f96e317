"""The REST API's route table: every part's routes under /mlops-lab/api/, then a JSON 404
for anything else under that prefix."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..errors import NotFound
from . import dags, datasets, features, models, pipelines, serving, tracking
from .base import API_PREFIX, MlopsLabHandler
from .openapi import document

PARTS = (tracking, datasets, features, models, serving, pipelines, dags)


class OpenApiHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        self.reply(await self.call(document))


class NotFoundHandler(MlopsLabHandler):
    """Anything else under the API prefix (an id outside its pattern, a mistyped route): the
    same JSON 404 as every other error, and only for a client that has credentials."""

    @tornado.web.authenticated
    @authorized
    async def get(self, rest: str):
        raise NotFound("No such mlops-lab API route. Run ids are 32 lowercase hexadecimal "
                       "characters; the routes are listed at /mlops-lab/api/openapi.json.")


# Patterns relative to the server's base URL; every one must also be in the OpenAPI document.
ROUTES = [(r"openapi.json", OpenApiHandler)] + [route for part in PARTS for route in part.ROUTES]
# Tried last: not an API route of its own, so it is not in the OpenAPI document.
FALLBACK = (r"(?P<rest>.*)", NotFoundHandler)


def handlers() -> list[tuple[str, type]]:
    return [(f"{API_PREFIX}/{pattern}", handler) for pattern, handler in [*ROUTES, FALLBACK]]
