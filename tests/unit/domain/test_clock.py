"""Local time: stored in UTC, reckoned by the shop's date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bakery.domain.clock import business_date, local_day_bounds, to_local


def test_late_evening_utc_in_summer_is_the_next_london_day():
    assert business_date(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), "Europe/London") == date(2026, 7, 2)


def test_a_day_with_the_clocks_going_back_lasts_25_hours():
    start, end = local_day_bounds(date(2026, 10, 25), "Europe/London")
    assert end - start == timedelta(hours=25)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        to_local(datetime(2026, 1, 1, 12, 0), "Europe/London")  # noqa: DTZ001
