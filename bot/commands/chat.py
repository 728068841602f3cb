"""``intake chat``: be the customer in the terminal."""

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.app import build_app, utc_now
from bot.commands.hours import parse_instant
from bot.commands.kb import add_kb_dir_option, with_kb_dir
from bot.console import chat
from bot.errors import UserFacingError
from bot.policy_file import load_policy
from bot.settings import load_settings
from storage.database import shown


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "chat",
        help="chat with the intake bot as a customer",
        description="Chat as a customer. Reads one message per line (piped input works too).",
    )
    parser.add_argument("--user", default=None, help="your name as a customer (default: login)")
    parser.add_argument(
        "--now",
        metavar="ISO-8601",
        help="pretend the chat starts at this time (to see out-of-hours behaviour), e.g. "
        "2026-11-27T18:30; without an offset it is read in the support time zone",
    )
    add_kb_dir_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = with_kb_dir(load_settings(), args.kb_dir)
    zone = load_policy(settings.policy_file).hours.zone
    clock = utc_now if args.now is None else _shifted_clock(parse_instant(args.now, zone, "--now"))
    app = build_app(settings, scripted=True)
    if args.user is not None and not args.user.strip():
        raise UserFacingError("--user is empty: give the name to chat as, or leave it out")
    user = (args.user or _login()).strip() or "customer"
    print(
        f"MyCartPro Intake — chatting as {user}. Database: {shown(app.settings.database)}. "
        "Type help for commands; Ctrl-C or Ctrl-D to quit.",
        file=sys.stderr,
    )
    try:
        asyncio.run(chat(app, user, clock))
    except KeyboardInterrupt:
        # After the ^C the terminal echoed; the CLI then exits with 130, as for any Ctrl-C.
        print("\nBye! Run intake chat again to pick up where you left off.", file=sys.stderr)
        raise
    finally:
        app.close()
    return 0


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "customer"


def _shifted_clock(start: datetime) -> Callable[[], datetime]:
    offset: timedelta = start - utc_now()
    return lambda: utc_now() + offset
