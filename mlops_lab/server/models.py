"""REST routes of the model registry: models, versions (with lineage and model card), aliases
with their audited history, and a load check. Parse the request, call the registry service off
the event loop, shape the JSON.

Model names are free text: in URLs they are one percent-encoded segment (`[^/]+`, decoded once
by the router) and the service validates them; they are never used as paths. The server never
unpickles: a version saved with pickle is refused by the load check.
"""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..errors import InvalidInput
from ..models.names import clean_model_name
from .base import MlopsLabHandler

NAME = r"(?P<name>[^/]+)"
VERSION = r"(?P<version>[0-9]{1,9})"
ALIAS = r"(?P<alias>[A-Za-z0-9_.-]{1,64})"


class ModelsBase(MlopsLabHandler):
    def reason(self, body: dict) -> str | None:
        reason = body.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise InvalidInput("reason must be text.")
        return reason


class ModelsHandler(ModelsBase):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        q = self.search_text()
        page = await self.keyset_page(lambda after, n: self.services.models.list_models(q, n, after),
                                      lambda m: (m.updated_at, m.name), (int, str))
        self.reply(page.to_json("models"))


class ModelHandler(ModelsBase):
    """The model with its versions, alias history and unresolved alerts: all a model's view
    needs."""

    @tornado.web.authenticated
    @authorized
    async def get(self, name: str):
        self.reply(await self.call(_overview_with_alerts, self.services, name))


def _overview_with_alerts(services, name: str) -> dict:
    """The model's view with its alerts not yet resolved: where a user already looks."""
    overview = services.models.overview(name)
    alerts = services.alerts.unresolved(overview.model.name)
    return {**overview.to_json(), "alerts": [a.to_json() for a in alerts]}


class VersionsHandler(ModelsBase):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str):
        page = await self.keyset_page(
            lambda after, n: self.services.models.list_versions(name, n, after and after[0]),
            lambda v: (v.version,), (int,))
        self.reply(page.to_json("versions", lambda v: v.to_json(full=False), name=name))


class VersionHandler(ModelsBase):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, version: str):
        doc = await self.call(_version_with_lineage, self.services.models, name, int(version))
        self.reply(doc)


def _version_with_lineage(registry, name: str, version: int) -> dict:
    return {**registry.get_version(name, version).to_json(),
            "lineage": registry.lineage(name, version)}


class VerifyHandler(ModelsBase):
    """Loads the version as a model server would (skops with its reviewed trusted types;
    pickle never) and says whether it loads."""

    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, version: str):
        mv, model = await self.call(self.services.models.load, f"{name}/{int(version)}", False)
        self.reply({"ref": mv.ref, "loads": True, "format": mv.format,
                    "class": f"{type(model).__module__}.{type(model).__qualname__}"})


class OnnxHandler(ModelsBase):
    """Exports the version to ONNX (verified against scikit-learn first; see
    models/onnx_verify.py) and answers the version with its `onnx` record."""

    @tornado.web.authenticated
    @authorized
    async def post(self, name: str, version: str):
        mv = await self.call(self.services.models.export_version, name, int(version),
                             self.user_name())
        self.reply(mv.to_json())


class AliasesHandler(ModelsBase):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str):
        current: dict[str, int] = {}

        def moves(after, n):  # one read: the aliases now and a page of their moves
            aliases, history = self.services.models.aliases_with_history(name, limit=n,
                                                                         after=after)
            current.update(aliases)
            return history
        page = await self.keyset_page(moves, lambda h: (h.moved_at, h.id), (int, int))
        self.reply(page.to_json("history", name=clean_model_name(name), aliases=current))


class AliasHandler(ModelsBase):
    @tornado.web.authenticated
    @authorized
    async def post(self, name: str, alias: str):
        body = self.json_body()
        if "version" not in body:
            raise InvalidInput('Give the version to point the alias at: {"version": 3}.')
        move = await self.call(self.services.models.set_alias, name, alias, body["version"],
                               self.reason(body), self.user_name())
        self.reply(move.to_json())

    @tornado.web.authenticated
    @authorized
    async def delete(self, name: str, alias: str):
        body = self.json_body()
        move = await self.call(self.services.models.delete_alias, name, alias, self.reason(body),
                               self.user_name())
        self.reply(move.to_json())


class RollbackHandler(ModelsBase):
    @tornado.web.authenticated
    @authorized
    async def post(self, name: str, alias: str):
        body = self.json_body()
        move = await self.call(self.services.models.rollback, name, alias, self.reason(body),
                               self.user_name())
        self.reply(move.to_json())


# (pattern relative to /mlops-lab/api/, handler class); each also in openapi/models.yaml.
ROUTES: list[tuple[str, type]] = [
    (r"models", ModelsHandler),
    (rf"models/{NAME}", ModelHandler),
    (rf"models/{NAME}/versions", VersionsHandler),
    (rf"models/{NAME}/versions/{VERSION}", VersionHandler),
    (rf"models/{NAME}/versions/{VERSION}/verify", VerifyHandler),
    (rf"models/{NAME}/versions/{VERSION}/onnx", OnnxHandler),
    (rf"models/{NAME}/aliases", AliasesHandler),
    (rf"models/{NAME}/aliases/{ALIAS}", AliasHandler),
    (rf"models/{NAME}/aliases/{ALIAS}/rollback", RollbackHandler),
]
