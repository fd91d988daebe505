"""Clocked hours: minutes worked, weeks, what a shift may be, and rows for the payroll CSV.

Pure Python: times come in as aware UTC datetimes and a shop timezone name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bakery.domain.clock import business_date, to_local

MAX_SHIFT_MINUTES = 16 * 60
MAX_BREAK_MINUTES = 240
MAX_REASON = 200
MAX_COMMENT = 280
# A correction may move a shift's start by at most this much (a typo must not move it to another year).
MAX_MOVE = timedelta(days=1)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class HoursError(ValueError):
    """A shift, break, week or text that the rules refuse; the message is for the person at the screen."""


def minutes_worked(clock_in: datetime, clock_out: datetime | None, break_minutes: int) -> int:
    """Whole minutes from in to out, less breaks; 0 while still clocked in or if breaks exceed it.

    Rule: the same arithmetic as the SQL aggregate (whole seconds, floor to minutes, never negative).
    """
    if clock_out is None:
        return 0
    return max(int((clock_out - clock_in).total_seconds() // 60) - break_minutes, 0)


def week_start(day: date) -> date:
    """The Monday of the (Mon-Sun) week containing a day."""
    return day - timedelta(days=day.weekday())


def week_bounds(day: date) -> tuple[date, date]:
    """The Monday and the Sunday of the week containing a day."""
    monday = week_start(day)
    return monday, monday + timedelta(days=6)


def parse_week(text: str | None, today: date) -> date:
    """The Monday of the week named by an ISO date (`2026-11-23`, any day of it); this week if blank."""
    if not text:
        return week_start(today)
    try:
        day = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise HoursError("Choose a week by a date such as 2026-11-23.") from exc
    if not date(2000, 1, 3) <= day <= date(2999, 12, 24):
        raise HoursError("Choose a week between the years 2000 and 2999.")
    return week_start(day)


def check_break(break_minutes: int) -> None:
    """A break is a whole number of minutes from 0 to 240."""
    if isinstance(break_minutes, bool) or not 0 <= break_minutes <= MAX_BREAK_MINUTES:
        raise HoursError(f"A break is 0 to {MAX_BREAK_MINUTES} minutes.")


def check_shift(clock_in: datetime, clock_out: datetime | None, break_minutes: int, now: datetime) -> None:
    """Refuse a shift that cannot be right.

    Rule: nothing in the future; out after in; a shift lasts at most 16 hours; the break is 0-240
    minutes and shorter than the shift.
    """
    check_break(break_minutes)
    if clock_in > now:
        raise HoursError("The clock-in time is in the future.")
    if clock_out is None:
        return
    if clock_out > now:
        raise HoursError("The clock-out time is in the future.")
    if clock_out <= clock_in:
        raise HoursError("Clock-out must be after clock-in.")
    length = clock_out - clock_in
    if length > timedelta(minutes=MAX_SHIFT_MINUTES):
        raise HoursError(f"A shift can be at most {MAX_SHIFT_MINUTES // 60} hours.")
    if break_minutes and timedelta(minutes=break_minutes) >= length:
        raise HoursError(f"A {break_minutes}-minute break does not fit in a {duration_text(length)} shift.")


def check_move(original: datetime, corrected: datetime) -> None:
    """A correction may move the start of a shift by at most a day."""
    if abs(corrected - original) > MAX_MOVE:
        raise HoursError("A correction can move a shift's start by at most a day. Check the date.")


def local_moment(day: date, at: time, timezone: str) -> datetime:
    """The UTC instant of a local wall-clock time on a day.

    Rule: a time skipped when the clocks go forward is refused; a time that happens twice when
    they go back means the first (summer-time) one.
    """
    local = datetime.combine(day, at.replace(second=0, microsecond=0, tzinfo=None), tzinfo=ZoneInfo(timezone))
    moment = local.astimezone(UTC)
    if to_local(moment, timezone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise HoursError(f"{at.strftime('%H:%M')} did not happen on {day.isoformat()}: the clocks changed.")
    return moment


def shift_from_local(
    day: date, start: time, end: time | None, timezone: str
) -> tuple[datetime, datetime | None]:
    """A shift typed as a local day, an in time and an out time, as UTC instants.

    Rule: an out time at or before the in time is on the next day (a night bake).
    """
    clock_in = local_moment(day, start, timezone)
    if end is None:
        return clock_in, None
    out_day = day if end > start else day + timedelta(days=1)
    return clock_in, local_moment(out_day, end, timezone)


def clean_text(text: str | None, limit: int, what: str) -> str:
    """Collapse whitespace; refuse empty or over-long text, naming what it is."""
    value = " ".join((text or "").split())
    if not value:
        raise HoursError(f"Give {what}.")
    if len(value) > limit:
        raise HoursError(f"{what[0].upper()}{what[1:]} can be at most {limit} characters.")
    return value


def hours_decimal(minutes: int) -> str:
    """Minutes as decimal hours to two places, rounded half up, in integers only: 450 → "7.50"."""
    sign = "-" if minutes < 0 else ""
    hundredths = (abs(minutes) * 100 + 30) // 60
    return f"{sign}{hundredths // 100}.{hundredths % 100:02d}"


def duration_text(length: timedelta | int) -> str:
    """A length of time for people: "7 h 34 min", "45 min", "8 h"."""
    minutes = length if isinstance(length, int) else int(length.total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if hours and rest:
        return f"{sign}{hours} h {rest} min"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{rest} min"


def csv_cell(text: str) -> str:
    """Text made safe for a spreadsheet: a leading = + - @ would otherwise be run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Shift:
    """A closed shift as payroll sees it: who, when, breaks."""

    name: str
    clock_in: datetime
    clock_out: datetime
    break_minutes: int


PAYROLL_HEADER = ("name", "date", "in", "out", "break", "minutes", "hours")


def payroll_rows(shifts: Iterable[Shift], timezone: str) -> list[tuple[str, ...]]:
    """One row per shift, by person then time: name, local date, in, out, break, minutes, hours.

    Rule: times in the shop's timezone as HH:MM (an out time before the in time is the next
    morning); hours are the minutes as "7.50", computed without floats.
    """
    rows: list[tuple[str, ...]] = []
    for shift in sorted(shifts, key=lambda s: (s.name.casefold(), s.clock_in)):
        minutes = minutes_worked(shift.clock_in, shift.clock_out, shift.break_minutes)
        rows.append(
            (
                csv_cell(shift.name),
                business_date(shift.clock_in, timezone).isoformat(),
                to_local(shift.clock_in, timezone).strftime("%H:%M"),
                to_local(shift.clock_out, timezone).strftime("%H:%M"),
                str(shift.break_minutes),
                str(minutes),
                hours_decimal(minutes),
            )
        )
    return rows
