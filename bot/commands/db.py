"""``intake db upgrade``: create or upgrade the schema (``serve`` and ``chat`` do it too)."""

import argparse

from bot.app import open_database
from bot.settings import load_settings


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser("db", help="database maintenance")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("upgrade", help="apply every pending migration").set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    engine, _ = open_database(settings)
    engine.dispose()
    print(f"Database is up to date: {settings.database}")
    return 0
