from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from intake.hours import (
    SupportHours,
    Window,
    current_window,
    describe_schedule,
    describe_window_end,
    describe_window_start,
    is_open,
    next_window,
    window_on,
)

TORONTO = ZoneInfo("America/Toronto")
HOURS = SupportHours()
EVERY_DAY = frozenset(range(7))


def local(text: str, zone: ZoneInfo = TORONTO, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone, fold=fold)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time between two instants (same-zone subtraction would use wall-clock time)."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def opens(at: datetime, hours: SupportHours = HOURS) -> datetime:
    return next_window(hours, at).opens_at


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-11-26T08:59:59", False),
        ("2026-11-26T09:00", True),
        ("2026-11-26T16:59", True),
        ("2026-11-26T16:59:59.999999", True),
        ("2026-11-26T17:00", False),
        ("2026-11-26T23:30", False),
        ("2026-11-28T12:00", False),  # Saturday
        ("2026-11-29T12:00", False),  # Sunday
    ],
)
def test_open_between_nine_and_five_on_weekdays(at: str, expected: bool) -> None:
    assert is_open(HOURS, local(at)) is expected


def test_current_window_is_the_day_in_the_support_zone() -> None:
    window = current_window(HOURS, local("2026-11-26T12:00"))
    assert window == Window(opens_at=local("2026-11-26T09:00"), closes_at=local("2026-11-26T17:00"))
    assert current_window(HOURS, local("2026-11-26T17:00")) is None


def test_next_window_while_open_is_the_current_one() -> None:
    at = local("2026-11-26T10:15")
    assert next_window(HOURS, at) == current_window(HOURS, at)


def test_friday_after_hours_waits_for_monday() -> None:
    friday_close = local("2026-11-27T17:00")
    window = next_window(HOURS, friday_close)
    assert window.opens_at == local("2026-11-30T09:00")
    assert window.closes_at == local("2026-11-30T17:00")
    assert describe_window_start(window, friday_close) == "Monday, November 30 at 9:00 AM Eastern"


def test_before_opening_the_next_window_is_today() -> None:
    assert opens(local("2026-11-26T06:00")) == local("2026-11-26T09:00")


def test_instants_in_any_zone_compare_with_the_support_zone() -> None:
    # 22:00 UTC on Friday 27 November is 17:00 in Toronto: closed.
    at = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
    assert not is_open(HOURS, at)
    assert opens(at) == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    assert is_open(HOURS, datetime(2026, 11, 27, 21, 59, tzinfo=UTC))


def test_returned_windows_are_in_the_support_zone() -> None:
    window = next_window(HOURS, datetime(2026, 11, 27, 22, 0, tzinfo=UTC))
    assert window.opens_at.tzinfo == TORONTO
    assert window.opens_at.isoformat() == "2026-11-30T09:00:00-05:00"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(HOURS, datetime(2026, 11, 26, 12, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        next_window(HOURS, datetime(2026, 11, 26, 12, 0))


# Holidays, as the `holidays` package gives them for Ontario (public category) in 2026:
# Jan 1, Family Day Feb 16, Good Friday Apr 3, Victoria Day May 18, Canada Day Jul 1,
# Labour Day Sep 7, Thanksgiving Oct 12, Christmas Dec 25 (Fri), Boxing Day Dec 26 (Sat)
# observed Mon Dec 28. Civic Holiday (Aug 3) and Easter Monday are "optional" only.


def test_christmas_and_observed_boxing_day_close_until_tuesday() -> None:
    window = next_window(HOURS, local("2026-12-24T17:00"))
    assert window.opens_at == local("2026-12-29T09:00")
    for day in ("2026-12-25", "2026-12-28"):
        assert not is_open(HOURS, local(f"{day}T12:00"))


@pytest.mark.parametrize(
    ("after", "reopens"),
    [
        ("2026-02-13T17:00", "2026-02-17T09:00"),  # Family Day
        ("2026-04-02T17:00", "2026-04-06T09:00"),  # Good Friday; Easter Monday is open
        ("2026-05-15T17:00", "2026-05-19T09:00"),  # Victoria Day
        ("2026-06-30T17:00", "2026-07-02T09:00"),  # Canada Day (a Wednesday)
        ("2026-09-04T17:00", "2026-09-08T09:00"),  # Labour Day
        ("2026-10-09T17:00", "2026-10-13T09:00"),  # Thanksgiving
        ("2026-12-31T17:00", "2027-01-04T09:00"),  # New Year's Day 2027 is a Friday
        ("2026-07-31T17:00", "2026-08-03T09:00"),  # Civic Holiday is not statutory in Ontario
    ],
)
def test_long_weekends(after: str, reopens: str) -> None:
    assert opens(local(after)) == local(reopens)


def test_optional_holidays_can_be_turned_on() -> None:
    hours = SupportHours(holiday_categories=frozenset({"public", "optional"}))
    assert opens(local("2026-07-31T17:00"), hours) == local("2026-08-04T09:00")
    assert not is_open(hours, local("2026-04-06T12:00"))  # Easter Monday


def test_holidays_follow_the_configured_subdivision() -> None:
    # Family Day is not a holiday in Quebec; Saint-Jean-Baptiste (June 24) is.
    quebec = SupportHours(holiday_subdivision="QC")
    assert is_open(quebec, local("2026-02-16T12:00"))
    assert not is_open(quebec, local("2026-06-24T12:00"))
    assert is_open(HOURS, local("2026-06-24T12:00"))


def test_extra_closures() -> None:
    hours = SupportHours(extra_closures=frozenset({date(2026, 11, 30), date(2026, 12, 1)}))
    assert opens(local("2026-11-27T17:00"), hours) == local("2026-12-02T09:00")
    assert not is_open(hours, local("2026-11-30T12:00"))


def test_spring_forward_day() -> None:
    hours = SupportHours(weekdays=EVERY_DAY)
    # 2026-03-08: Toronto clocks jump from 02:00 EST to 03:00 EDT.
    window = next_window(hours, datetime(2026, 3, 8, 6, 30, tzinfo=UTC))  # 01:30 EST
    assert window.opens_at.isoformat() == "2026-03-08T09:00:00-04:00"
    assert elapsed(window.opens_at, window.closes_at) == timedelta(hours=8)
    # Saturday 17:00 EST to Monday 09:00 EDT is 39 real hours, not 40.
    saturday_close = local("2026-03-07T17:00")
    monday = opens(saturday_close)
    assert monday == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert elapsed(saturday_close, monday) == timedelta(hours=39)


def test_spring_forward_gap_inside_the_window() -> None:
    night = SupportHours(opens=time(1, 0), closes=time(3, 0), weekdays=EVERY_DAY)
    window = window_on(night, date(2026, 3, 8))
    assert window is not None
    assert elapsed(window.opens_at, window.closes_at) == timedelta(hours=1)
    assert window.opens_at.isoformat() == "2026-03-08T01:00:00-05:00"
    assert window.closes_at.isoformat() == "2026-03-08T03:00:00-04:00"
    # 02:30 does not exist that night; the same instant reads 03:30 EDT, after closing.
    assert not is_open(night, local("2026-03-08T02:30"))
    assert is_open(night, datetime(2026, 3, 8, 6, 59, tzinfo=UTC))


def test_opening_inside_the_spring_gap_opens_when_clocks_reach_it() -> None:
    hours = SupportHours(opens=time(2, 30), closes=time(5, 0), weekdays=EVERY_DAY)
    window = window_on(hours, date(2026, 3, 8))
    assert window is not None
    assert window.opens_at.isoformat() == "2026-03-08T03:30:00-04:00"


def test_fall_back_day() -> None:
    hours = SupportHours(weekdays=EVERY_DAY)
    window = window_on(hours, date(2026, 11, 1))
    assert window is not None
    assert window.opens_at.isoformat() == "2026-11-01T09:00:00-05:00"
    assert elapsed(window.opens_at, window.closes_at) == timedelta(hours=8)
    # Both 01:30s (EDT, then EST) are before the 09:00 opening.
    first, second = local("2026-11-01T01:30"), local("2026-11-01T01:30", fold=1)
    assert elapsed(first, second) == timedelta(hours=1)
    assert opens(first, hours) == opens(second, hours) == window.opens_at


def test_fall_back_repeated_hour_inside_the_window() -> None:
    night = SupportHours(opens=time(1, 0), closes=time(3, 0), weekdays=EVERY_DAY)
    window = window_on(night, date(2026, 11, 1))
    assert window is not None
    assert elapsed(window.opens_at, window.closes_at) == timedelta(hours=3)
    assert is_open(night, local("2026-11-01T01:30", fold=1))  # the second 01:30 (EST)
    # Friday 17:00 EDT to Monday 09:00 EST is 65 real hours.
    friday = local("2026-10-30T17:00")
    assert elapsed(friday, opens(friday)) == timedelta(hours=65)


def test_the_repeated_hour_is_told_apart() -> None:
    # Open 01:00-01:45 EDT; the second 01:30 (EST) is an hour after closing.
    short = SupportHours(opens=time(1, 0), closes=time(1, 45), weekdays=EVERY_DAY)
    assert is_open(short, local("2026-11-01T01:30", fold=0))
    assert not is_open(short, local("2026-11-01T01:30", fold=1))
    assert opens(local("2026-11-01T01:30", fold=1), short) == local("2026-11-02T01:00")


def test_non_default_timezone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    hours = SupportHours(
        timezone="Europe/Berlin",
        opens=time(8, 30),
        closes=time(16, 0),
        holiday_country="DE",
        holiday_subdivision="BE",
    )
    at = datetime(2026, 12, 23, 16, 0, tzinfo=berlin)
    window = next_window(hours, at)
    assert window.opens_at == datetime(2026, 12, 24, 8, 30, tzinfo=berlin)
    assert describe_window_start(window, at) == "Thursday, December 24 at 8:30 AM CET"
    # Christmas Day and St Stephen's Day (Saturday): next after the 24th is Monday the 28th.
    assert opens(window.closes_at, hours) == datetime(2026, 12, 28, 8, 30, tzinfo=berlin)
    # Summer time shows its own abbreviation.
    summer = next_window(hours, datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert describe_window_end(summer, summer.opens_at) == "Wednesday, July 1 at 4:00 PM CEST"


@pytest.mark.parametrize(
    ("zone", "schedule", "opening"),
    [
        ("America/Vancouver", "Pacific", "Pacific"),
        ("America/Sao_Paulo", "Sao Paulo time", "Sao Paulo time"),  # its abbreviation is "-03"
        ("Europe/Berlin", "Berlin time", "CET"),
        ("UTC", "UTC", "UTC"),
    ],
)
def test_a_time_zone_reads_as_people_name_it_never_as_its_id(
    zone: str, schedule: str, opening: str
) -> None:
    hours = SupportHours(timezone=zone, holiday_subdivision=None)
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert describe_schedule(hours) == f"Monday to Friday, 9:00 AM to 5:00 PM {schedule}"
    window = next_window(hours, now)
    assert describe_window_start(window, now) == f"Monday, November 30 at 9:00 AM {opening}"


def test_describe_adds_the_year_only_when_it_changes() -> None:
    at = local("2026-12-31T17:00")
    window = next_window(HOURS, at)
    assert describe_window_start(window, at) == "Monday, January 4, 2027 at 9:00 AM Eastern"
    assert describe_window_start(window, window.opens_at) == "Monday, January 4 at 9:00 AM Eastern"


def test_describe_afternoon_and_noon() -> None:
    hours = SupportHours(opens=time(12, 0), closes=time(13, 5))
    window = next_window(hours, local("2026-11-26T00:00"))
    now = local("2026-11-26T00:00")
    assert describe_window_start(window, now) == "Thursday, November 26 at 12:00 PM Eastern"
    assert describe_window_end(window, now) == "Thursday, November 26 at 1:05 PM Eastern"


@pytest.mark.parametrize(
    "settings_",
    [
        {"timezone": "Mars/Olympus"},
        {"opens": time(17, 0), "closes": time(9, 0)},
        {"opens": time(9, 0), "closes": time(9, 0)},
        {"weekdays": frozenset()},
        {"weekdays": frozenset({7})},
        {"holiday_country": "XX"},
        {"holiday_subdivision": "ZZ"},
        {"holiday_categories": frozenset({"bogus"})},
        {"opens_at": time(9, 0)},
    ],
)
def test_invalid_settings_are_refused(settings_: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SupportHours.model_validate(settings_)


def test_settings_are_frozen() -> None:
    with pytest.raises(ValidationError):
        HOURS.opens = time(8, 0)  # type: ignore[misc]


def test_settings_load_from_plain_config_values() -> None:
    hours = SupportHours.model_validate(
        {"opens": "08:00", "weekdays": [0, 2, 4], "extra_closures": ["2026-12-24"]}
    )
    assert hours.opens == time(8, 0)
    assert hours.weekdays == frozenset({0, 2, 4})
    assert date(2026, 12, 24) in hours.extra_closures


ZONES = [UTC, TORONTO, ZoneInfo("Asia/Kolkata"), ZoneInfo("Pacific/Auckland")]
SCHEDULES = [
    HOURS,
    SupportHours(weekdays=EVERY_DAY, opens=time(1, 0), closes=time(2, 30)),
    SupportHours(weekdays=EVERY_DAY, opens=time(1, 15), closes=time(1, 45)),
    SupportHours(weekdays=frozenset({5}), holiday_categories=frozenset({"public", "optional"})),
]


@settings(max_examples=300, deadline=None)
@given(
    at=st.datetimes(
        min_value=datetime(2020, 1, 1),
        max_value=datetime(2035, 12, 31),
        timezones=st.sampled_from(ZONES),
    ),
    hours=st.sampled_from(SCHEDULES),
)
def test_next_window_properties(at: datetime, hours: SupportHours) -> None:
    window = next_window(hours, at)
    instant, opens_at = at.astimezone(UTC), window.opens_at.astimezone(UTC)
    assert opens_at >= instant or is_open(hours, at)
    assert window.closes_at.astimezone(UTC) > instant
    assert is_open(hours, at) == (opens_at <= instant)
    day = window.opens_at.date()
    assert day.weekday() in hours.weekdays
    assert window_on(hours, day) == window  # not a holiday or extra closure
    assert next_window(hours, window.opens_at) == window
    assert is_open(hours, window.opens_at)
    assert not is_open(hours, window.closes_at)
    # Nothing opens between `at` and the window we returned.
    if opens_at > instant:
        assert not is_open(hours, window.opens_at - timedelta(microseconds=1))


def test_the_schedule_and_the_next_opening_name_the_zone_alike() -> None:
    new_york = SupportHours(
        timezone="America/New_York", holiday_country="US", holiday_subdivision="NY"
    )
    at = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)  # Friday evening in New York
    window = next_window(new_york, at)
    assert describe_schedule(new_york) == "Monday to Friday, 9:00 AM to 5:00 PM Eastern"
    assert describe_window_start(window, at) == "Monday, November 30 at 9:00 AM Eastern"
