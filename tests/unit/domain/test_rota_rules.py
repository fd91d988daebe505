"""The rota's warnings on small fixtures, including the weeks the clocks change in Europe/London."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakery.domain.rota import (
    DoubleBooked,
    HeldSkill,
    InsideUnavailable,
    MissingSkill,
    OpenShift,
    OutsideAvailability,
    OverHours,
    PlannedShift,
    RoleNeed,
    ShiftTimeError,
    ShortRest,
    ShortStaffed,
    WeekFacts,
    Window,
    monday_of,
    parse_clock,
    shift_instants,
    span_minutes,
    week_warnings,
)
from bakery.domain.rota_attendance import ClockedSpan, attendance, labour_cost_pence

LONDON = "Europe/London"
MONDAY = date(2026, 6, 1)
SPRING_SATURDAY = date(2026, 3, 28)  # the clocks go forward early on Sunday 29 March 2026
AUTUMN_SATURDAY = date(2026, 10, 24)  # and back early on Sunday 25 October 2026

_ids = iter(range(1, 10_000))


def shift(
    day: date,
    start: str,
    end: str,
    person: int | None = 1,
    *,
    role: int = 1,
    needs: dict[int, str] | None = None,
    break_minutes: int = 0,
) -> PlannedShift:
    s, e = span_minutes(parse_clock(start), parse_clock(end))
    starts_at, ends_at = shift_instants(day, s, e, LONDON)
    return PlannedShift(
        id=next(_ids),
        day=day,
        start_minute=s,
        end_minute=e,
        starts_at=starts_at,
        ends_at=ends_at,
        role_id=role,
        role_name={1: "counter", 2: "baker"}[role],
        person_id=person,
        person_name={None: "", 1: "Ada", 2: "Ben", 3: "Cy"}[person],
        break_minutes=break_minutes,
        needs=needs or {},
    )


def warnings(shifts, **facts):
    return week_warnings(shifts, WeekFacts(shop_limit_hours=facts.pop("limit", 48), **facts))


def of(kind, found):
    return [w for w in found if isinstance(w, kind)]


def test_a_night_shift_across_the_spring_change_is_seven_hours():
    night = shift(SPRING_SATURDAY, "22:00", "06:00")
    assert night.worked_minutes == 7 * 60
    assert night.starts_at == datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    assert night.ends_at == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)


def test_a_night_shift_across_the_autumn_change_is_nine_hours():
    night = shift(AUTUMN_SATURDAY, "22:00", "06:00")
    assert night.worked_minutes == 9 * 60
    assert night.starts_at == datetime(2026, 10, 24, 21, 0, tzinfo=UTC)


def test_a_summer_day_shift_is_stored_an_hour_earlier_in_utc():
    day = shift(MONDAY, "07:00", "15:00")
    assert day.starts_at == datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
    assert day.worked_minutes == 8 * 60


def test_hours_over_the_shops_limit_count_the_autumn_extra_hour():
    # 5 nights of 9 h 30 would be 47 h 30; the autumn night is an hour longer: 48 h 30 > 48 h.
    monday = monday_of(AUTUMN_SATURDAY)
    shifts = [shift(monday + timedelta(days=i), "20:30", "06:00") for i in (0, 2, 4)]
    shifts += [shift(AUTUMN_SATURDAY, "20:30", "06:00"), shift(monday + timedelta(days=1), "20:30", "06:00")]
    found = of(OverHours, warnings(shifts))
    assert len(found) == 1
    assert found[0].planned_minutes == 48 * 60 + 30
    assert found[0].message == "Ada is planned for 48 h 30 min this week, over the shop's limit of 48 h."


def test_the_same_hours_in_the_spring_week_stay_under_the_limit():
    monday = monday_of(SPRING_SATURDAY)
    shifts = [shift(monday + timedelta(days=i), "20:30", "06:00") for i in (0, 1, 2, 4)]
    shifts.append(shift(SPRING_SATURDAY, "21:30", "06:00"))
    assert of(OverHours, warnings(shifts)) == []


def test_a_persons_own_lower_limit_is_used():
    shifts = [shift(MONDAY + timedelta(days=i), "09:00", "17:00") for i in range(3)]
    found = of(OverHours, warnings(shifts, own_limits={1: 16}))
    assert found[0].message == "Ada is planned for 24 h this week, over their limit of 16 h."


def test_a_persons_own_higher_limit_does_not_lift_the_shops():
    shifts = [shift(MONDAY + timedelta(days=i), "07:00", "17:00") for i in range(5)]
    found = of(OverHours, warnings(shifts, own_limits={1: 60}))
    assert found[0].limit_hours == 48


def test_breaks_are_not_worked_hours():
    shifts = [shift(MONDAY + timedelta(days=i), "07:00", "17:00", break_minutes=30) for i in range(5)]
    assert of(OverHours, warnings(shifts)) == []


def test_overlapping_shifts_of_one_person_are_a_double_booking():
    found = of(DoubleBooked, warnings([shift(MONDAY, "07:00", "12:00"), shift(MONDAY, "11:00", "15:00")]))
    assert len(found) == 1
    assert found[0].message.startswith("Ada is booked twice: Monday 1 June 07:00-12:00 overlaps")


def test_back_to_back_shifts_are_not_a_double_booking():
    assert (
        of(DoubleBooked, warnings([shift(MONDAY, "07:00", "12:00"), shift(MONDAY, "12:00", "15:00")])) == []
    )


def test_two_people_at_the_same_time_are_not_a_double_booking():
    assert (
        of(DoubleBooked, warnings([shift(MONDAY, "07:00", "12:00"), shift(MONDAY, "07:00", "12:00", 2)]))
        == []
    )


def test_a_close_then_an_open_is_a_short_rest():
    found = of(
        ShortRest,
        warnings([shift(MONDAY, "14:00", "22:00"), shift(MONDAY + timedelta(days=1), "06:00", "12:00")]),
    )
    assert len(found) == 1
    assert found[0].rest_minutes == 8 * 60
    assert "only 8 h rest" in found[0].message


def test_a_split_shift_on_one_day_is_not_a_short_rest():
    assert warnings([shift(MONDAY, "06:00", "10:00"), shift(MONDAY, "16:00", "20:00")]) == []


def test_eleven_hours_rest_is_enough():
    assert (
        of(
            ShortRest,
            warnings([shift(MONDAY, "14:00", "21:00"), shift(MONDAY + timedelta(days=1), "08:00", "12:00")]),
        )
        == []
    )


def test_rest_across_the_autumn_change_has_its_extra_hour():
    # Saturday 14:00-23:00, Sunday 09:00: 10 h of wall clock, 11 h of real rest.
    assert (
        of(
            ShortRest,
            warnings(
                [
                    shift(AUTUMN_SATURDAY, "14:00", "23:00"),
                    shift(AUTUMN_SATURDAY + timedelta(days=1), "09:00", "15:00"),
                ]
            ),
        )
        == []
    )


def test_rest_across_the_spring_change_loses_an_hour():
    # Saturday 14:00-22:00, Sunday 10:00: 12 h of wall clock, 11 h of real rest: enough, just.
    assert (
        of(
            ShortRest,
            warnings(
                [
                    shift(SPRING_SATURDAY, "14:00", "22:00"),
                    shift(SPRING_SATURDAY + timedelta(days=1), "10:00", "15:00"),
                ]
            ),
        )
        == []
    )
    # Sunday 09:30: 10 h 30 of real rest.
    found = of(
        ShortRest,
        warnings(
            [
                shift(SPRING_SATURDAY, "14:00", "22:00"),
                shift(SPRING_SATURDAY + timedelta(days=1), "09:30", "15:00"),
            ]
        ),
    )
    assert found[0].rest_minutes == 10 * 60 + 30


def test_a_shift_in_the_week_before_counts_for_rest_but_is_not_warned_alone():
    sunday_before = shift(MONDAY - timedelta(days=1), "15:00", "23:00")
    monday = shift(MONDAY, "06:00", "12:00")
    found = week_warnings([monday], WeekFacts(shop_limit_hours=48, neighbours=[sunday_before]))
    assert [type(w) for w in found] == [ShortRest]


def test_a_shift_inside_an_unavailable_window_warns_without_a_reason():
    curfew = Window(
        person_id=1, weekday=MONDAY.weekday(), start_minute=19 * 60, end_minute=1440, available=False
    )
    found = of(InsideUnavailable, warnings([shift(MONDAY, "15:00", "20:00")], windows=[curfew]))
    assert found[0].message == "Ada is not available for part of Monday 1 June 15:00-20:00."


def test_a_night_shift_reaches_the_next_days_unavailable_window():
    morning = Window(
        person_id=1, on_date=MONDAY + timedelta(days=1), start_minute=0, end_minute=7 * 60, available=False
    )
    assert of(InsideUnavailable, warnings([shift(MONDAY, "22:00", "02:00")], windows=[morning]))


def test_a_shift_next_to_an_unavailable_window_is_fine():
    appointment = Window(
        person_id=1, on_date=MONDAY, start_minute=9 * 60, end_minute=11 * 60, available=False
    )
    assert warnings([shift(MONDAY, "11:00", "15:00")], windows=[appointment]) == []


def test_a_shift_outside_stated_availability_warns():
    mornings = [
        Window(person_id=1, weekday=d, start_minute=6 * 60, end_minute=14 * 60, available=True)
        for d in range(5)
    ]
    assert warnings([shift(MONDAY, "07:00", "13:00")], windows=mornings) == []
    late = of(OutsideAvailability, warnings([shift(MONDAY, "12:00", "16:00")], windows=mornings))
    assert late[0].message == "Ada has not said they are available for Monday 1 June 12:00-16:00."
    saturday = of(
        OutsideAvailability, warnings([shift(MONDAY + timedelta(days=5), "07:00", "13:00")], windows=mornings)
    )
    assert len(saturday) == 1


def test_availability_windows_that_touch_cover_a_shift():
    split = [
        Window(person_id=1, weekday=0, start_minute=6 * 60, end_minute=10 * 60, available=True),
        Window(person_id=1, on_date=MONDAY, start_minute=10 * 60, end_minute=18 * 60, available=True),
    ]
    assert warnings([shift(MONDAY, "07:00", "17:00")], windows=split) == []


def test_someone_who_stated_nothing_is_available_any_time():
    other = [Window(person_id=2, weekday=0, start_minute=0, end_minute=60, available=True)]
    assert warnings([shift(MONDAY, "07:00", "13:00")], windows=other) == []


def test_a_shift_needing_a_skill_its_person_lacks_warns():
    found = of(MissingSkill, warnings([shift(MONDAY, "07:00", "13:00", needs={5: "Barista"})]))
    assert found[0].message == "Monday 1 June 07:00-13:00 needs Barista, which Ada does not hold."


def test_a_certificate_expired_by_the_day_of_the_shift_warns_with_its_date():
    hygiene = HeldSkill(person_id=1, skill_id=7, gained_on=date(2023, 5, 1), expires_on=MONDAY)
    needs = {7: "Food hygiene level 2"}
    found = of(MissingSkill, warnings([shift(MONDAY, "07:00", "13:00", needs=needs)], held=[hygiene]))
    assert found[0].expired_on == MONDAY
    assert found[0].message.startswith("Ada's Food hygiene level 2 expired on 01 June 2026")
    day_before = shift(MONDAY - timedelta(days=1), "07:00", "13:00", needs=needs)
    assert of(MissingSkill, warnings([day_before], held=[hygiene])) == []


def test_a_skill_gained_after_the_shift_does_not_count():
    later = HeldSkill(person_id=1, skill_id=5, gained_on=MONDAY + timedelta(days=3))
    assert of(MissingSkill, warnings([shift(MONDAY, "07:00", "13:00", needs={5: "Bread"})], held=[later]))


def test_an_open_shift_is_pointed_out_and_does_not_count_towards_minimum_staff():
    found = warnings([shift(MONDAY, "07:00", "13:00", None)], needs=[RoleNeed(1, "counter", 1)])
    assert [type(w) for w in found] == [OpenShift, ShortStaffed]
    assert found[1].message == "Monday 1 June has 0 counter planned; at least 1 needed."


def test_a_day_below_the_minimum_staff_of_a_role_warns_and_counts_people_not_shifts():
    shifts = [
        shift(MONDAY, "07:00", "11:00"),
        shift(MONDAY, "12:00", "15:00"),
        shift(MONDAY, "07:00", "15:00", 2, role=2),
    ]
    needs = [RoleNeed(1, "counter", 2), RoleNeed(2, "baker", 1)]
    found = of(ShortStaffed, warnings(shifts, needs=needs))
    assert [(w.role_name, w.planned) for w in found] == [("counter", 1)]


def test_days_with_no_shifts_are_closed_and_not_short():
    assert (
        of(ShortStaffed, warnings([shift(MONDAY, "07:00", "15:00")], needs=[RoleNeed(1, "counter", 1)])) == []
    )


def test_a_clean_week_has_no_warnings():
    shifts = [shift(MONDAY + timedelta(days=i), "07:00", "15:00", p) for i in range(5) for p in (1, 2)]
    assert warnings(shifts, needs=[RoleNeed(1, "counter", 2)]) == []


@pytest.mark.parametrize(
    ("text", "minutes"), [("7:30", 450), ("07:30", 450), ("00:00", 0), ("24:00", 1440), (" 23:59 ", 1439)]
)
def test_clock_times_parse(text, minutes):
    assert parse_clock(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "",
        "7",
        "7.30",
        "25:00",
        "12:60",
        "24:01",
        "-1:00",
        "1:5",
        "abc:de",
        "123:00",
        "\u0660\u0667:\u0663\u0660",
        "\uff10\uff17:\uff13\uff10",
    ],
)
def test_bad_clock_times_are_refused_plainly(text):
    with pytest.raises(ShiftTimeError):
        parse_clock(text)


def test_a_shift_inside_the_hour_the_clocks_skip_is_refused():
    with pytest.raises(ShiftTimeError, match="clocks go forward"):
        shift_instants(SPRING_SATURDAY + timedelta(days=1), 60, 120, LONDON)
    start, end = shift_instants(SPRING_SATURDAY + timedelta(days=1), 0, 180, LONDON)
    assert end - start == timedelta(hours=2)


def test_a_shift_cannot_end_when_it_starts():
    with pytest.raises(ShiftTimeError):
        shift_instants(MONDAY, 600, 600, LONDON)


def test_late_and_missing_clock_ins_are_flagged():
    early = shift(MONDAY, "07:00", "15:00")
    late = shift(MONDAY, "08:00", "16:00", 2)
    missing = shift(MONDAY, "09:00", "17:00", 3)
    later = shift(MONDAY, "16:00", "20:00", 3)
    clocked = [
        ClockedSpan(1, early.starts_at - timedelta(minutes=10), None),
        ClockedSpan(2, late.starts_at + timedelta(minutes=17), None),
    ]
    now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # 11:00 in London
    flags = {
        a.shift.id: (a.flag, a.late_minutes) for a in attendance([early, late, missing, later], clocked, now)
    }
    assert flags == {early.id: ("", 0), late.id: ("late", 17), missing.id: ("missing", 0), later.id: ("", 0)}


def test_labour_cost_is_whole_pence_rounded_half_up():
    assert labour_cost_pence(450, 1221) == 9158  # 7.5 h at £12.21 = £91.575
    assert labour_cost_pence(60, 1000) == 1000
    assert labour_cost_pence(0, 1000) == 0


@given(
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    start=st.integers(min_value=0, max_value=1439),
    length=st.integers(min_value=1, max_value=1440),
)
def test_a_shifts_true_length_is_its_wall_length_give_or_take_the_clock_change(day, start, length):
    """Rule: the real length differs from the wall-clock length only by the hour of a clock change
    inside it, and only on the last Sundays of March and October."""
    try:
        starts_at, ends_at = shift_instants(day, start, start + length, LONDON)
    except ShiftTimeError:
        return  # wholly inside the skipped spring hour
    difference = (ends_at - starts_at) - timedelta(minutes=length)
    assert difference in (timedelta(0), timedelta(hours=1), timedelta(hours=-1)) or abs(
        difference
    ) < timedelta(hours=1)
    if difference:
        changes = {
            d
            for d in (day, day + timedelta(days=1))
            if d.weekday() == 6 and d.month in (3, 10) and d.day > 24
        }
        assert changes
