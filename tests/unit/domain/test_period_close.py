"""The one rule for what a closed period accepts (`bakery.domain.period_close`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakery.domain.period_close import (
    ABOUT_A_DAY,
    HAPPENS_NOW,
    PeriodClosed,
    PeriodSpan,
    Write,
    landing,
    periods_to_open,
)

YEAR = PeriodSpan("2025-26", date(2025, 4, 1), date(2026, 3, 31), "approved")


def test_every_kind_of_write_has_a_rule():
    assert HAPPENS_NOW | ABOUT_A_DAY | {Write.CLOCK_OUT} == set(Write)
    assert not HAPPENS_NOW & ABOUT_A_DAY


@pytest.mark.parametrize("write", sorted(HAPPENS_NOW))
def test_what_happens_after_the_close_opens_the_next_year_and_lands_there(write):
    where = landing(write, [YEAR], date(2026, 4, 2))
    assert where.period == "2026-27"
    assert [(p.starts_on, p.ends_on) for p in where.opens] == [(date(2026, 4, 1), date(2027, 3, 31))]


@pytest.mark.parametrize("write", sorted(HAPPENS_NOW))
def test_what_happens_inside_an_open_period_lands_there_and_opens_nothing(write):
    running = PeriodSpan("2026-27", date(2026, 4, 1), date(2027, 3, 31))
    assert landing(write, [YEAR, running], date(2026, 4, 2)) == landing(write, [running], date(2026, 4, 2))
    assert landing(write, [YEAR, running], date(2026, 4, 2)).period == "2026-27"
    assert landing(write, [YEAR, running], date(2026, 4, 2)).opens == ()


def test_a_shop_without_periods_opens_none():
    assert landing(Write.SALE, [], date(2026, 4, 2)).period is None
    assert periods_to_open([YEAR], date(2025, 1, 1)) == ()  # before the first period


def test_years_without_a_write_are_opened_one_after_another():
    opened = periods_to_open([YEAR], date(2028, 6, 1))
    assert [p.name for p in opened] == ["2026-27", "2027-28", "2028-29"]


def test_a_gap_before_a_later_period_is_filled_up_to_its_first_day():
    later = PeriodSpan("Next", date(2026, 9, 1), date(2027, 8, 31))
    (gap,) = periods_to_open([YEAR, later], date(2026, 5, 1))
    assert (gap.name, gap.starts_on, gap.ends_on) == ("2026", date(2026, 4, 1), date(2026, 8, 31))


def test_an_early_close_starts_the_next_year_the_day_after_and_a_taken_name_gives_way_to_dates():
    early = PeriodSpan("2026-27", date(2025, 12, 1), date(2026, 11, 30), "approved")
    (new,) = periods_to_open([early], date(2026, 12, 2))
    assert (new.starts_on, new.ends_on) == (date(2026, 12, 1), date(2027, 11, 30))
    assert new.name == "2026-12-01 to 2027-11-30"


def test_a_year_from_29_february_ends_on_the_last_day_of_february():
    leap = PeriodSpan("Leap", date(2023, 3, 1), date(2024, 2, 28))
    (new,) = periods_to_open([leap], date(2024, 3, 5))
    assert (new.starts_on, new.ends_on) == (date(2024, 2, 29), date(2025, 2, 28))


@pytest.mark.parametrize("write", sorted(ABOUT_A_DAY))
@pytest.mark.parametrize(("status", "route"), [("approved", "as an adjustment"), ("proposed", "withdraw")])
def test_a_change_about_a_day_of_a_frozen_period_is_refused_naming_it_and_the_route(write, status, route):
    frozen = PeriodSpan("2025-26", YEAR.starts_on, YEAR.ends_on, status)
    with pytest.raises(PeriodClosed, match=rf"falls in 2025-26, which is closed.*{route}"):
        landing(write, [frozen], date(2026, 5, 1), [date(2026, 3, 31)])


@pytest.mark.parametrize("write", sorted(ABOUT_A_DAY))
def test_a_change_about_a_day_of_an_ended_but_open_period_is_accepted(write):
    ended = PeriodSpan("2025-26", YEAR.starts_on, YEAR.ends_on, "open")
    assert landing(write, [ended], date(2026, 5, 1), [date(2026, 3, 31)]).period == "2025-26"


def test_a_correction_is_checked_on_the_day_it_moves_to():
    running = PeriodSpan("2026-27", date(2026, 4, 1), date(2027, 3, 31))
    with pytest.raises(PeriodClosed, match="2025-26"):
        landing(Write.CORRECTION, [YEAR, running], date(2026, 4, 2), [date(2026, 4, 1), date(2026, 3, 31)])


def test_a_clock_out_of_a_shift_begun_in_a_frozen_period_is_recorded_with_a_notice():
    where = landing(Write.CLOCK_OUT, [YEAR], date(2026, 4, 1), [date(2026, 3, 31)])
    assert where.period is None and "counts nowhere until an admin allocates it" in where.notice
    running = PeriodSpan("2026-27", date(2026, 4, 1), date(2027, 3, 31))
    assert landing(Write.CLOCK_OUT, [YEAR, running], date(2026, 4, 1), [date(2026, 4, 1)]).period == "2026-27"


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(
    start=days, length=st.integers(min_value=0, max_value=800), ahead=st.integers(min_value=1, max_value=3000)
)
def test_whatever_day_comes_after_a_close_it_lands_in_a_new_open_period_never_the_closed_one(
    start, length, ahead
):
    closed = PeriodSpan("Closed", start, start + timedelta(days=length), "approved")
    today = closed.ends_on + timedelta(days=ahead)
    for write in HAPPENS_NOW:
        where = landing(write, [closed], today)
        assert where.period != "Closed" and where.opens
        assert where.opens[0].starts_on == closed.ends_on + timedelta(days=1)
        assert where.opens[-1].starts_on <= today <= where.opens[-1].ends_on
        for before, after in zip(where.opens, where.opens[1:], strict=False):
            assert after.starts_on == before.ends_on + timedelta(days=1)  # no gaps, no overlaps
        assert len({p.name for p in where.opens} | {"Closed"}) == len(where.opens) + 1
