"""Time: stored in UTC, shown and reckoned in the shop's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def to_local(moment: datetime, timezone: str) -> datetime:
    """Convert an aware UTC time to the shop's local time."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: store and pass times in UTC")
    return moment.astimezone(ZoneInfo(timezone))


def business_date(moment: datetime, timezone: str) -> date:
    """The shop's business day is its local calendar date."""
    return to_local(moment, timezone).date()


def local_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants at which a local business day starts and the next one starts.

    Rule: computed from local midnights, so a day across a clock change lasts 23 or 25 hours.
    """
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    following = date.fromordinal(day.toordinal() + 1)
    end = datetime.combine(following, time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
