"""A report's period: whole business days from a first to a last, and the periods it is compared with.

Business days are the shop's local dates; a report reckons a sale's local hour and day from its UTC
time plus the UTC offset in force at that moment (`utc_offsets`), so that a period across a clock
change still puts each sale in its local hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bakery.domain.clock import local_day_bounds

#: The longest period one report covers (a leap year and a bit of slack for "last 12 months").
MAX_DAYS = 400
#: How many earlier weeks a period is compared with (the same weekdays).
WEEKS_BACK = 4


@dataclass(frozen=True, slots=True)
class Period:
    """Business days `start` to `end`, both included.

    Rule: `end` is not before `start`, and a period is at most MAX_DAYS days long.
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("The last day is before the first day: choose the first day, then a later one.")
        if self.days > MAX_DAYS:
            raise ValueError(f"Choose at most {MAX_DAYS} days.")

    @property
    def days(self) -> int:
        """How many business days the period covers."""
        return (self.end - self.start).days + 1

    def shifted(self, days: int) -> Period:
        """The same period moved `days` days (negative: earlier)."""
        step = timedelta(days=days)
        return Period(self.start + step, self.end + step)

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        return self.shifted(-self.days)

    def weeks_before(self, weeks: int = WEEKS_BACK) -> list[Period]:
        """The same weekdays 1, 2, … `weeks` weeks earlier (yesterday last week, and so on).

        Rule: each is the period moved back by whole weeks, so a Tuesday compares with Tuesdays.
        """
        return [self.shifted(-7 * k) for k in range(1, weeks + 1)]

    def utc_bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """The UTC instants at which the first day starts and the day after the last starts."""
        return local_day_bounds(self.start, timezone)[0], local_day_bounds(self.end, timezone)[1]

    def label(self) -> str:
        """How the period is named on a page and in a file: one day or from-to."""
        if self.start == self.end:
            return self.start.strftime("%a %d %b %Y")
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"

    def short_label(self) -> str:
        """The period in a table cell: Tue 1 Dec, or 1 Dec-7 Dec."""
        if self.start == self.end:
            return _short(self.start)
        return f"{self.start.day} {self.start:%b}-{self.end.day} {self.end:%b}"


def _short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def parse_period(start: str | None, end: str | None, default: Period) -> Period:
    """The period typed as two ISO dates (YYYY-MM-DD); a missing one is taken from `default`.

    Rule: a date that is not YYYY-MM-DD is refused with a message naming the field; so are a last
    day before the first and a period longer than MAX_DAYS.
    """
    first = _day(start, "first day") if start else default.start
    last = _day(end, "last day") if end else (default.end if not start else first)
    return Period(first, last)


def _day(text: str, name: str) -> date:
    if len(text) != 10:
        raise ValueError(f"Type the {name} as a date (YYYY-MM-DD).")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Type the {name} as a date (YYYY-MM-DD).") from None


def utc_offsets(start: datetime, end: datetime, timezone: str) -> list[tuple[datetime, datetime, int]]:
    """The spans of [start, end) with one UTC offset each: (from, to, offset in seconds).

    Rule: local time = UTC time + offset; a span ends where the shop's clocks change. Found by
    stepping through the range a day at a time and bisecting to the instant of each change, so a
    year has a handful of spans however many sales it holds.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("naive datetime: pass times in UTC")
    zone = ZoneInfo(timezone)
    tick = timedelta(microseconds=1)

    def offset(moment: datetime) -> int:
        delta = moment.astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    start, end = start.astimezone(UTC), end.astimezone(UTC)
    spans: list[tuple[datetime, datetime, int]] = []
    span_start, current, probe = start, offset(start), start
    while probe < end:
        step = min(probe + timedelta(days=1), end)
        high = step if step < end else step - tick
        if high > probe and offset(high) != current:
            low = probe
            while high - low > tick:
                middle = low + (high - low) / 2
                if offset(middle) == current:
                    low = middle
                else:
                    high = middle
            spans.append((span_start, high, current))
            span_start, current = high, offset(high)
            probe = high
            continue
        probe = step
    spans.append((span_start, end, current))
    return spans
