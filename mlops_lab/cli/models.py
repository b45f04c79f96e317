"""`mlops-lab models`: list models, show a version's card, register a run's model file, move
aliases, read their history, and check that a version loads."""

from __future__ import annotations

from ..services import services
from .output import print_json, print_pairs, print_table, printable, when

MODELS_EPILOG = """\
examples:
  mlops-lab models
  mlops-lab models -q churn --json
  mlops-lab models show churn@champion
  mlops-lab models versions churn
  mlops-lab models alias churn champion 3 --reason "better AUC on May data"
  mlops-lab models alias churn challenger --delete --reason "retired"
  mlops-lab models rollback churn --reason "worse on live traffic"
  mlops-lab models history churn
  mlops-lab models verify churn/3
  mlops-lab models register 3f2a9c1d models/clf.skops churn --alias challenger
  mlops-lab models export churn/3 --format onnx
"""
EXPORT_EPILOG = """\
examples:
  mlops-lab models export churn/3 --format onnx
  mlops-lab models export churn@champion --format onnx --json
"""
REGISTER_EPILOG = """\
examples:
  mlops-lab models register 3f2a9c1d models/clf.skops churn
  mlops-lab models register 3f2a9c1d models/forest.skops churn --alias challenger
  mlops-lab models register 3f2a9c1d models/forest.skops churn --trust sklearn.tree._tree.Tree
      (only for a file saved elsewhere, once you have checked the types it is refused for)
"""
SHOW_EPILOG = """\
examples:
  mlops-lab models show churn              (the latest version)
  mlops-lab models show churn/3
  mlops-lab models show churn@champion --json
"""
VERSIONS_EPILOG = """\
examples:
  mlops-lab models versions churn
  mlops-lab models versions "my model" --json
"""
ALIAS_EPILOG = """\
examples:
  mlops-lab models alias churn champion 3 --reason "better AUC"   (create or move)
  mlops-lab models alias churn champion --delete --reason "retired"
  (to undo the latest move of an alias: mlops-lab models rollback churn champion)
"""
ROLLBACK_EPILOG = """\
examples:
  mlops-lab models rollback churn                        (@champion back where it was)
  mlops-lab models rollback churn production --reason "errors in the logs"
  mlops-lab models rollback churn --json
"""
HISTORY_EPILOG = """\
examples:
  mlops-lab models history churn
  mlops-lab models history churn --alias champion --json
"""
VERIFY_EPILOG = """\
examples:
  mlops-lab models verify churn@champion
  mlops-lab models verify legacy/1 --allow-pickle   (only for a pickle you trust: it runs code)
"""


def register(commands, fmt) -> None:
    """Adds this part's subcommands to `commands` (an argparse subparsers action)."""
    models = commands.add_parser("models", help="list models (or `models show|alias|history …`)",
                                 description="List registered models, most recently changed "
                                 "first.", epilog=MODELS_EPILOG, formatter_class=fmt)
    models.add_argument("-q", "--query", default="", metavar="TEXT",
                        help="only models whose name contains TEXT")
    models.add_argument("--json", action="store_true", help="print them as JSON")
    models.set_defaults(handler=cmd_models)
    sub = models.add_subparsers(dest="models_command",
                                metavar="show|versions|register|alias|rollback|history|verify"
                                "|export")

    show = sub.add_parser("show", help="show a version's model card",
                          description="Show a model version: its aliases and model card.",
                          epilog=SHOW_EPILOG, formatter_class=fmt)
    show.add_argument("ref", metavar="NAME[/VERSION|@ALIAS]")
    show.add_argument("--json", action="store_true", help="print the version as JSON")
    show.set_defaults(handler=cmd_show)

    versions = sub.add_parser("versions", help="list a model's versions",
                              description="List a model's versions, newest first.",
                              epilog=VERSIONS_EPILOG, formatter_class=fmt)
    versions.add_argument("name", metavar="NAME")
    versions.add_argument("--json", action="store_true", help="print them as JSON")
    versions.set_defaults(handler=cmd_versions)

    reg = sub.add_parser("register", help="register a model file a run logged",
                         description="Register a run's model file (such as models/clf.skops, "
                         "which a %%track cell saves) as the next version of NAME, linked to "
                         "the run; the file is reused, not copied. It is loaded trusting only "
                         "the types reviewed when it was saved: a file holding other types is "
                         "refused with their names, and registers only with --trust for each.",
                         epilog=REGISTER_EPILOG, formatter_class=fmt)
    reg.add_argument("run", metavar="RUN", help="the run's id (or a unique prefix of it)")
    reg.add_argument("artifact", metavar="ARTIFACT", help="the model file's path in the run")
    reg.add_argument("name", metavar="NAME", help="the model's name")
    reg.add_argument("--alias", default=None, help="point this alias at the new version")
    reg.add_argument("--description", default=None, help="what this version is")
    reg.add_argument("--trust", action="append", default=[], metavar="TYPE",
                     help="accept a type the file holds that nobody reviewed when it was saved "
                     "(loading runs its code: only for a file you trust; repeat per type)")
    reg.add_argument("--json", action="store_true", help="print the version as JSON")
    reg.set_defaults(handler=cmd_register)

    alias = sub.add_parser("alias", help="point an alias at a version, or delete it",
                           description="Create, move or delete an alias of a model; every "
                           "change is kept in the alias history.", epilog=ALIAS_EPILOG,
                           formatter_class=fmt)
    alias.add_argument("name", metavar="NAME")
    alias.add_argument("alias", metavar="ALIAS")
    alias.add_argument("version", metavar="VERSION", nargs="?")
    alias.add_argument("--delete", action="store_true", help="delete the alias")
    alias.add_argument("--reason", default=None, help="why (kept in the history)")
    alias.add_argument("--json", action="store_true", help="print the move as JSON")
    alias.set_defaults(handler=cmd_alias)

    rollback = sub.add_parser("rollback", help="point an alias back where it was before its "
                              "latest move", description="Point an alias back at the version "
                              "it pointed at before its latest move. The rollback is kept in "
                              "the alias history like any move, its reason saying \"Rolled back "
                              "from version 7 to version 5\"; rolling back a rollback goes back "
                              "again.", epilog=ROLLBACK_EPILOG, formatter_class=fmt)
    rollback.add_argument("name", metavar="NAME")
    rollback.add_argument("alias", metavar="ALIAS", nargs="?", default="champion",
                          help="the alias to roll back (default: champion)")
    rollback.add_argument("--reason", default=None, help="why (kept in the history)")
    rollback.add_argument("--json", action="store_true", help="print the move as JSON")
    rollback.set_defaults(handler=cmd_rollback)

    history = sub.add_parser("history", help="every move of a model's aliases",
                             description="Every alias move of a model, newest first: who, "
                             "when, from which version to which, and why.",
                             epilog=HISTORY_EPILOG, formatter_class=fmt)
    history.add_argument("name", metavar="NAME")
    history.add_argument("--alias", default=None, help="only this alias")
    history.add_argument("--json", action="store_true", help="print it as JSON")
    history.set_defaults(handler=cmd_history)

    verify = sub.add_parser("verify", help="check that a version loads",
                            description="Load a model version the safe way (skops with its "
                            "reviewed trusted types) and say whether it loads. A version saved "
                            "with pickle is refused unless --allow-pickle is given.",
                            epilog=VERIFY_EPILOG, formatter_class=fmt)
    verify.add_argument("ref", metavar="NAME[/VERSION|@ALIAS]")
    verify.add_argument("--allow-pickle", action="store_true",
                        help="allow loading a pickled version (it can run any code)")
    verify.set_defaults(handler=cmd_verify)

    export = sub.add_parser("export", help="export a version to ONNX (verified first)",
                            description="Export a model version to ONNX with skl2onnx. The "
                            "file is kept only if scikit-learn and onnxruntime agree on up to "
                            "1,000 rows of the version's training snapshot (labels equal, "
                            "probabilities within 1e-4; a regressor's values within 1e-5 "
                            "relative); the figures are shown in the model card.",
                            epilog=EXPORT_EPILOG, formatter_class=fmt)
    export.add_argument("ref", metavar="NAME[/VERSION|@ALIAS]")
    export.add_argument("--format", default="onnx", choices=["onnx"],
                        help="the file format to export to (onnx)")
    export.add_argument("--json", action="store_true", help="print the version as JSON")
    export.set_defaults(handler=cmd_export)


def cmd_models(args) -> int:
    models = services().models.list_models(args.query)
    if args.json:
        print_json({"models": [m.to_json() for m in models]})
        return 0
    if not models:
        print("No models match." if args.query else
              "No models yet. Register one with ml.register_model(model, \"name\").")
        return 0
    rows = [[m.name, str(m.latest_version),
             ", ".join(f"{a}→{v}" for a, v in m.aliases.items()), when(m.updated_at)]
            for m in models]
    print_table(["name", "latest", "aliases", "updated"], rows)
    return 0


def cmd_show(args) -> int:
    version = services().models.resolve(args.ref)
    # The gates this version was the challenger in: its card's verdicts, newest first.
    gates = services().evaluation.list_evaluations(version.name, kind="gate",
                                                   version=version.version, limit=10)
    if args.json:
        print_json({**version.to_json(), "gates": [g.to_json() for g in gates]})
        return 0
    print_pairs([("version", version.ref),
                 ("aliases", ", ".join(version.aliases) or "-"),
                 ("created", f"{when(version.created_at)} by {version.created_by}")])
    print()
    for line in version.card.splitlines():
        print(printable(line))
    if gates:
        print("\n## Gates (as challenger)\n")
        for g in gates:
            i, data = g.doc["improvement"], g.doc["data"]
            print(f"- #{g.id} {'PASSED' if g.passed else 'FAILED'} against version "
                  f"{g.doc['champion']['version']} on {g.doc['metric']}: {i['value']:+.4f} "
                  f"[{i['low']:+.4f}, {i['high']:+.4f}], {printable(data['snapshot'])} "
                  f"({data['rows']:,} rows), {when(g.created_at)}")
    return 0


def cmd_versions(args) -> int:
    from ..tracking.entities import format_number

    versions = services().models.list_versions(args.name)
    if args.json:
        print_json({"name": args.name, "versions": [v.to_json(full=False) for v in versions]})
        return 0
    metric_keys = sorted({k for v in versions for k in v.metrics})[:6]
    rows = []
    for v in versions:
        row = [str(v.version), ", ".join(v.aliases), v.format, when(v.created_at),
               (v.run_id or "")[:8]]
        row += [format_number(v.metrics[k]) if k in v.metrics else "" for k in metric_keys]
        rows.append(row)
    print_table(["version", "aliases", "format", "created", "run"] + metric_keys, rows)
    return 0


def cmd_alias(args) -> int:
    from ..errors import InvalidInput

    svc = services().models
    if args.delete:
        if args.version is not None:
            raise InvalidInput("Give either a VERSION to point the alias at, or --delete.")
        move = svc.delete_alias(args.name, args.alias, reason=args.reason)
    else:
        if args.version is None:
            raise InvalidInput("Give the VERSION to point the alias at (or --delete).")
        move = svc.set_alias(args.name, args.alias, args.version, reason=args.reason)
    print_move(move, args.json)
    return 0


def cmd_rollback(args) -> int:
    move = services().models.rollback(args.name, args.alias, reason=args.reason)
    print_move(move, args.json)
    return 0


def print_move(move, as_json: bool) -> None:
    """An alias move in one line (or as JSON)."""
    if as_json:
        print_json(move.to_json())
    elif move.to_version is None:
        print(f"Deleted alias {printable(move.alias)} of {printable(move.name)} "
              f"(was version {move.from_version}).")
    else:
        was = f" (was {move.from_version})" if move.from_version is not None else ""
        print(f"{printable(move.name)}@{printable(move.alias)} → version "
              f"{move.to_version}{was}.")


def cmd_history(args) -> int:
    history = services().models.alias_history(args.name, args.alias)
    if args.json:
        print_json({"name": args.name, "history": [h.to_json() for h in history]})
        return 0
    if not history:
        print("No alias of this model was ever set.")
        return 0
    rows = [[when(h.moved_at), h.alias, "-" if h.from_version is None else str(h.from_version),
             "deleted" if h.to_version is None else str(h.to_version), h.moved_by,
             h.reason or ""] for h in history]
    print_table(["when", "alias", "from", "to", "who", "reason"], rows)
    return 0


def cmd_register(args) -> int:
    svc = services().models
    version = svc.register(name=args.name, run_id=svc.tracking.find_run_id(args.run),
                           artifact=args.artifact, alias=args.alias,
                           description=args.description, trusted_types=args.trust)
    if args.json:
        print_json(version.to_json())
        return 0
    aliases = f" [{', '.join(version.aliases)}]" if version.aliases else ""
    print(f"Registered {printable(version.ref)}{printable(aliases)} from run {version.run_id} "
          f"({version.artifact}).")
    return 0


def cmd_verify(args) -> int:
    version, model = services().models.load(args.ref, allow_pickle=args.allow_pickle)
    print(f"{printable(version.ref)} loads: {type(model).__module__}.{type(model).__qualname__}"
          f" ({version.format}).")
    return 0


def cmd_export(args) -> int:
    version = services().models.export_onnx(args.ref)
    if args.json:
        print_json(version.to_json())
        return 0
    onnx = version.onnx
    check = onnx["verification"]
    agreement = check.get("label_agreement")
    print(f"{printable(version.ref)}: ONNX file {onnx['blob'][:12]} ({onnx['size']} bytes), "
          f"verified on {check['rows_compared']} rows: "
          + (f"labels agree {agreement:.2%}, " if agreement is not None else "")
          + f"max abs difference {check['max_abs_difference']:.3g} "
          f"(tolerance {', '.join(f'{k} {v:g}' for k, v in check['tolerance'].items())}).")
    return 0
