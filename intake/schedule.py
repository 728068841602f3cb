"""Support hours in words, for the out-of-hours greeting."""

from intake.hours import SupportHours

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ZONE_NAMES = {"America/Toronto": "Eastern", "America/New_York": "Eastern"}


def describe_schedule(hours: SupportHours) -> str:
    """ "Monday to Friday, 9:00 AM to 5:00 PM Eastern" (a run of days, or a list)."""
    days = sorted(hours.weekdays)
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        day_text = f"{_DAYS[days[0]]} to {_DAYS[days[-1]]}"
    else:
        day_text = ", ".join(_DAYS[day] for day in days)
    zone = _ZONE_NAMES.get(hours.timezone, hours.timezone)
    return f"{day_text}, {_clock(hours.opens.hour, hours.opens.minute)} to " + (
        f"{_clock(hours.closes.hour, hours.closes.minute)} {zone}"
    )


def _clock(hour: int, minute: int) -> str:
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12}:{minute:02d} {suffix}"
