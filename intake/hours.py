"""Business hours: when the support team is at work, and when it will be next.

Everything here is pure: the caller passes the current instant in, so the same question always
gets the same answer and tests never wait for a clock.

Daylight saving time is handled by building each day's window from local wall-clock times with
``zoneinfo`` and comparing instants, never by adding hours to a local time: on 2026-03-08 02:30
does not exist in Toronto and on 2026-11-01 01:30 happens twice. A wall time that falls in a
spring-forward gap is pushed forward by the gap; an ambiguous one means its first occurrence.
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from types import MappingProxyType
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

_SEARCH_DAYS = 3660
"""How far ahead ``next_window`` looks before giving up (ten years of closures is a bad config)."""

# North America's zones by the names people say; elsewhere a zone's abbreviation ("CET") or,
# where it has none ("-03" in São Paulo), its city's time.
_ZONE_NAMES = {
    key: name
    for name, keys in {
        "Eastern": "Toronto New_York Montreal Detroit Nassau Indiana/Indianapolis Iqaluit",
        "Central": "Chicago Winnipeg Regina Mexico_City",
        "Mountain": "Denver Edmonton Phoenix Boise",
        "Pacific": "Los_Angeles Vancouver Tijuana",
        "Atlantic": "Halifax Moncton Puerto_Rico",
        "Newfoundland": "St_Johns",
        "Alaska": "Anchorage",
    }.items()
    for key in (f"America/{city}" for city in keys.split())
} | {"Pacific/Honolulu": "Hawaii"}
"""Names customers recognise; other zones fall back to their abbreviation (``%Z``)."""

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class SupportHours(BaseModel):
    """The admin-editable support schedule: one window per open day, in one time zone.

    Holidays come from the ``holidays`` package (observed days included), so a statutory
    holiday moved to a Monday closes that Monday. ``holiday_categories`` can add the package's
    optional days (e.g. ``"optional"`` adds Ontario's Civic Holiday and Easter Monday).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "America/Toronto"
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holiday_country: str = "CA"
    holiday_subdivision: str | None = "ON"
    holiday_categories: frozenset[str] = frozenset({"public"})
    extra_closures: frozenset[date] = frozenset()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value

    @field_validator("opens", "closes", mode="before")
    @classmethod
    def _unquoted(cls, value: object) -> object:
        """YAML reads an unquoted 16:30 as the number 990 (base 60, minutes): that time."""
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            return time(value // 60, value % 60)
        return value

    @field_validator("opens", "closes")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("give a wall-clock time; the time zone is set by 'timezone'")
        return value

    @field_validator("weekdays")
    @classmethod
    def _valid_weekdays(cls, value: frozenset[int]) -> frozenset[int]:
        if not value:
            raise ValueError("at least one weekday must be open")
        if not value <= set(range(7)):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.opens >= self.closes:
            raise ValueError("opens must be earlier than closes")
        try:
            _holidays(
                self.holiday_country,
                self.holiday_subdivision,
                tuple(sorted(self.holiday_categories)),
                2000,
            )
        except (NotImplementedError, ValueError) as error:
            raise ValueError(f"holiday settings not supported: {error}") from None
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Window(BaseModel):
    """One stretch of open hours, as aware datetimes in the support time zone.

    Python compares and subtracts two datetimes that share a tzinfo by wall clock, so convert
    to UTC before measuring a window that spans a DST change.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    opens_at: datetime
    closes_at: datetime

    @model_validator(mode="after")
    def _aware_and_ordered(self) -> Self:
        _require_aware(self.opens_at, "opens_at")
        _require_aware(self.closes_at, "closes_at")
        if _utc(self.opens_at) >= _utc(self.closes_at):
            raise ValueError("a window must open before it closes")
        return self

    def covers(self, at: datetime) -> bool:
        """Whether support is staffed at ``at`` in this window (the closing minute is closed):
        one calendar scan (``next_window``) answers both "open now?" and "open when?"."""
        return _utc(self.opens_at) <= _utc(at) < _utc(self.closes_at)


def is_open(hours: SupportHours, at: datetime) -> bool:
    """Whether support is staffed at the instant ``at`` (the closing minute is closed)."""
    return current_window(hours, at) is not None


def current_window(hours: SupportHours, at: datetime) -> Window | None:
    """The window open at ``at``, or None when support is closed."""
    window = next_window(hours, at)
    return window if window.covers(at) else None


def next_window(hours: SupportHours, at: datetime) -> Window:
    """The window open at ``at``, or else the next one to open.

    Raises ValueError for a naive ``at`` (we cannot guess its zone) or when nothing opens
    within ten years.
    """
    _require_aware(at, "at")
    instant = _utc(at)
    start = at.astimezone(hours.zone).date()
    for offset in range(_SEARCH_DAYS):
        window = window_on(hours, start + timedelta(days=offset))
        if window is not None and _utc(window.closes_at) > instant:
            return window
    raise ValueError("support never opens within ten years; check the support hours")


def window_on(hours: SupportHours, day: date) -> Window | None:
    """The window on the local calendar ``day``, or None when support is closed all day."""
    if day.weekday() not in hours.weekdays or closure_on(hours, day) is not None:
        return None
    zone = hours.zone
    opens_at = _local(day, hours.opens, zone)
    closes_at = _local(day, hours.closes, zone)
    # A window that starts inside a spring-forward gap can be squeezed to nothing.
    if _utc(opens_at) >= _utc(closes_at):
        return None
    return Window(opens_at=opens_at, closes_at=closes_at)


def closure_on(hours: SupportHours, day: date) -> str | None:
    """Why support is closed on ``day`` beyond the weekly schedule: the holiday's name, or
    "a planned closure"; None on an ordinary day. Customers told "it's outside our hours" on
    a Monday deserve to hear it's Victoria Day."""
    if day in hours.extra_closures:
        return "a planned closure"
    categories = tuple(sorted(hours.holiday_categories))
    return _holidays(hours.holiday_country, hours.holiday_subdivision, categories, day.year).get(
        day
    )


def closures_until(hours: SupportHours, now: datetime, window: Window) -> list[str]:
    """The closures of working days after today and before ``window`` opens, each named
    once: why a customer on Christmas Eve waits until Tuesday."""
    zone = hours.zone
    first = now.astimezone(zone).date() + timedelta(days=1)
    last = window.opens_at.astimezone(zone).date()
    names: list[str] = []
    for _, name in closures_between(hours, first, last):
        if name not in names:
            names.append(name)
    return names


def closures_between(hours: SupportHours, first: date, last: date) -> list[tuple[date, str]]:
    """The working days from ``first`` up to (not including) ``last`` that are closed, and
    why (a holiday's name)."""
    found: list[tuple[date, str]] = []
    day = first
    while day < last:
        name = closure_on(hours, day) if day.weekday() in hours.weekdays else None
        if name is not None:
            found.append((day, name))
        day += timedelta(days=1)
    return found


def holidays_between(hours: SupportHours, first: date, last: date) -> list[tuple[date, str]]:
    """Every holiday the country's calendar knows from ``first`` up to (not including)
    ``last``, whether support closes for it or not: the days a customer may ask about by name
    ("are you open on Easter Monday?")."""
    country, subdivision = hours.holiday_country, hours.holiday_subdivision
    categories = _known_categories(country, subdivision)
    return [
        (day, name)
        for year in range(first.year, last.year + 1)
        for day, name in sorted(_holidays(country, subdivision, categories, year).items())
        if first <= day < last
    ]


def window_after(hours: SupportHours, day: date) -> Window:
    """The first window once ``day`` is over."""
    return next_window(hours, _local(day + timedelta(days=1), time(0), hours.zone))


def describe_day(day: date, now: datetime) -> str:
    """ "Saturday, November 28", the year added when it is not ``now``'s."""
    text = f"{_WEEKDAYS[day.weekday()]}, {_MONTHS[day.month - 1]} {day.day}"
    return text if day.year == now.year else f"{text}, {day.year}"


def describe_hours(window: Window) -> str:
    """ "9:00 AM to 5:00 PM Eastern": one day's window."""
    opens, closes = window.opens_at, window.closes_at
    zone = opens.tzinfo
    assert zone is not None  # Window guarantees aware datetimes
    return (
        f"{_clock(opens.hour, opens.minute)} to {_clock(closes.hour, closes.minute)} "
        f"{_zone_name(opens, zone)}"
    )


def describe_time(hours: SupportHours, at: datetime, now: datetime) -> str:
    """``at`` in the support time zone, as the other descriptions read."""
    return _describe(at.astimezone(hours.zone), now)


def describe_window_start(window: Window, now: datetime) -> str:
    """Customer-facing opening time, e.g. ``Monday, November 30 at 9:00 AM Eastern``.

    Always the weekday and date (never "today"/"tomorrow", which go stale in a transcript);
    the year is added only when it differs from ``now``'s.
    """
    return _describe(window.opens_at, now)


def describe_window_end(window: Window, now: datetime) -> str:
    """Customer-facing closing time, in the same form as ``describe_window_start``."""
    return _describe(window.closes_at, now)


def _describe(at: datetime, now: datetime) -> str:
    _require_aware(now, "now")
    zone = at.tzinfo
    assert zone is not None  # Window guarantees aware datetimes
    day = describe_day(at.date(), now.astimezone(zone))
    return f"{day} at {_clock(at.hour, at.minute)} {_zone_name(at, zone)}"


def describe_schedule(hours: SupportHours) -> str:
    """ "Monday to Friday, 9:00 AM to 5:00 PM Eastern" (a run of days, or a list)."""
    days = sorted(hours.weekdays)
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        day_text = f"{_WEEKDAYS[days[0]]} to {_WEEKDAYS[days[-1]]}"
    else:
        day_text = ", ".join(_WEEKDAYS[day] for day in days)
    opens = _clock(hours.opens.hour, hours.opens.minute)
    closes = _clock(hours.closes.hour, hours.closes.minute)
    zone = _ZONE_NAMES.get(hours.timezone) or _city_time(hours.timezone)
    return f"{day_text}, {opens} to {closes} {zone}"


def _clock(hour: int, minute: int) -> str:
    return f"{(hour % 12) or 12}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def _zone_name(at: datetime, zone: tzinfo) -> str:
    key = getattr(zone, "key", None)
    if isinstance(key, str) and key in _ZONE_NAMES:
        return _ZONE_NAMES[key]
    abbreviation = at.strftime("%Z")
    return abbreviation if abbreviation.isalpha() or not isinstance(key, str) else _city_time(key)


def _city_time(key: str) -> str:
    """ "America/Sao_Paulo" as "Sao Paulo time"; "UTC" as itself."""
    city = key.rsplit("/", 1)[-1].replace("_", " ")
    return city if city.isupper() else f"{city} time"


def _local(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The instant a wall clock in ``zone`` shows ``wall`` on ``day``, normalised.

    The UTC round trip turns a non-existent time (spring-forward gap) into the real instant
    with the right offset, so results compare and print correctly.
    """
    naive = datetime.combine(day, wall)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _utc(value: datetime) -> datetime:
    """The instant itself: same-zone datetimes otherwise compare by wall clock, ignoring fold."""
    return value.astimezone(UTC)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@lru_cache(maxsize=16)
def _known_categories(country: str, subdivision: str | None) -> tuple[str, ...]:
    return tuple(holidays.country_holidays(country, subdiv=subdivision).supported_categories)


@lru_cache(maxsize=256)
def _holidays(
    country: str, subdivision: str | None, categories: tuple[str, ...], year: int
) -> Mapping[date, str]:
    """Holidays (observed days included) that fall in ``year``, with their names.

    Neighbouring years are asked too, so a holiday observed across New Year lands in the
    right year.
    """
    calendar = holidays.country_holidays(
        country, subdiv=subdivision, years=(year - 1, year, year + 1), categories=categories
    )
    return MappingProxyType({day: name for day, name in calendar.items() if day.year == year})
