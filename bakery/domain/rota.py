"""The weekly rota's rules: shift times across clock changes, and the warnings shown while planning.

A shift is planned on a local date from one wall-clock minute to another (minutes after that day's
local midnight; past 1440 it ends the next day). Its true length comes from the UTC instants, so
22:00-06:00 across the last Sunday of March is 7 hours and across the last Sunday of October 9.
Availability windows are wall-clock minutes on a weekday or a date, compared with the shift's wall
clock. Every warning is a small frozen dataclass whose `message` is a plain-English sentence; none of
them stops the plan (a manager decides), but none of them is silent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise

from bakery.domain.rota_times import (  # the rota's times, re-exported
    DAY_MINUTES as DAY_MINUTES,
)
from bakery.domain.rota_times import (
    WEEKDAYS as WEEKDAYS,
)
from bakery.domain.rota_times import (
    ShiftTimeError as ShiftTimeError,
)
from bakery.domain.rota_times import (
    check_times as check_times,
)
from bakery.domain.rota_times import (
    clock_text as clock_text,
)
from bakery.domain.rota_times import (
    monday_of as monday_of,
)
from bakery.domain.rota_times import (
    parse_clock as parse_clock,
)
from bakery.domain.rota_times import (
    shift_instants as shift_instants,
)
from bakery.domain.rota_times import (
    span_minutes as span_minutes,
)

#: The shortest rest between two shifts of one person (Working Time Regulations: 11 hours).
MIN_REST = timedelta(hours=11)


@dataclass(frozen=True)
class PlannedShift:
    """A shift as the rules see it. `person_id` None is an open shift nobody has taken yet."""

    id: int
    day: date
    start_minute: int
    end_minute: int
    starts_at: datetime
    ends_at: datetime
    role_id: int
    role_name: str
    person_id: int | None = None
    person_name: str = ""
    break_minutes: int = 0
    #: Skills the shift needs (its role's and its own), by id → name.
    needs: Mapping[int, str] = field(default_factory=dict)

    @property
    def worked_minutes(self) -> int:
        """Minutes paid: the true length between the instants, less the break."""
        return max(int((self.ends_at - self.starts_at).total_seconds() // 60) - self.break_minutes, 0)

    @property
    def times(self) -> str:
        """The wall-clock times: "22:00-06:00"."""
        return f"{clock_text(self.start_minute)}-{clock_text(self.end_minute % DAY_MINUTES)}"

    @property
    def when(self) -> str:
        """The shift in words: "Saturday 24 October 22:00-06:00 next day"."""
        return (
            f"{WEEKDAYS[self.day.weekday()]} {self.day.day} {self.day:%B} "
            f"{clock_text(self.start_minute)}-{clock_text(self.end_minute)}"
        )


@dataclass(frozen=True)
class Window:
    """A stated availability window: every week on a weekday (0 = Monday) or on one date."""

    person_id: int
    start_minute: int
    end_minute: int
    available: bool
    weekday: int | None = None
    on_date: date | None = None

    def applies_to(self, day: date) -> bool:
        """Whether this window speaks about that local date."""
        return self.on_date == day if self.on_date is not None else self.weekday == day.weekday()


@dataclass(frozen=True)
class HeldSkill:
    """A skill a person holds from `gained_on`; a certificate no longer counts from `expires_on`."""

    person_id: int
    skill_id: int
    gained_on: date
    expires_on: date | None = None

    def valid_on(self, day: date) -> bool:
        """Rule: held from the day it was gained up to the day before it expires."""
        return self.gained_on <= day and (self.expires_on is None or day < self.expires_on)


@dataclass(frozen=True)
class RoleNeed:
    """A role and the fewest people it needs on each open day."""

    role_id: int
    role_name: str
    min_staff: int


@dataclass(frozen=True)
class DoubleBooked:
    """One person on two shifts that overlap."""

    person_name: str
    first: PlannedShift
    second: PlannedShift

    @property
    def shift_ids(self) -> tuple[int, ...]:
        """The shifts the warning is about."""
        return (self.first.id, self.second.id)

    @property
    def message(self) -> str:
        """The warning in words."""
        return f"{self.person_name} is booked twice: {self.first.when} overlaps {self.second.when}."


@dataclass(frozen=True)
class OverHours:
    """A person planned for more hours in the week than their limit (their own, else the shop's)."""

    person_name: str
    planned_minutes: int
    limit_hours: int
    whose: str  # "their" or "the shop's"
    shift_ids: tuple[int, ...]

    @property
    def message(self) -> str:
        """The warning in words."""
        return (
            f"{self.person_name} is planned for {hours_text(self.planned_minutes)} this week, "
            f"over {self.whose} limit of {self.limit_hours} h."
        )


@dataclass(frozen=True)
class ShortRest:
    """Less than 11 hours between the end of one shift and the start of the person's next."""

    person_name: str
    first: PlannedShift
    second: PlannedShift
    rest_minutes: int

    @property
    def shift_ids(self) -> tuple[int, ...]:
        """The shifts the warning is about."""
        return (self.first.id, self.second.id)

    @property
    def message(self) -> str:
        """The warning in words."""
        return (
            f"{self.person_name} has only {hours_text(self.rest_minutes)} rest between "
            f"{self.first.when} and {self.second.when} (11 h is the minimum)."
        )


@dataclass(frozen=True)
class OutsideAvailability:
    """A shift outside the hours a person said they are available."""

    person_name: str
    shift: PlannedShift

    @property
    def shift_ids(self) -> tuple[int, ...]:
        """The shift the warning is about."""
        return (self.shift.id,)

    @property
    def message(self) -> str:
        """The warning in words."""
        return f"{self.person_name} has not said they are available for {self.shift.when}."


@dataclass(frozen=True)
class InsideUnavailable:
    """A shift inside a window the person said they are not available (no reason is ever kept)."""

    person_name: str
    shift: PlannedShift

    @property
    def shift_ids(self) -> tuple[int, ...]:
        """The shift the warning is about."""
        return (self.shift.id,)

    @property
    def message(self) -> str:
        """The warning in words."""
        return f"{self.person_name} is not available for part of {self.shift.when}."


@dataclass(frozen=True)
class MissingSkill:
    """A shift needing a skill its person does not hold, or holds with a certificate expired by then."""

    person_name: str
    skill_name: str
    shift: PlannedShift
    expired_on: date | None = None

    @property
    def shift_ids(self) -> tuple[int, ...]:
        """The shift the warning is about."""
        return (self.shift.id,)

    @property
    def message(self) -> str:
        """The warning in words."""
        if self.expired_on is not None:
            return (
                f"{self.person_name}'s {self.skill_name} expired on {self.expired_on:%d %B %Y}, "
                f"before {self.shift.when}."
            )
        return f"{self.shift.when} needs {self.skill_name}, which {self.person_name} does not hold."


@dataclass(frozen=True)
class OpenShift:
    """A shift nobody is on yet."""

    shift: PlannedShift

    @property
    def shift_ids(self) -> tuple[int, ...]:
        """The shift the warning is about."""
        return (self.shift.id,)

    @property
    def message(self) -> str:
        """The warning in words."""
        return f"Nobody is on the {self.shift.role_name} shift {self.shift.when}."


@dataclass(frozen=True)
class ShortStaffed:
    """A day with fewer people in a role than its minimum."""

    role_name: str
    day: date
    planned: int
    minimum: int

    @property
    def shift_ids(self) -> tuple[int, ...]:
        """No single shift: the day is short."""
        return ()

    @property
    def message(self) -> str:
        """The warning in words."""
        return (
            f"{WEEKDAYS[self.day.weekday()]} {self.day.day} {self.day:%B} has {self.planned} "
            f"{self.role_name} planned; at least {self.minimum} needed."
        )


RotaWarning = (
    DoubleBooked
    | OverHours
    | ShortRest
    | OutsideAvailability
    | InsideUnavailable
    | MissingSkill
    | OpenShift
    | ShortStaffed
)


def hours_text(minutes: int) -> str:
    """Minutes as hours for a sentence: "7 h", "7 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _by_person(shifts: Iterable[PlannedShift]) -> dict[int, list[PlannedShift]]:
    grouped: dict[int, list[PlannedShift]] = defaultdict(list)
    for shift in shifts:
        if shift.person_id is not None:
            grouped[shift.person_id].append(shift)
    for own in grouped.values():
        own.sort(key=lambda s: (s.starts_at, s.id))
    return grouped


def double_bookings(shifts: Sequence[PlannedShift]) -> list[DoubleBooked]:
    """Rule: one person's two shifts overlap in time (touching end to start is not an overlap)."""
    found: list[DoubleBooked] = []
    for own in _by_person(shifts).values():
        for i, first in enumerate(own):
            for second in own[i + 1 :]:
                if second.starts_at >= first.ends_at:
                    break
                found.append(DoubleBooked(first.person_name, first, second))
    return found


def over_hours(
    shifts: Sequence[PlannedShift], shop_limit_hours: int, own_limits: Mapping[int, int | None]
) -> list[OverHours]:
    """Rule: a person's worked minutes in the week (true lengths less breaks) over their own weekly
    limit, or the shop's when theirs is unset or higher (the shop's limit holds for everyone)."""
    found: list[OverHours] = []
    for person_id, own in _by_person(shifts).items():
        limit, whose = shop_limit_hours, "the shop's"
        personal = own_limits.get(person_id)
        if personal is not None and personal < shop_limit_hours:
            limit, whose = personal, "their"
        planned = sum(s.worked_minutes for s in own)
        if planned > limit * 60:
            found.append(OverHours(own[0].person_name, planned, limit, whose, tuple(s.id for s in own)))
    return found


def short_rests(shifts: Sequence[PlannedShift], neighbours: Sequence[PlannedShift] = ()) -> list[ShortRest]:
    """Rule: fewer than 11 hours between one shift's end and the same person's next start.

    `neighbours` (the days either side of the week) count as the other shift of a pair but are not
    warned about on their own. Overlapping shifts are double bookings, not short rests; two shifts
    starting on the same day are one split working day (the gap is a break, not the daily rest).
    """
    planned = {s.id for s in shifts}
    found: list[ShortRest] = []
    for own in _by_person([*shifts, *neighbours]).values():
        for first, second in pairwise(own):
            rest = second.starts_at - first.ends_at
            if first.day == second.day:
                continue  # a split shift: one working day with a break, not a rest between days
            if timedelta(0) <= rest < MIN_REST and (first.id in planned or second.id in planned):
                found.append(ShortRest(first.person_name, first, second, int(rest.total_seconds() // 60)))
    return found


def _segments(shift: PlannedShift) -> list[tuple[date, int, int]]:
    """A shift's wall-clock minutes cut at local midnight: (date, start, end) within each day."""
    first = (shift.day, shift.start_minute, min(shift.end_minute, DAY_MINUTES))
    if shift.end_minute <= DAY_MINUTES:
        return [first]
    return [first, (shift.day + timedelta(days=1), 0, shift.end_minute - DAY_MINUTES)]


def _covered(start: int, end: int, windows: Iterable[tuple[int, int]]) -> bool:
    reach = start
    for w_start, w_end in sorted(windows):
        if w_start > reach:
            break
        reach = max(reach, w_end)
        if reach >= end:
            return True
    return reach >= end


def availability_clashes(
    shifts: Sequence[PlannedShift], windows: Sequence[Window]
) -> list[OutsideAvailability | InsideUnavailable]:
    """Rule: a shift overlapping a window its person said they are not available warns; and for a
    person who has stated any available windows, a shift not wholly inside the available windows of
    its days warns. Someone who has stated no available windows is taken as available any time."""
    by_person: dict[int, list[Window]] = defaultdict(list)
    for window in windows:
        by_person[window.person_id].append(window)
    found: list[OutsideAvailability | InsideUnavailable] = []
    for shift in shifts:
        if shift.person_id is None or shift.person_id not in by_person:
            continue
        own = by_person[shift.person_id]
        states_availability = any(w.available for w in own)
        inside_unavailable = outside = False
        for day, start, end in _segments(shift):
            today = [w for w in own if w.applies_to(day)]
            if any(not w.available and w.start_minute < end and start < w.end_minute for w in today):
                inside_unavailable = True
            if states_availability and not _covered(
                start, end, [(w.start_minute, w.end_minute) for w in today if w.available]
            ):
                outside = True
        if inside_unavailable:
            found.append(InsideUnavailable(shift.person_name, shift))
        elif outside:
            found.append(OutsideAvailability(shift.person_name, shift))
    return found


def missing_skills(shifts: Sequence[PlannedShift], held: Sequence[HeldSkill]) -> list[MissingSkill]:
    """Rule: every skill a shift needs must be held by its person on the shift's day; a certificate
    that expires on or before that day does not count (the warning says when it expired)."""
    holding: dict[tuple[int, int], HeldSkill] = {(h.person_id, h.skill_id): h for h in held}
    found: list[MissingSkill] = []
    for shift in shifts:
        if shift.person_id is None:
            continue
        for skill_id, skill_name in sorted(shift.needs.items(), key=lambda item: item[1]):
            skill = holding.get((shift.person_id, skill_id))
            if skill is None or skill.gained_on > shift.day:
                found.append(MissingSkill(shift.person_name, skill_name, shift))
            elif not skill.valid_on(shift.day):
                found.append(MissingSkill(shift.person_name, skill_name, shift, expired_on=skill.expires_on))
    return found


def open_shifts(shifts: Sequence[PlannedShift]) -> list[OpenShift]:
    """Rule: a shift with nobody on it is pointed out until someone takes it."""
    return [OpenShift(s) for s in shifts if s.person_id is None]


def short_staffed(shifts: Sequence[PlannedShift], needs: Sequence[RoleNeed]) -> list[ShortStaffed]:
    """Rule: on each day the shop opens (a day with any shift planned), each role has at least its
    minimum of different people on it; open shifts do not count."""
    open_days = sorted({s.day for s in shifts})
    people: dict[tuple[date, int], set[int]] = defaultdict(set)
    for shift in shifts:
        if shift.person_id is not None:
            people[(shift.day, shift.role_id)].add(shift.person_id)
    found: list[ShortStaffed] = []
    for day in open_days:
        for need in needs:
            planned = len(people[(day, need.role_id)])
            if planned < need.min_staff:
                found.append(ShortStaffed(need.role_name, day, planned, need.min_staff))
    return found


@dataclass(frozen=True)
class WeekFacts:
    """Everything the rules read about one week beyond its shifts."""

    shop_limit_hours: int
    own_limits: Mapping[int, int | None] = field(default_factory=dict)
    windows: Sequence[Window] = ()
    held: Sequence[HeldSkill] = ()
    needs: Sequence[RoleNeed] = ()
    neighbours: Sequence[PlannedShift] = ()


def week_warnings(shifts: Sequence[PlannedShift], facts: WeekFacts) -> list[RotaWarning]:
    """Every warning for a week's shifts, day-level ones last: double bookings, hours over a limit,
    short rests, availability, skills, open shifts, and days below a role's minimum staff."""
    warnings: list[RotaWarning] = []
    warnings.extend(double_bookings(shifts))
    warnings.extend(over_hours(shifts, facts.shop_limit_hours, facts.own_limits))
    warnings.extend(short_rests(shifts, facts.neighbours))
    warnings.extend(availability_clashes(shifts, facts.windows))
    warnings.extend(missing_skills(shifts, facts.held))
    warnings.extend(open_shifts(shifts))
    warnings.extend(short_staffed(shifts, facts.needs))
    return warnings
