"""REST routes of alerts and webhooks: list, acknowledge and resolve alerts; list, create and
delete alert rules and webhooks; a webhook's delivery log and a test event. Parse the request,
call the part's service off the event loop, shape the JSON. A webhook's secret is taken, never
answered back (`has_secret`)."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..errors import InvalidInput
from .base import MlopsLabHandler

ID = r"[0-9]{1,9}"


class AlertsBase(MlopsLabHandler):
    def filter(self, name: str):
        """A filter from the query string: None if absent; a monitor may be its id."""
        text = self.search_text(name)
        if not text:
            return None
        return int(text) if name == "monitor" and text.isdigit() else text

    def note(self) -> str | None:
        note = self.json_body().get("note")
        if note is not None and not isinstance(note, str):
            raise InvalidInput("note must be text.")
        return note


class AlertsHandler(AlertsBase):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        state, monitor, model = self.filter("state"), self.filter("monitor"), self.filter("model")
        page = await self.keyset_page(
            lambda after, n: self.services.alerts.list_alerts(state, monitor, model, n, after),
            lambda a: (a.last_seen_at, a.id), (int, int))
        self.reply(page.to_json("alerts"))


class AlertHandler(AlertsBase):
    @tornado.web.authenticated
    @authorized
    async def get(self, alert_id: str):
        self.reply((await self.call(self.services.alerts.get_alert, int(alert_id))).to_json())


class AcknowledgeHandler(AlertsBase):
    @tornado.web.authenticated
    @authorized
    async def post(self, alert_id: str):
        alert = await self.call(self.services.alerts.acknowledge_alert, int(alert_id),
                                self.note(), self.user_name())
        self.reply(alert.to_json())


class ResolveHandler(AlertsBase):
    @tornado.web.authenticated
    @authorized
    async def post(self, alert_id: str):
        alert = await self.call(self.services.alerts.resolve_alert, int(alert_id), self.note(),
                                self.user_name())
        self.reply(alert.to_json())


class RulesHandler(AlertsBase):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        monitor = self.filter("monitor")
        page = await self.whole_list_page(
            lambda: self.services.alerts.list_alert_rules(monitor), lambda r: (r.id,), (int,))
        self.reply(page.to_json("rules"))

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.json_body()
        unknown = set(body) - {"name", "kind", "monitor", "cooldown", "enabled", "params"}
        if unknown:
            raise InvalidInput(f"An alert rule takes name, kind, monitor, cooldown, enabled and "
                               f"params, not {', '.join(sorted(unknown))}.")
        params = body.get("params") or {}
        if not isinstance(params, dict):
            raise InvalidInput('params is an object, e.g. {"over": 0.3}.')
        rule = await self.call(lambda: self.services.alerts.create_alert_rule(
            body.get("name"), body.get("kind"), monitor=body.get("monitor"),
            cooldown=body.get("cooldown", "1h"), enabled=body.get("enabled", True), **params))
        self.set_status(201)
        self.reply(rule.to_json())


class RuleHandler(AlertsBase):
    @tornado.web.authenticated
    @authorized
    async def delete(self, rule_id: str):
        rule = await self.call(self.services.alerts.delete_alert_rule, int(rule_id))
        self.reply(rule.to_json())


class WebhooksHandler(AlertsBase):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        # Each with how its deliveries stand: a receiver that is down shows in the panel.
        page = await self.whole_list_page(
            lambda: self.services.webhooks.list_webhooks(with_health=True),
            lambda w: (w.id,), (int,))
        self.reply(page.to_json("webhooks"))

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.json_body()
        unknown = set(body) - {"name", "url", "secret"}
        if unknown:
            raise InvalidInput(f"A webhook takes name, url and secret, not "
                               f"{', '.join(sorted(unknown))}.")
        hook = await self.call(self.services.webhooks.create_webhook, body.get("name"),
                               body.get("url"), body.get("secret"))
        self.set_status(201)
        self.reply(hook.to_json())


class WebhookHandler(AlertsBase):
    @tornado.web.authenticated
    @authorized
    async def delete(self, webhook_id: str):
        hook = await self.call(self.services.webhooks.delete_webhook, int(webhook_id))
        self.reply(hook.to_json())


class DeliveriesHandler(AlertsBase):
    @tornado.web.authenticated
    @authorized
    async def get(self, webhook_id: str):
        status, alert = self.filter("status"), self.filter("alert")
        page = await self.keyset_page(
            lambda after, n: self.services.webhooks.list_deliveries(
                int(webhook_id), alert, status, n, after), lambda d: (d.id,), (int,))
        self.reply(page.to_json("deliveries"))


class WebhookTestHandler(AlertsBase):
    """Queues a test event and sends it now (in a worker thread: a slow receiver holds no
    other request); a receiver that does not take it gets it again from the retries."""

    @tornado.web.authenticated
    @authorized
    async def post(self, webhook_id: str):
        sent = await self.call(self.services.webhooks.test_webhook, int(webhook_id))
        self.reply(sent.to_json())


# (pattern relative to /mlops-lab/api/, handler class); each also in openapi/alerts.yaml.
ROUTES: list[tuple[str, type]] = [
    (r"alerts", AlertsHandler),
    (rf"alerts/(?P<alert_id>{ID})", AlertHandler),
    (rf"alerts/(?P<alert_id>{ID})/acknowledge", AcknowledgeHandler),
    (rf"alerts/(?P<alert_id>{ID})/resolve", ResolveHandler),
    (r"alert-rules", RulesHandler),
    (rf"alert-rules/(?P<rule_id>{ID})", RuleHandler),
    (r"webhooks", WebhooksHandler),
    (rf"webhooks/(?P<webhook_id>{ID})", WebhookHandler),
    (rf"webhooks/(?P<webhook_id>{ID})/deliveries", DeliveriesHandler),
    (rf"webhooks/(?P<webhook_id>{ID})/test", WebhookTestHandler),
]
