"""The REST API's route table: every part's routes under /mlops-lab/api/, then a JSON 404
for anything else under that prefix."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..errors import NotFound
from . import (alerts, dags, datasets, evaluation, features, models, monitors, pipelines,
               retraining, serving, tracking)
from .base import API_PREFIX, MlopsLabHandler
from .openapi import document

PARTS = (tracking, datasets, features, models, evaluation, serving, pipelines, dags, monitors,
         alerts, retraining)


class OpenApiHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        self.reply(await self.call(document))


async def _no_such_route(handler, rest: str):
    raise NotFound("No such mlops-lab API route. Run ids are 32 lowercase hexadecimal "
                   "characters; the routes are listed at /mlops-lab/api/openapi.json.")


def _guarded(method):
    # A wrapper per HTTP method: jupyter-server's @authorized settles its action (read or
    # write) on a wrapper's first call, so one shared wrapper would check POSTs as reads.
    return tornado.web.authenticated(authorized(method))


class NotFoundHandler(MlopsLabHandler):
    """Anything else under the API prefix (an id outside its pattern, a mistyped route): the
    same JSON 404 as every other error, and only for a client that has credentials. Whatever
    the method: an id outside its pattern is a thing that does not exist (404), not a method
    the route refuses (405)."""

    get = _guarded(_no_such_route)
    post = _guarded(_no_such_route)
    put = _guarded(_no_such_route)
    patch = _guarded(_no_such_route)
    delete = _guarded(_no_such_route)


# Patterns relative to the server's base URL; every one must also be in the OpenAPI document.
ROUTES = [(r"openapi.json", OpenApiHandler)] + [route for part in PARTS for route in part.ROUTES]
# Tried last: not an API route of its own, so it is not in the OpenAPI document.
FALLBACK = (r"(?P<rest>.*)", NotFoundHandler)


def handlers() -> list[tuple[str, type]]:
    return [(f"{API_PREFIX}/{pattern}", handler) for pattern, handler in [*ROUTES, FALLBACK]]
