"""The ``intake`` command: one sub-command per module in ``bot.commands``."""

import argparse
import os
import sys
from collections.abc import Sequence

from bot.commands import COMMANDS
from bot.errors import UserFacingError

# Exit codes a shell reports for a process ended by a signal: 128 + the signal's number.
EXIT_INTERRUPTED = 130  # SIGINT, Ctrl-C
EXIT_BROKEN_PIPE = 141  # SIGPIPE: whoever read the output stopped, e.g. ``| head``


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intake",
        description="MyCartPro Intake: support tickets from Slack, Discord and the terminal.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout (a test's capture): nothing to silence
        pass


if __name__ == "__main__":
    sys.exit(main())
