"""Reading a report's filters from the query string: the first and last day, and a till or all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bakery.forms import parse_id
from bakery.services import reports
from bakery.services.errors import NotFound


@dataclass(frozen=True)
class Filters:
    """The filters as sent (kept to show them again) and the scope they name, or an error."""

    start: str
    end: str
    till: str
    scope: reports.Scope | None
    error: str | None

    def query(self) -> dict[str, str]:
        """The filters as a query string for links (downloads of the same report)."""
        return {k: v for k, v in (("start", self.start), ("end", self.end), ("till", self.till)) if v}


def presets() -> list[tuple[str, reports.Period]]:
    """The periods a manager picks most: today, yesterday, this week, last 7 days, this month, last month."""
    today = reports.today()
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return [
        ("Today", reports.Period(today, today)),
        ("Yesterday", reports.Period(today - timedelta(days=1), today - timedelta(days=1))),
        ("This week", reports.Period(monday, today)),
        ("Last 7 days", reports.Period(today - timedelta(days=6), today)),
        ("This month", reports.Period(first, today)),
        ("Last month", reports.Period(last_month_end.replace(day=1), last_month_end)),
    ]


def read_filters(args: Mapping[str, str], default: reports.Period | None = None) -> Filters:
    """The scope the query string asks for (today on all tills when it asks for nothing).

    Rule: dates are YYYY-MM-DD, the last not before the first and at most MAX_DAYS days in all;
    the till is one of the shop's tills or empty (all tills). Every problem is a message.
    """
    start, end, till = (args.get(k, "") or "" for k in ("start", "end", "till"))
    if default is None:
        today = reports.today()
        default = reports.Period(today, today)
    try:
        period = reports.parse_period(start or None, end or None, default)
    except ValueError as wrong:
        return Filters(start, end, till, None, str(wrong))
    till_id = None
    if till:
        till_id = parse_id(till)
        if till_id is None:
            return Filters(start, end, till, None, "Choose a till from the list, or all tills.")
    try:
        where = reports.scope(period, till_id)
    except NotFound:
        return Filters(start, end, till, None, "Choose a till from the list, or all tills.")
    return Filters(period.start.isoformat(), period.end.isoformat(), till, where, None)
