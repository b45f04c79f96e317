"""`mlops-lab retrain`: retraining rules (a trigger, a notebook pipeline, a gate) and their
firings, from any shell."""

from __future__ import annotations

from .output import print_json, print_pairs, print_table, when
from .pipelines import parameter_options, parameters_given

RETRAIN_EPILOG = """\
examples:
  mlops-lab retrain create churn-on-drift --model churn --notebook retrain.ipynb --on alert \\
      --gate-data holdout --gate-label churned --gate-metric roc_auc --gate-margin 0.01
  mlops-lab retrain create churn-weekly --model churn --notebook retrain.ipynb \\
      --on schedule --cron "0 3 * * 1" -p rows 100000
  mlops-lab retrain create churn-on-data --model churn --notebook retrain.ipynb \\
      --on snapshot --dataset customers -p snapshot "{snapshot}" --gate-data holdout \\
      --gate-label churned
  mlops-lab retrain list
  mlops-lab retrain show churn-on-drift
  mlops-lab retrain fire churn-on-drift
  mlops-lab retrain pause churn-on-drift
  mlops-lab retrain check          (one round of what the scheduler does every few seconds)
"""


def register(commands, fmt) -> None:
    retrain = commands.add_parser(
        "retrain", help="retraining rules: trigger -> notebook pipeline -> gate -> alias",
        description="Retraining rules: when an alert of the model's monitors opens, a dataset "
        "gets a new snapshot, or a schedule's time comes, run a notebook pipeline; gate the "
        "version it registers against the alias and move the alias on a pass. The Jupyter "
        "server and `mlops-lab scheduler` check the rules every few seconds.",
        epilog=RETRAIN_EPILOG, formatter_class=fmt)
    sub = retrain.add_subparsers(dest="retrain_command", required=True,
                                 metavar="create|list|show|fire|pause|resume|delete|check")

    create = sub.add_parser("create", help="a new rule", formatter_class=fmt,
                            description="A new retraining rule.", epilog=RETRAIN_EPILOG)
    create.add_argument("name", metavar="NAME")
    create.add_argument("--model", required=True, help="the model it retrains")
    create.add_argument("--notebook", required=True,
                        help="the notebook pipeline (it calls ml.register_model(model, NAME)), "
                        "or a DAG file (.yaml) whose steps do")
    create.add_argument("--on", required=True, choices=["alert", "snapshot", "schedule"],
                        help="what fires it")
    create.add_argument("--monitor", help="--on alert: only this monitor's alerts")
    create.add_argument("--dataset", help="--on snapshot: the dataset whose snapshots fire it")
    create.add_argument("--cron", help="--on schedule: when, e.g. \"0 3 * * 1\"")
    create.add_argument("--timezone", default="UTC", help="--on schedule: the cron's zone")
    parameter_options(create)
    create.add_argument("--gate-data", metavar="SNAPSHOT",
                        help="the labelled snapshot the gate scores both versions on")
    create.add_argument("--gate-label", metavar="COLUMN", help="its column of true answers")
    create.add_argument("--gate-metric", help="the gate's metric (default accuracy or rmse)")
    create.add_argument("--gate-margin", type=float, default=None,
                        help="how much better the new version must be")
    create.add_argument("--alias", default="champion", help="the alias a pass moves")
    create.add_argument("--keep-previous", default="previous", metavar="ALIAS",
                        help="the alias that keeps the old version (\"\" for none)")
    create.add_argument("--cooldown", default="1h", help="time between retrainings")
    create.add_argument("--timeout", default=None, help="a retraining run's time limit")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=cmd_create)

    listing = sub.add_parser("list", help="the rules")
    listing.add_argument("--model", default=None)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)

    show = sub.add_parser("show", help="a rule and its latest firings")
    show.add_argument("rule", metavar="RULE")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    for verb, handler, text in (("fire", cmd_fire, "fire a rule now, by hand"),
                                ("pause", cmd_pause, "stop a rule firing"),
                                ("resume", cmd_resume, "let a paused rule fire again"),
                                ("delete", cmd_delete, "delete a rule and its firings")):
        one = sub.add_parser(verb, help=text)
        one.add_argument("rule", metavar="RULE")
        one.add_argument("--json", action="store_true")
        one.set_defaults(handler=handler)

    check = sub.add_parser("check", help="one round: fire what is due, judge what ended")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=cmd_check)


def _service():
    from ..services import services

    return services().retraining


def cmd_create(args) -> int:
    gate = {k: v for k, v in (("data", args.gate_data), ("label", args.gate_label),
                               ("metric", args.gate_metric), ("margin", args.gate_margin))
            if v is not None}
    rule = _service().create_rule(
        args.name, args.model, args.notebook, on=args.on, monitor=args.monitor,
        dataset=args.dataset, cron=args.cron, timezone=args.timezone,
        parameters=parameters_given(args), gate=gate or None, alias=args.alias,
        keep_previous=args.keep_previous or None, cooldown=args.cooldown,
        timeout=args.timeout)
    if args.json:
        print_json(rule.to_json())
    else:
        print(f"Created retraining rule {rule.name!r}: {rule.watches} -> {rule.notebook}"
              + ("" if rule.gate else " (no gate: new versions are registered, the alias "
                 "stays)"))
    return 0


def cmd_list(args) -> int:
    rules = _service().list_rules(args.model)
    if args.json:
        print_json([r.to_json() for r in rules])
    elif not rules:
        print("No retraining rules; see `mlops-lab retrain create --help`.")
    else:
        print_table(["name", "model", "watches", "gate", "enabled"],
                    [[r.name, f"{r.model}@{r.alias}", r.watches,
                      r.gate.get("metric", "default") if r.gate else "none",
                      "yes" if r.enabled else "paused"] for r in rules])
    return 0


def cmd_show(args) -> int:
    service = _service()
    rule = service.get_rule(args.rule)
    firings = service.list_firings(rule.id, limit=20)
    if args.json:
        print_json({**rule.to_json(), "firings": [f.to_json() for f in firings]})
        return 0
    print_pairs([("name", rule.name), ("model", f"{rule.model}@{rule.alias}"),
                 ("watches", rule.watches), ("notebook", rule.notebook),
                 ("parameters", rule.parameters or "-"), ("gate", rule.gate or "none"),
                 ("cooldown", f"{rule.cooldown_s} s"),
                 ("enabled", "yes" if rule.enabled else "paused")])
    if firings:
        print()
        _firings_table(firings)
    return 0


def _firings_table(firings) -> None:
    print_table(["#", "fired", "trigger", "status", "version", "gate", "message"],
                [[str(f.id), when(f.fired_at), _trigger(f.trigger), f.status,
                  str(f.version or "-"), f"#{f.evaluation_id}" if f.evaluation_id else "-",
                  (f.message or "")[:80]] for f in firings])


def _trigger(trigger: dict) -> str:
    kind = trigger.get("kind")
    if kind == "alert":
        return f"alert #{trigger['alert']}"
    if kind == "snapshot":
        return trigger["snapshot"]
    if kind == "schedule":
        return f"schedule {when(trigger['fire_time'])}"
    return f"by {trigger.get('by', 'hand')}"


def _firing_out(firing, as_json: bool) -> int:
    if as_json:
        print_json(firing.to_json())
    else:
        run = (f", pipeline run {firing.pipeline_run_id[:8]}" if firing.pipeline_run_id else
               f", DAG run {firing.dag_run_id[:8]}" if firing.dag_run_id else "")
        print(f"Firing #{firing.id} of {firing.rule}: {firing.status}{run}"
              + (f". {firing.message}" if firing.message else "."))
    return 1 if firing.status == "failed" else 0


def cmd_fire(args) -> int:
    return _firing_out(_service().fire(args.rule), args.json)


def _rule_out(rule, as_json: bool, did: str) -> int:
    if as_json:
        print_json(rule.to_json())
    else:
        print(f"{did} retraining rule {rule.name!r}.")
    return 0


def cmd_pause(args) -> int:
    return _rule_out(_service().set_enabled(args.rule, False), args.json, "Paused")


def cmd_resume(args) -> int:
    return _rule_out(_service().set_enabled(args.rule, True), args.json, "Resumed")


def cmd_delete(args) -> int:
    return _rule_out(_service().delete_rule(args.rule), args.json, "Deleted")


def cmd_check(args) -> int:
    done = _service().check()
    if args.json:
        print_json({k: [f.to_json() for f in v] for k, v in done.items()})
        return 0
    if not done["fired"] and not done["ended"]:
        print("Nothing to fire, nothing ended.")
    for f in done["fired"] + done["ended"]:
        _firing_out(f, False)
    return 0
