"""`mlops-lab alerts` and `mlops-lab webhooks`: list, acknowledge and resolve alerts, manage
the rules that open them and the webhooks they are sent to. A webhook's secret is never
printed (only whether it has one)."""

from __future__ import annotations

import os

from ..services import services
from .options import positive_int
from .output import print_json, print_table, printable, when

ALERTS_EPILOG = """\
examples:
  mlops-lab alerts                          (most recently seen first)
  mlops-lab alerts --state open --json
  mlops-lab alerts ack 3 --note "looking into it"
  mlops-lab alerts resolve 3 --note "retrained"
  mlops-lab alerts rules list
  mlops-lab alerts rules create "age drift" feature_drift --monitor churn-drift --feature age
  mlops-lab alerts rules create "auc floor" metric_below --below 0.8 --cooldown 6h
  mlops-lab alerts rules create "auc drop" metric_drop --by 0.1 --relative
  mlops-lab alerts rules create "stale" staleness --figure version_age --over 30d
  mlops-lab alerts rules create "training failed" pipeline_failed --pipeline train.ipynb
  mlops-lab alerts rules delete 2
"""
WEBHOOKS_EPILOG = """\
examples:
  HOOK_KEY=… mlops-lab webhooks create ops https://hooks.example.com/mlops --secret-env HOOK_KEY
  mlops-lab webhooks list
  mlops-lab webhooks test ops
  mlops-lab webhooks deliveries --webhook ops --status pending
  mlops-lab webhooks deliver                (send what is due now)
  mlops-lab webhooks delete ops
"""
# Options of `alerts rules create` that are a rule's params (each kind takes some).
PARAM_OPTIONS = (("--feature", "feature_drift: only this feature (else any)"),
                 ("--over", "drift_share: a share 0-1; staleness: a duration such as 7d"),
                 ("--below", "metric_below: the floor"),
                 ("--by", "metric_drop: how far below the training value"),
                 ("--metric", "metric_below/metric_drop: only this metric"),
                 ("--figure", "staleness: version_age, since_retraining, since_prediction or "
                              "training_data_age"),
                 ("--pipeline", "pipeline_failed: part of the notebook's path"),
                 ("--severity", "info, warning (default) or critical"))


def register(commands, fmt) -> None:
    alerts = commands.add_parser("alerts", help="list alerts (or `alerts ack|resolve|rules …`)",
                                 description="List alerts, most recently seen first.",
                                 epilog=ALERTS_EPILOG, formatter_class=fmt)
    _list_options(alerts)
    alerts.set_defaults(handler=cmd_alerts)
    sub = alerts.add_subparsers(dest="alerts_command", metavar="ack|resolve|rules")
    for name, verb, handler in (("ack", "acknowledge", cmd_ack), ("resolve", "resolve",
                                                                    cmd_resolve)):
        move = sub.add_parser(name, help=f"{verb} an alert", formatter_class=fmt,
                              description=f"{verb.capitalize()} an alert (recorded with your "
                                          "user name and the time).")
        move.add_argument("id", metavar="ID")
        move.add_argument("--note", help="why, for whoever reads the alert next")
        move.add_argument("--json", action="store_true", help="print the alert as JSON")
        move.set_defaults(handler=handler)

    rules = sub.add_parser("rules", help="list, create or delete alert rules",
                           description="The rules that open alerts.", formatter_class=fmt)
    rules.add_argument("--json", action="store_true", help="print them as JSON")
    rules.set_defaults(handler=cmd_rules)
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="list|create|delete")
    listed = rules_sub.add_parser("list", help="list the rules")
    listed.add_argument("--monitor", help="only the rules of this monitor (and of every one)")
    listed.add_argument("--json", action="store_true", help="print them as JSON")
    listed.set_defaults(handler=cmd_rules)
    create = rules_sub.add_parser("create", help="create a rule", formatter_class=fmt,
                                  epilog=ALERTS_EPILOG)
    create.add_argument("name", metavar="NAME")
    create.add_argument("kind", metavar="KIND", help="feature_drift, drift_share, metric_below, "
                        "metric_drop, staleness or pipeline_failed")
    create.add_argument("--monitor", help="the monitor it watches (name or id; default: all)")
    create.add_argument("--cooldown", default="1h", help="a re-opened alert is sent to "
                        "webhooks at most once per this (default 1h)")
    for option, text in PARAM_OPTIONS:
        create.add_argument(option, help=text)
    create.add_argument("--relative", action="store_const", const=True,
                        help="metric_drop: --by is a fraction of the training value")
    create.add_argument("--json", action="store_true", help="print the rule as JSON")
    create.set_defaults(handler=cmd_rules_create)
    remove = rules_sub.add_parser("delete", help="delete a rule (its alerts stay)")
    remove.add_argument("id", metavar="ID")
    remove.set_defaults(handler=cmd_rules_delete)

    _register_webhooks(commands, fmt)


def _list_options(parser) -> None:
    parser.add_argument("--state", choices=("open", "acknowledged", "resolved"))
    parser.add_argument("--monitor", help="only this monitor's alerts (name or id)")
    parser.add_argument("--model", help="only this model's alerts")
    parser.add_argument("-n", "--limit", type=positive_int, default=100)
    parser.add_argument("--json", action="store_true", help="print them as JSON")


def _register_webhooks(commands, fmt) -> None:
    hooks = commands.add_parser("webhooks", help="webhooks alerts are sent to "
                                "(create|list|delete|test|deliveries|deliver)",
                                description="Webhooks that alerts are POSTed to (signed with "
                                "their secret).", epilog=WEBHOOKS_EPILOG, formatter_class=fmt)
    hooks.add_argument("--json", action="store_true", help="print them as JSON")
    hooks.set_defaults(handler=cmd_webhooks)
    sub = hooks.add_subparsers(dest="webhooks_command",
                               metavar="create|list|delete|test|deliveries|deliver")
    create = sub.add_parser("create", help="create a webhook", epilog=WEBHOOKS_EPILOG,
                            formatter_class=fmt)
    create.add_argument("name", metavar="NAME")
    create.add_argument("url", metavar="URL", help="http:// or https://, no user:password")
    secret = create.add_mutually_exclusive_group()
    secret.add_argument("--secret-env", metavar="VAR", help="sign bodies with the secret in "
                        "environment variable VAR (keeps it out of your shell history)")
    secret.add_argument("--secret", help="sign bodies with this secret")
    create.add_argument("--json", action="store_true", help="print the webhook as JSON")
    create.set_defaults(handler=cmd_webhooks_create)
    listed = sub.add_parser("list", help="list webhooks")
    listed.add_argument("--json", action="store_true", help="print them as JSON")
    listed.set_defaults(handler=cmd_webhooks)
    for name, text, handler in (("delete", "delete a webhook and its delivery log",
                                 cmd_webhooks_delete),
                                ("test", "send a test event now", cmd_webhooks_test)):
        one = sub.add_parser(name, help=text)
        one.add_argument("webhook", metavar="ID|NAME")
        one.add_argument("--json", action="store_true", help="print the result as JSON")
        one.set_defaults(handler=handler)
    log = sub.add_parser("deliveries", help="the delivery log, newest first")
    log.add_argument("--webhook", metavar="ID|NAME")
    log.add_argument("--alert", metavar="ID")
    log.add_argument("--status", choices=("pending", "delivered", "failed"))
    log.add_argument("-n", "--limit", type=positive_int, default=100)
    log.add_argument("--json", action="store_true", help="print them as JSON")
    log.set_defaults(handler=cmd_deliveries)
    deliver = sub.add_parser("deliver", help="send the deliveries that are due now")
    deliver.add_argument("-n", "--limit", type=positive_int, default=100)
    deliver.set_defaults(handler=cmd_deliver)


def _ref(text: str):
    """An id if all digits, else a name."""
    return int(text) if text.strip().isdigit() else text


# ---- alerts -------------------------------------------------------------------------------

def cmd_alerts(args) -> int:
    alerts = services().alerts.list_alerts(state=args.state, monitor=_maybe(args.monitor),
                                           model=args.model, limit=args.limit)
    if args.json:
        print_json({"alerts": [a.to_json() for a in alerts]})
        return 0
    rows = [[str(a.id), a.state, a.severity, a.model or "-", a.monitor or "-", a.feature or "-",
             str(a.times_seen), when(a.last_seen_at), a.message] for a in alerts]
    print_table(["id", "state", "severity", "model", "monitor", "feature", "seen", "last seen",
                 "message"], rows)
    return 0


def _maybe(text):
    return None if text is None else _ref(text)


def _moved(alert, args) -> int:
    if args.json:
        print_json(alert.to_json())
    else:
        print(f"Alert {alert.id} is {alert.state}: {printable(alert.message)}")
    return 0


def cmd_ack(args) -> int:
    return _moved(services().alerts.acknowledge_alert(args.id, args.note), args)


def cmd_resolve(args) -> int:
    return _moved(services().alerts.resolve_alert(args.id, args.note), args)


def cmd_rules(args) -> int:
    rules = services().alerts.list_alert_rules(_maybe(getattr(args, "monitor", None)))
    if args.json:
        print_json({"rules": [r.to_json() for r in rules]})
        return 0
    rows = [[str(r.id), r.name, r.kind, str(r.monitor_id or "all"), _params(r.params),
             f"{r.cooldown_s}s", "yes" if r.enabled else "no"] for r in rules]
    print_table(["id", "name", "kind", "monitor", "params", "cooldown", "enabled"], rows)
    return 0


def _params(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def cmd_rules_create(args) -> int:
    params = {option[2:]: getattr(args, option[2:]) for option, _ in PARAM_OPTIONS}
    params["relative"] = args.relative
    rule = services().alerts.create_alert_rule(args.name, args.kind, monitor=_maybe(args.monitor),
                                               cooldown=args.cooldown, **params)
    if args.json:
        print_json(rule.to_json())
    else:
        print(f"Created alert rule {rule.id} {printable(rule.name)!r} ({rule.kind}: "
              f"{printable(_params(rule.params))}).")
    return 0


def cmd_rules_delete(args) -> int:
    rule = services().alerts.delete_alert_rule(args.id)
    print(f"Deleted alert rule {rule.id} {printable(rule.name)!r}.")
    return 0


# ---- webhooks -----------------------------------------------------------------------------

def cmd_webhooks(args) -> int:
    hooks = services().webhooks.list_webhooks(with_health=True)
    if args.json:
        print_json({"webhooks": [h.to_json() for h in hooks]})
        return 0
    rows = [[str(h.id), h.name, h.url, "yes" if h.has_secret else "no",
             "yes" if h.enabled else "no", when(h.created_at), _deliveries(h.health)]
            for h in hooks]
    print_table(["id", "name", "url", "secret", "enabled", "created", "deliveries"], rows)
    for h in hooks:
        last = h.health.last_failure if h.health.failing else None
        if last is not None:
            print(f"{printable(h.name)} is failing: delivery {last.id} (queued "
                  f"{when(last.created_at)}, {last.attempts} attempts): "
                  f"{printable(last.last_error or '')}")
    return 0


def _deliveries(health) -> str:
    """'3 delivered, 1 retrying, 2 failed' (the states that have any)."""
    parts = [f"{n} {state}" for state, n in (("delivered", health.delivered),
                                             ("waiting", health.waiting),
                                             ("retrying", health.retrying),
                                             ("failed", health.failed)) if n]
    return ", ".join(parts) or "none yet"


def cmd_webhooks_create(args) -> int:
    from ..errors import InvalidInput

    secret = args.secret
    if args.secret_env is not None:
        secret = os.environ.get(args.secret_env)
        if not secret:
            raise InvalidInput(f"Environment variable {args.secret_env} is not set (or empty).")
    hook = services().webhooks.create_webhook(args.name, args.url, secret)
    if args.json:
        print_json(hook.to_json())
    else:
        signed = "signed with its secret" if hook.has_secret else "unsigned (no secret)"
        print(f"Created webhook {hook.id} {printable(hook.name)!r} -> {printable(hook.url)}, "
              f"{signed}.")
    return 0


def cmd_webhooks_delete(args) -> int:
    hook = services().webhooks.delete_webhook(_ref(args.webhook))
    if args.json:
        print_json(hook.to_json())
    else:
        print(f"Deleted webhook {hook.id} {printable(hook.name)!r} and its delivery log.")
    return 0


def cmd_webhooks_test(args) -> int:
    sent = services().webhooks.test_webhook(_ref(args.webhook))
    if args.json:
        print_json(sent.to_json())
    elif sent.status == "delivered":
        print(f"Delivered (HTTP {sent.last_status}).")
    else:
        print(f"Not delivered: {printable(sent.last_error)} It is retried by "
              "`mlops-lab webhooks deliver` (or the server) after a backoff.")
    return 0 if sent.status == "delivered" else 1


def cmd_deliveries(args) -> int:
    log = services().webhooks.list_deliveries(_maybe(args.webhook), args.alert, args.status,
                                              args.limit)
    if args.json:
        print_json({"deliveries": [d.to_json() for d in log]})
        return 0
    rows = [[str(d.id), str(d.webhook_id), str(d.alert_id or "-"), d.event, d.status,
             str(d.attempts), str(d.last_status or "-"), when(d.created_at),
             (d.last_error or "")[:80]] for d in log]
    print_table(["id", "webhook", "alert", "event", "status", "attempts", "http", "created",
                 "last error"], rows)
    return 0


def cmd_deliver(args) -> int:
    print(f"Delivered {services().webhooks.deliver_due(limit=args.limit)}.")
    return 0
