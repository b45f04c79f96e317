"""REST routes of the feature store: search feature sets, one feature set (definition, versions,
freshness), one version (its source and schema). Parse, call the feature service off the event
loop, shape the JSON. Names are any text, percent-encoded in the URL and decoded once; they are
only ever compared with stored names."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from .base import MlopsLabHandler, whole_number

NAME = r"(?P<name>[^/]+)"
VERSION = r"(?P<version>[0-9]{1,9})"


class FeatureSetsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        q, tag = self.search_text(), self.get_argument("tag", "") or None
        found, truncated = await self.first_rows(
            lambda n: self.services.features.search(q, tag, n))
        self.reply({"feature_sets": [f.to_json() for f in found], "truncated": truncated})


class FeatureSetHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str):
        item = await self.call(self.services.features.get, name)
        self.reply(item.to_json(versions=True))


class FeatureSetVersionHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, version: str):
        found = await self.call(self.services.features.get_version, name,
                                whole_number(version, "version"))
        self.reply(found.to_json())


ROUTES: list[tuple[str, type]] = [
    (r"feature-sets", FeatureSetsHandler),
    (rf"feature-sets/{NAME}", FeatureSetHandler),
    (rf"feature-sets/{NAME}/versions/{VERSION}", FeatureSetVersionHandler),
]
