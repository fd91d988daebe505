"""Hours rules: minutes worked, weeks, what a shift may be, local times and the payroll rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakery.domain.hours import (
    HoursError,
    Shift,
    check_break,
    check_move,
    check_shift,
    clean_text,
    csv_cell,
    duration_text,
    hours_decimal,
    local_moment,
    minutes_worked,
    parse_week,
    payroll_rows,
    shift_from_local,
    week_bounds,
    week_start,
)

LONDON = "Europe/London"
NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_minutes_worked_floor_whole_minutes_and_take_off_the_break():
    assert minutes_worked(at(7, 58), at(16, 2), 30) == 454
    assert minutes_worked(at(8), at(8, 0) + timedelta(seconds=119), 0) == 1


def test_an_open_shift_has_worked_no_minutes_yet_and_breaks_never_make_it_negative():
    assert minutes_worked(at(8), None, 0) == 0
    assert minutes_worked(at(8), at(8, 10), 30) == 0


def test_a_week_runs_monday_to_sunday():
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    assert week_bounds(date(2026, 11, 23)) == (date(2026, 11, 23), date(2026, 11, 29))


def test_a_week_is_chosen_by_any_of_its_days_and_defaults_to_this_week():
    assert parse_week("2026-11-26", date(2020, 1, 1)) == date(2026, 11, 23)
    assert parse_week("", date(2026, 11, 29)) == date(2026, 11, 23)
    assert parse_week(None, date(2026, 11, 23)) == date(2026, 11, 23)


@pytest.mark.parametrize("text", ["next week", "2026-13-01", "0001-01-01", "9999-12-31", "2026-11-23T00:00"])
def test_an_unreadable_or_absurd_week_is_refused(text):
    with pytest.raises(HoursError):
        parse_week(text, date(2026, 11, 23))


def test_a_sensible_shift_passes():
    check_shift(at(7, 58), at(16, 2), 30, NOW)
    check_shift(at(7, 58), None, 0, NOW)


@pytest.mark.parametrize(
    ("clock_in", "clock_out", "pause", "message"),
    [
        (at(9), at(8), 0, "after clock-in"),
        (at(9), at(9), 0, "after clock-in"),
        (at(1), at(17, 1), 0, "at most 16 hours"),
        (at(9), at(9, 30), 30, "does not fit"),
        (at(9), at(17), 241, "0 to 240"),
        (at(9), at(17), -5, "0 to 240"),
        (at(9, day=28), None, 0, "future"),
        (at(9), NOW + timedelta(minutes=1), 0, "future"),
    ],
)
def test_an_impossible_shift_is_refused_with_the_reason(clock_in, clock_out, pause, message):
    with pytest.raises(HoursError, match=message):
        check_shift(clock_in, clock_out, pause, NOW)


def test_a_sixteen_hour_shift_is_the_longest_allowed():
    check_shift(at(1), at(17), 0, NOW)


def test_a_break_is_a_whole_number_of_minutes_in_range():
    check_break(0)
    check_break(240)
    with pytest.raises(HoursError):
        check_break(True)


def test_a_correction_moves_a_shift_by_at_most_a_day():
    check_move(at(8), at(8) + timedelta(days=1))
    with pytest.raises(HoursError, match="at most a day"):
        check_move(at(8), at(8) + timedelta(days=1, minutes=1))


def test_local_times_become_utc_in_summer_and_winter():
    assert local_moment(date(2026, 7, 1), time(8, 0), LONDON) == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    assert local_moment(date(2026, 11, 23), time(8, 0), LONDON) == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_a_time_skipped_when_the_clocks_go_forward_is_refused():
    with pytest.raises(HoursError, match="clocks changed"):
        local_moment(date(2026, 3, 29), time(1, 30), LONDON)


def test_a_time_that_happens_twice_when_the_clocks_go_back_is_the_first():
    assert local_moment(date(2026, 10, 25), time(1, 30), LONDON) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_an_out_time_before_the_in_time_is_the_next_morning():
    clock_in, clock_out = shift_from_local(date(2026, 11, 23), time(22, 0), time(6, 0), LONDON)
    assert clock_in == datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    assert clock_out == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert shift_from_local(date(2026, 11, 23), time(8, 0), None, LONDON)[1] is None


def test_text_is_trimmed_and_must_be_there_and_short_enough():
    assert clean_text("  forgot   to clock out ", 200, "a reason") == "forgot to clock out"
    with pytest.raises(HoursError, match="Give a reason"):
        clean_text("   ", 200, "a reason")
    with pytest.raises(HoursError, match="at most 5"):
        clean_text("abcdef", 5, "a reason")


@pytest.mark.parametrize(
    ("minutes", "text"), [(450, "7.50"), (0, "0.00"), (1, "0.02"), (7, "0.12"), (20, "0.33"), (454, "7.57")]
)
def test_hours_are_shown_to_two_places_rounded_half_up(minutes, text):
    assert hours_decimal(minutes) == text


@given(st.integers(min_value=-100_000, max_value=100_000))
def test_hours_decimal_agrees_with_exact_decimal_rounding(minutes):
    exact = (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert hours_decimal(minutes) == f"{exact:.2f}"


def test_durations_read_like_people_say_them():
    assert duration_text(454) == "7 h 34 min"
    assert duration_text(480) == "8 h"
    assert duration_text(45) == "45 min"
    assert duration_text(timedelta(hours=2, minutes=5)) == "2 h 5 min"


def test_a_cell_that_a_spreadsheet_would_run_is_defused():
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("-Ada") == "'-Ada"
    assert csv_cell("Ada Baker") == "Ada Baker"


def test_payroll_rows_are_by_person_then_time_in_local_time():
    rows = payroll_rows(
        [
            Shift(
                "Ben Barista",
                datetime(2026, 7, 2, 7, 0, tzinfo=UTC),
                datetime(2026, 7, 2, 15, 0, tzinfo=UTC),
                45,
            ),
            Shift(
                "Ada Baker",
                datetime(2026, 7, 2, 5, 0, tzinfo=UTC),
                datetime(2026, 7, 2, 13, 0, tzinfo=UTC),
                30,
            ),
            Shift(
                "Ada Baker",
                datetime(2026, 7, 1, 21, 0, tzinfo=UTC),
                datetime(2026, 7, 2, 4, 30, tzinfo=UTC),
                0,
            ),
        ],
        LONDON,
    )
    assert rows == [
        ("Ada Baker", "2026-07-01", "22:00", "05:30", "0", "450", "7.50"),
        ("Ada Baker", "2026-07-02", "06:00", "14:00", "30", "450", "7.50"),
        ("Ben Barista", "2026-07-02", "08:00", "16:00", "45", "435", "7.25"),
    ]
