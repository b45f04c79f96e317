"""REST routes of continuous training: retraining rules (create, list, show, pause, delete,
fire now) and their firings. A rule's notebook is a path relative to the server's root and
must stay inside it; the service checks the rest."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..errors import InvalidInput
from .pipelines import PipelineHandler

RULE = r"(?P<rule>[^/]+)"
# The body fields a rule takes (the service checks their values).
RULE_FIELDS = {"name", "model", "notebook", "on", "monitor", "dataset", "cron", "timezone",
               "parameters", "gate", "alias", "keep_previous", "cooldown", "timeout"}


class RetrainingHandler(PipelineHandler):
    def rule_json(self, rule) -> dict:
        from ..pipelines.runs.notebooks import relative_to_root

        return {**rule.to_json(), "notebook_path": relative_to_root(self.root, rule.notebook)}


class RulesHandler(RetrainingHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        model = self.get_argument("model", "") or None
        page = await self.whole_list_page(
            lambda: self.services.retraining.list_rules(model), lambda rule: (rule.name,),
            (str,))
        self.reply(page.to_json("rules", self.rule_json))

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.json_body()
        unknown = sorted(set(body) - RULE_FIELDS)
        if unknown:
            raise InvalidInput(f"A retraining rule takes no {', '.join(map(repr, unknown))}; "
                               f"its fields are {', '.join(sorted(RULE_FIELDS))}.")
        missing = [k for k in ("name", "model", "notebook", "on") if not body.get(k)]
        if missing:
            raise InvalidInput(f"A retraining rule needs {', '.join(missing)}.")
        body["notebook"] = await self.call(self.notebook, body["notebook"])
        rule = await self.call(self.services.retraining.create_rule, user=self.user_name(),
                               **body)
        self.set_status(201)
        self.reply(self.rule_json(rule))


class RuleHandler(RetrainingHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, rule: str):
        self.reply(self.rule_json(await self.call(self.services.retraining.get_rule, rule)))

    @tornado.web.authenticated
    @authorized
    async def patch(self, rule: str):
        body = self.json_body()
        if set(body) != {"enabled"}:
            raise InvalidInput('A rule is paused or resumed with {"enabled": false|true}; '
                               "to change anything else, delete it and create it again.")
        found = await self.call(self.services.retraining.set_enabled, rule, body["enabled"])
        self.reply(self.rule_json(found))

    @tornado.web.authenticated
    @authorized
    async def delete(self, rule: str):
        self.reply(self.rule_json(await self.call(self.services.retraining.delete_rule, rule)))


class FireHandler(RetrainingHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, rule: str):
        firing = await self.call(self.services.retraining.fire, rule, self.user_name())
        self.set_status(201)
        self.reply(firing.to_json())


class FiringsHandler(RetrainingHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        rule = self.get_argument("rule", "") or None
        model = self.get_argument("model", "") or None
        status = self.get_argument("status", "") or None
        page = await self.keyset_page(
            lambda after, n: self.services.retraining.list_firings(rule, status, n, after,
                                                                   model=model),
            lambda firing: (firing.fired_at, firing.id), (int, int))
        self.reply(page.to_json("firings"))


# (pattern relative to /mlops-lab/api/, handler class); each also in openapi/retraining.yaml.
ROUTES: list[tuple[str, type]] = [
    (r"retraining/rules", RulesHandler),
    (rf"retraining/rules/{RULE}", RuleHandler),
    (rf"retraining/rules/{RULE}/fire", FireHandler),
    (r"retraining/firings", FiringsHandler),
]
