"""The rules for what members ask of the rota: windows, time off, swap and time-off states, skills."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bakery.domain.rota import HeldSkill
from bakery.domain.rota_requests import (
    SWAP_NEXT,
    TIME_OFF_NEXT,
    RequestError,
    WindowRequest,
    check_move,
    check_time_off,
    check_window,
    qualified,
    time_off_windows,
)

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    "window",
    [
        WindowRequest(18 * 60, 24 * 60, False, weekday=0),
        WindowRequest(0, 60, True, on_date=TODAY),
        WindowRequest(9 * 60, 17 * 60, True, weekday=6),
    ],
)
def test_a_window_on_a_weekday_or_a_date_to_come_is_accepted(window):
    check_window(window, TODAY)


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (WindowRequest(60, 120, False), "day of the week or a date"),
        (WindowRequest(60, 120, False, weekday=1, on_date=TODAY), "day of the week or a date"),
        (WindowRequest(60, 120, False, weekday=7), "from the list"),
        (WindowRequest(60, 120, False, on_date=TODAY - timedelta(days=1)), "has passed"),
        (WindowRequest(120, 60, False, weekday=1), "after the start"),
        (WindowRequest(60, 60, False, weekday=1), "after the start"),
        (WindowRequest(60, 1441, False, weekday=1), "00:00 to 24:00"),
        (WindowRequest(-1, 60, False, weekday=1), "00:00 to 24:00"),
    ],
)
def test_a_window_that_is_not_one_forward_span_on_one_day_is_refused(window, message):
    with pytest.raises(RequestError, match=message):
        check_window(window, TODAY)


def test_time_off_runs_forward_from_today_within_a_year_and_62_days():
    check_time_off(TODAY, TODAY, TODAY)
    check_time_off(TODAY + timedelta(days=366), TODAY + timedelta(days=366 + 61), TODAY)
    for first, last, message in [
        (TODAY - timedelta(days=1), TODAY, "in the past"),
        (TODAY + timedelta(days=2), TODAY + timedelta(days=1), "on or after"),
        (TODAY + timedelta(days=367), TODAY + timedelta(days=367), "a year ahead"),
        (TODAY, TODAY + timedelta(days=62), "at most 62 days"),
    ]:
        with pytest.raises(RequestError, match=message):
            check_time_off(first, last, TODAY)


def test_requests_move_only_forward_and_a_decision_is_final():
    check_move(SWAP_NEXT, "requested", "accepted")
    check_move(SWAP_NEXT, "accepted", "approved")
    check_move(TIME_OFF_NEXT, "approved", "withdrawn")
    for states, current, wanted in [
        (SWAP_NEXT, "requested", "approved"),  # a manager approves only what someone accepted
        (SWAP_NEXT, "approved", "refused"),
        (SWAP_NEXT, "withdrawn", "accepted"),
        (TIME_OFF_NEXT, "refused", "approved"),
        (TIME_OFF_NEXT, "withdrawn", "requested"),
    ]:
        with pytest.raises(RequestError, match=f"already {current}"):
            check_move(states, current, wanted)


def test_qualified_means_every_needed_skill_valid_on_the_day():
    day = date(2026, 12, 10)
    held = [
        HeldSkill(1, 10, date(2025, 1, 1)),
        HeldSkill(1, 11, date(2025, 1, 1), expires_on=day),  # expires that very day: not valid
        HeldSkill(2, 10, date(2025, 1, 1)),
        HeldSkill(2, 11, date(2025, 1, 1), expires_on=day + timedelta(days=1)),
        HeldSkill(3, 10, day + timedelta(days=1)),  # gained only after the day
    ]
    assert qualified(1, set(), held, day)
    assert qualified(1, {10}, held, day)
    assert not qualified(1, {10, 11}, held, day)
    assert qualified(2, {10, 11}, held, day)
    assert not qualified(3, {10}, held, day)
    assert not qualified(4, {10}, held, day)


def test_time_off_is_every_day_from_first_to_last():
    assert time_off_windows(7, TODAY, TODAY + timedelta(days=2)) == [
        (7, TODAY),
        (7, TODAY + timedelta(days=1)),
        (7, TODAY + timedelta(days=2)),
    ]
