"""The ``intake`` command: one sub-command per module in ``bot.commands``."""

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import version
from typing import NoReturn

from bot.commands import COMMANDS
from bot.errors import UserFacingError

_PACKAGE = "mycartpro-intake"
# Exit codes a shell reports for a process ended by a signal: 128 + the signal's number.
EXIT_INTERRUPTED = 130  # SIGINT, Ctrl-C
EXIT_BROKEN_PIPE = 141  # SIGPIPE: whoever read the output stopped, e.g. ``| head``


class _Parser(argparse.ArgumentParser):
    """A usage error is one line, like every other ``intake`` error, and says where the help
    is; still exit 2. Sub-command parsers are built from this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"intake: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="intake",
        description="MyCartPro Intake: support tickets from Slack, Discord and the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"intake {version(_PACKAGE)}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # argparse blames the top parser; the sub-command's --help lists its options
        _chosen(parser, args).error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        exit_code: int = args.handler(args)
    except UserFacingError as error:
        print(f"intake: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``intake tickets show … | head``): stop quietly. Whatever is
        # still buffered for stdout goes to devnull, or flushing it at exit fails once more.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    return exit_code


def _chosen(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The innermost sub-command parser that ``args`` went through (``intake kb search``)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            name = getattr(args, action.dest, None)
            if isinstance(name, str) and name in action.choices:
                return _chosen(action.choices[name], args)
    return parser


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout (a test's capture): nothing to silence
        pass


if __name__ == "__main__":
    sys.exit(main())
