"""REST routes of the feature store: search feature sets, one feature set (definition, versions,
freshness, the runs that read it), one version (its source and schema). Parse, call the feature service off the event
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
        # The search reads every feature set (a few hundred at most) and sorts them newest first.
        page = await self.whole_list_page(
            lambda: self.services.features.search(q, tag, None),
            lambda f: (-f.latest.created_at, f.name), (int, str))
        self.reply(page.to_json("feature_sets"))


class FeatureSetHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str):
        features = self.services.features

        def load() -> dict:
            return {**features.get(name).to_json(versions=True), "readers": features.readers(name)}

        self.reply(await self.call(load))


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
