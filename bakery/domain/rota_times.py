"""The rota's times: a shift is a local date and wall-clock minutes; its instants are UTC.

A time past 1440 minutes is the next day's wall clock; instants come from zoneinfo, so a shift
across a clock change in the shop's timezone has its true length.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_MINUTES = 1440
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ShiftTimeError(ValueError):
    """Times that do not make a shift (end before start, longer than a day, off the clock)."""


def monday_of(day: date) -> date:
    """The Monday that starts the rota week holding `day`."""
    return day - timedelta(days=day.weekday())


def check_times(start_minute: int, end_minute: int) -> None:
    """Rule: a shift starts within its day (0-1439) and ends after it starts, at most 24 hours
    later (an end past 1440 is the next day's wall clock)."""
    if not 0 <= start_minute < DAY_MINUTES:
        raise ShiftTimeError("A shift must start between 00:00 and 23:59.")
    if end_minute <= start_minute:
        raise ShiftTimeError("A shift must end after it starts.")
    if end_minute > start_minute + DAY_MINUTES:
        raise ShiftTimeError("A shift cannot be longer than 24 hours.")


def shift_instants(day: date, start_minute: int, end_minute: int, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants a shift starts and ends, from its local day and wall-clock minutes.

    Rule: wall-clock times are read in the shop's timezone on their own date, so a shift across a
    clock change has its true length. A time that does not exist (01:30 on the spring-forward
    night) is read with the offset before the change; a time that happens twice (01:30 on the
    autumn night) is its first occurrence. A shift wholly inside the hour the clocks skip has no
    length and is refused.
    """
    check_times(start_minute, end_minute)
    zone = ZoneInfo(timezone)

    def at(minute: int) -> datetime:
        local_day = day + timedelta(days=minute // DAY_MINUTES)
        rest = minute % DAY_MINUTES
        wall = datetime.combine(local_day, time(rest // 60, rest % 60), tzinfo=zone)
        return wall.astimezone(UTC)

    starts_at, ends_at = at(start_minute), at(end_minute)
    if ends_at <= starts_at:
        raise ShiftTimeError("That shift has no length: the clocks go forward in it.")
    return starts_at, ends_at


def clock_text(minute: int) -> str:
    """A wall-clock minute as "HH:MM" ("06:00 next day" past midnight)."""
    rest = minute % DAY_MINUTES
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{text} next day" if minute >= DAY_MINUTES else text


def parse_clock(text: str) -> int:
    """Rule: "H:MM" or "HH:MM" (24-hour, ASCII digits) is minutes after midnight; "24:00" ends the day.

    Raises ShiftTimeError with a plain message for anything else.
    """
    value = text.strip()
    hours, sep, minutes = value.partition(":")
    digits = value.isascii() and hours.isdigit() and minutes.isdigit()
    if sep != ":" or not digits or len(minutes) != 2 or len(hours) > 2:
        raise ShiftTimeError(f"“{value[:20]}” is not a time: write it like 07:30.")
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m != 0):
        raise ShiftTimeError(f"“{value[:20]}” is not a time of day.")
    return h * 60 + m


def span_minutes(start_minute: int, end_minute: int) -> tuple[int, int]:
    """A shift's start and end minute, where an end before the start is the next day's (an end
    equal to the start is refused: a shift is never 0 or exactly 24 hours by accident)."""
    if end_minute == start_minute:
        raise ShiftTimeError("A shift must end after it starts.")
    if end_minute < start_minute:
        end_minute += DAY_MINUTES
    check_times(start_minute, end_minute)
    return start_minute, end_minute
