"""``intake db upgrade``: create or upgrade the schema (``serve`` and ``chat`` do it too)."""

import argparse

from bot.app import upgraded_database
from bot.settings import load_settings
from storage.database import shown


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser("db", help="database maintenance")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("upgrade", help="apply every pending migration").set_defaults(handler=run)


_DONE = {
    "created": "Database created",
    "upgraded": "Database upgraded to the newest schema",
    "current": "Database is up to date",
}


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    engine, done = upgraded_database(settings.database)
    engine.dispose()
    print(f"{_DONE[done]}: {shown(settings.database)}")
    return 0
