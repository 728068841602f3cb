"""``intake hours``: is support open, and when does that change?

The clock is read here, at the edge; ``intake.hours`` only ever answers for a given instant.
"""

import argparse
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.errors import UserFacingError
from bot.policy_file import load_policy
from bot.settings import load_settings
from intake.hours import (
    current_window,
    describe_window_end,
    describe_window_start,
    next_window,
)


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "hours",
        help="show whether support is open and when that changes",
        description="Show whether support is open now (or at --at) and when the next support "
        "window starts, or when the current one closes.",
    )
    parser.add_argument(
        "--at",
        metavar="ISO-8601",
        help="answer for this instant (1970 to 9998) instead of now, e.g. "
        "2026-11-27T17:30-05:00; a time without an offset is read in the support time zone "
        "(if it falls twice on the autumn DST change, the first occurrence; one skipped in "
        "spring is refused)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    hours = load_policy(load_settings().policy_file).hours
    zone = hours.zone
    now = datetime.now(zone) if args.at is None else parse_instant(args.at, zone, "--at")
    try:
        window = current_window(hours, now)
        upcoming = window if window is not None else next_window(hours, now)
    except (ValueError, OverflowError):
        raise _too_far("--at", args.at) from None
    if args.json:
        report: dict[str, object] = {"open": window is not None, "now": now.isoformat()}
        if window is not None:
            report["closes_at"] = window.closes_at.isoformat()
        else:
            report["next_open"] = upcoming.opens_at.isoformat()
        print(json.dumps(report))
    elif window is not None:
        print(f"Support is open until {describe_window_end(window, now)}.")
    else:
        print(f"Support is closed. Next support window: {describe_window_start(upcoming, now)}.")
    return 0


# The IANA time-zone data is only kept accurate from 1970 on; before that Toronto, say, is
# answered in local mean time (-05:17:32). No support question is about earlier instants.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def parse_instant(value: str, zone: ZoneInfo, option: str) -> datetime:
    """Read a time given as ``option``; a naive value is a wall-clock time in the support zone,
    as a person in the team would say it."""
    example = "e.g. 2026-11-27T17:30 or 2026-11-27T17:30-05:00"
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UserFacingError(
            f"{option} {value!r} is not an ISO-8601 date and time ({example})"
        ) from None
    instant = parsed if parsed.tzinfo is not None else _wall_clock(parsed, zone, value, option)
    if instant < EARLIEST:
        raise _too_far(option, value)
    return instant


def _wall_clock(parsed: datetime, zone: ZoneInfo, value: str, option: str) -> datetime:
    """``parsed`` as the support zone's clocks show it; one skipped in spring is refused."""
    local = parsed.replace(tzinfo=zone)
    try:
        round_trip = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        raise _too_far(option, value) from None
    if round_trip != parsed:
        raise UserFacingError(
            f"{option} {value!r} does not exist in {zone.key} (clocks skip that hour); "
            "give an offset or another time"
        )
    return local


def _too_far(option: str, value: str) -> UserFacingError:
    return UserFacingError(f"{option} {value!r} is out of range: give a time from 1970 to 9998")
