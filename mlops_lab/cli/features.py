"""`mlops-lab features [QUERY]` (search feature sets) and `mlops-lab features show NAME`
(definition, versions, freshness)."""

from __future__ import annotations

import argparse

from ..services import services
from .options import positive_int
from .output import print_json, print_pairs, print_table, printable, when

FEATURES_EPILOG = """\
examples:
  mlops-lab features                          every feature set of the store
  mlops-lab features spend                    name, feature, description, owner, tag or source
  mlops-lab features customer growth --json   every word must match
  mlops-lab features --tag team=growth
  mlops-lab features show customer_stats      definition, versions, freshness, source
"""
SHOW_EPILOG = """\
examples:
  mlops-lab features show customer_stats
  mlops-lab features show customer_stats --version 1     that version's source and schema
  mlops-lab features show "odd name/with slash" --json
"""


class _SearchUnlessShow(argparse._SubParsersAction):
    """`features WORDS…` searches; `features show NAME` shows. A first word that is not a
    subcommand starts a search, so a query never has to be quoted or prefixed."""

    class _AnyWord:
        """The subcommands, where any first word counts as valid (it may start a query)."""

        def __init__(self, names: dict):
            self.names = names

        def __contains__(self, word) -> bool:
            return True

        def __iter__(self):
            return iter(self.names)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = self._AnyWord(self._name_parser_map)

    def __call__(self, parser, namespace, values, option_string=None):
        if values and values[0] not in self._name_parser_map:
            values = ["search", *values]
        super().__call__(parser, namespace, values, option_string)


def _search_options(parser) -> None:
    parser.add_argument("--tag", default=None, metavar="KEY[=VALUE]",
                        help="only feature sets with this tag")
    parser.add_argument("--json", action="store_true", help="print them as JSON")
    parser.set_defaults(handler=cmd_features, query=[])


def register(commands, fmt) -> None:
    features = commands.add_parser(
        "features", help="search feature sets (or `features show NAME`)",
        description="Search the feature sets of the whole store: every word of QUERY must "
                    "appear in the name, a feature, the description, the owner, a tag or a "
                    "source snapshot.",
        usage="mlops-lab features [QUERY ...] [--tag KEY[=VALUE]] [--json]\n"
              "       mlops-lab features show NAME [--version N] [--json]",
        epilog=FEATURES_EPILOG, formatter_class=fmt)
    _search_options(features)
    sub = features.add_subparsers(dest="features_command", metavar="QUERY | show",
                                  action=_SearchUnlessShow)
    search = sub.add_parser("search", prog="mlops-lab features", description="Search feature sets.",
                            epilog=FEATURES_EPILOG, formatter_class=fmt)
    search.add_argument("query", nargs="*", metavar="QUERY", help="words to find")
    _search_options(search)
    search.set_defaults(query=[])
    show = sub.add_parser("show", prog="mlops-lab features show", help="one feature set in full",
                          description="Show one feature set: definition, versions, freshness "
                                      "and the source of its live (or newest) version.",
                          epilog=SHOW_EPILOG, formatter_class=fmt)
    show.add_argument("name", metavar="NAME", help="the feature set's name")
    show.add_argument("--version", type=positive_int, default=None, metavar="N",
                      help="show this version's source and schema")
    show.add_argument("--json", action="store_true", help="print it as JSON")
    show.set_defaults(handler=cmd_features_show)


def cmd_features(args) -> int:
    found = services().features.search(" ".join(args.query), args.tag)
    if args.json:
        print_json({"feature_sets": [f.to_json() for f in found]})
        return 0
    if not found:
        print("No feature sets match.")
        return 0
    rows = []
    for f in found:
        fresh = f.freshness
        features = ", ".join(f.features)
        rows.append([f.name, str(f.latest.version),
                     f"v{f.live_version}" if f.live_version else "-",
                     features if len(features) <= 60 else features[:57] + "...",
                     ", ".join(f.described.entity),
                     "-" if fresh["row_count"] is None else str(fresh["row_count"]),
                     when(fresh["last_materialized"]), when(fresh["newest_event_time"])])
    print_table(["name", "versions", "live", "features", "entity", "rows", "materialized",
                 "newest event"], rows)
    return 0


def cmd_features_show(args) -> int:
    svc = services().features
    item = svc.get(args.name)
    if args.version is not None:
        version = svc.get_version(args.name, args.version)
        if args.json:
            print_json(version.to_json())
            return 0
        print_version(version)
        return 0
    if args.json:
        print_json(item.to_json(versions=True))
        return 0
    fresh = item.freshness
    shown = item.described  # the live version, also after a rollback
    print_pairs([
        ("name", item.name), ("description", shown.description or "-"),
        ("owner", shown.owner or "-"), ("entity", ", ".join(shown.entity)),
        ("timestamp", shown.timestamp), ("features", ", ".join(shown.features) or "-"),
        ("tags", ", ".join(f"{k}={v}" if v else k for k, v in shown.tags.items()) or "-"),
        ("sources", ", ".join(item.sources) or "-"),
        ("live version", f"v{item.live_version}" if item.live_version else "- (not materialised)"),
        ("latest version", f"v{item.latest.version}"),
        ("last materialized", when(fresh["last_materialized"])),
        ("newest event", when(fresh["newest_event_time"])),
        ("rows", "-" if fresh["row_count"] is None else str(fresh["row_count"])),
        ("entities", "-" if fresh["entity_count"] is None else str(fresh["entity_count"])),
    ])
    print("\nversions:")
    rows = []
    for v in item.versions:
        m = v.last_materialization
        rows.append([f"v{v.version}" + (" (live)" if v.version == item.live_version else ""),
                     when(v.created_at), v.source_hash[:12], v.owner or "-",
                     "-" if m is None else str(m.row_count), when(m.created_at if m else None),
                     (m.source_label or m.source_kind) if m else "-"])
    print_table(["version", "created", "source hash", "owner", "rows", "materialized", "source"],
                rows)
    print(f"\nsource of v{shown.version}:")
    for line in shown.source.splitlines():
        print("  " + printable(line))
    return 0


def print_version(v) -> None:
    m = v.last_materialization
    print_pairs([
        ("feature set", v.feature_set), ("version", f"v{v.version}"), ("id", v.id),
        ("created", when(v.created_at)), ("owner", v.owner or "-"),
        ("function", f"{v.module}.{v.function_name}" if v.module else v.function_name),
        ("source hash", v.source_hash), ("entity", ", ".join(v.entity)),
        ("timestamp", v.timestamp), ("ttl", "-" if v.ttl_ms is None else f"{v.ttl_ms / 1000:g} s"),
        ("last materialized", when(m.created_at if m else None)),
        ("rows", "-" if m is None else str(m.row_count)),
    ])
    if v.schema:
        print("\nschema:")
        print_pairs(list(v.schema.items()), indent="  ")
    print("\nsource:")
    for line in v.source.splitlines():
        print("  " + printable(line))
