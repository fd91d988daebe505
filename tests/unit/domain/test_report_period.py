"""A report's period: validation, the periods it is compared with, and local time across clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise

import pytest

from bakery.domain.report_period import MAX_DAYS, Period, parse_period, utc_offsets

DEFAULT = Period(date(2026, 3, 1), date(2026, 3, 1))


def test_a_period_counts_its_days_and_names_the_previous_one_of_the_same_length():
    week = Period(date(2026, 3, 2), date(2026, 3, 8))
    assert week.days == 7
    assert week.previous() == Period(date(2026, 2, 23), date(2026, 3, 1))
    assert week.weeks_before(2) == [
        Period(date(2026, 2, 23), date(2026, 3, 1)),
        Period(date(2026, 2, 16), date(2026, 2, 22)),
    ]


def test_the_same_weekday_of_recent_weeks_is_compared_with_a_single_day():
    tuesday = Period(date(2026, 3, 3), date(2026, 3, 3))
    assert [p.start.weekday() for p in tuesday.weeks_before()] == [1, 1, 1, 1]
    assert tuesday.previous() == Period(date(2026, 3, 2), date(2026, 3, 2))


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13-01", None, "Type the first day as a date"),
        ("2026-1-1", None, "Type the first day as a date"),
        ("2026-03-02", "tomorrow", "Type the last day as a date"),
        ("2026-03-02", "2026-03-01", "The last day is before the first day"),
        ("2024-01-01", "2026-01-01", f"Choose at most {MAX_DAYS} days"),
    ],
)
def test_bad_dates_are_refused_with_a_message_naming_the_field(start, end, message):
    with pytest.raises(ValueError, match=message):
        parse_period(start, end, DEFAULT)


def test_a_missing_date_is_taken_from_the_default_or_the_first_day():
    assert parse_period(None, None, DEFAULT) == DEFAULT
    assert parse_period("2026-02-10", None, DEFAULT) == Period(date(2026, 2, 10), date(2026, 2, 10))


def test_the_utc_offset_changes_where_the_clocks_change_and_nowhere_else():
    spring = Period(date(2026, 3, 29), date(2026, 3, 29))
    start, end = spring.utc_bounds("Europe/London")
    assert utc_offsets(start, end, "Europe/London") == [
        (datetime(2026, 3, 29, 0, tzinfo=UTC), datetime(2026, 3, 29, 1, tzinfo=UTC), 0),
        (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 3, 29, 23, tzinfo=UTC), 3600),
    ]
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    assert [offset for _s, _e, offset in utc_offsets(*year.utc_bounds("Europe/London"), "Europe/London")] == [
        0,
        3600,
        0,
    ]
    assert len(utc_offsets(*year.utc_bounds("Asia/Tokyo"), "Asia/Tokyo")) == 1


def test_spans_cover_the_range_without_gaps():
    start, end = Period(date(2025, 1, 1), date(2026, 2, 4)).utc_bounds("America/New_York")
    spans = utc_offsets(start, end, "America/New_York")
    assert spans[0][0] == start and spans[-1][1] == end
    assert all(a[1] == b[0] for a, b in pairwise(spans))
