"""`mlops-lab db` and `mlops-lab gc`: the store's schema and its unreferenced blobs."""

from __future__ import annotations

from .options import minutes
from .output import print_json

DB_EPILOG = """\
examples:
  mlops-lab db current      the schema revision of the store's database
  mlops-lab db upgrade      bring it to the newest schema (SQLite: a backup copy is made first)
"""
GC_EPILOG = """\
examples:
  mlops-lab gc --dry-run               list what would be deleted
  mlops-lab gc                         delete unreferenced blobs older than 60 minutes
  mlops-lab gc --grace-minutes 0       also those written moments ago (no process may be logging)

Blobs younger than the grace period are kept: a process may have written one and not yet
committed the row that points to it.
"""


def register(commands, fmt) -> None:
    db = commands.add_parser("db", help="schema of the store's database",
                             description="Inspect or upgrade the schema of the store's database.",
                             epilog=DB_EPILOG, formatter_class=fmt)
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("current", help="print the schema revision", epilog=DB_EPILOG,
                      description="Print the database's schema revision.",
                      formatter_class=fmt).set_defaults(handler=cmd_db_current)
    db_sub.add_parser("upgrade", help="upgrade to the newest schema (with a backup)",
                      epilog=DB_EPILOG, formatter_class=fmt,
                      description="Upgrade the database to the newest schema. A SQLite "
                      "database is copied beside itself first; back up PostgreSQL with pg_dump."
                      ).set_defaults(handler=cmd_db_upgrade)

    gc = commands.add_parser("gc", help="delete stored blobs no record points to",
                             description="Delete stored blobs that no record (artifact, "
                             "snapshot, model version, …) points to: left by a crash between "
                             "writing a blob and recording it.",
                             epilog=GC_EPILOG, formatter_class=fmt)
    gc.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    gc.add_argument("--grace-minutes", type=minutes, default=60.0, metavar="MINUTES",
                    help="keep blobs younger than this (default 60)")
    gc.add_argument("--json", action="store_true", help="print the result as JSON")
    gc.set_defaults(handler=cmd_gc)


def cmd_db_current(args) -> int:
    from ..store.migrate import HEAD, current_revision

    db = database()
    revision = current_revision(db)
    if revision is None:
        print(f"none (empty database; `mlops-lab db upgrade` creates schema {HEAD})")
    elif revision == HEAD:
        print(f"{revision} (newest)")
    else:
        print(f"{revision} (this mlops-lab needs {HEAD}: run `mlops-lab db upgrade`)")
    return 0


def cmd_db_upgrade(args) -> int:
    from ..store.db import redact
    from ..store.migrate import upgrade

    db = database()
    result = upgrade(db)
    where = redact(db.uri)
    if result["from"] == result["to"]:
        print(f"{where} is already at the newest schema ({result['to']}).")
        return 0
    print(f"Upgraded {where} from schema {result['from'] or 'none'} to {result['to']}.")
    if result.get("backup"):
        print(f"The database before the upgrade is saved at {result['backup']}.")
    elif result["from"] is not None and not db.is_sqlite:
        print("No backup was made automatically for this database (keep your pg_dump).")
    return 0


def cmd_gc(args) -> int:
    from ..store import open_store
    from ..store.gc import collect_garbage

    result = collect_garbage(open_store(), grace_seconds=args.grace_minutes * 60,
                             dry_run=args.dry_run)
    if args.json:
        print_json(result)
        return 0
    if args.dry_run:
        for blob in result["blobs"]:
            print(blob)
        print(f"Would delete {result['deleted']} unreferenced blob(s); {result['kept']} kept.")
    else:
        print(f"Deleted {result['deleted']} unreferenced blob(s); {result['kept']} kept.")
    return 0


def database():
    """The database alone, not migrated on open (so `db current` reports what is there)."""
    from .. import config
    from ..store.db import Database

    return Database(config.database_uri(config.find_home()),
                    busy_timeout=config.busy_timeout_seconds())
