"""Planned against clocked: each planned shift matched to its person's clock-in, late and missing
flagged, and the cost of labour in whole pence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bakery.domain.rota import PlannedShift


@dataclass(frozen=True)
class ClockedSpan:
    """A clock entry as planned-vs-clocked sees it (`clock_out` None while still clocked in)."""

    person_id: int
    clock_in: datetime
    clock_out: datetime | None


@dataclass(frozen=True)
class Attendance:
    """A planned shift against the clock: late by some minutes, missing, or on time."""

    shift: PlannedShift
    clocked_in: datetime | None
    late_minutes: int
    missing: bool

    @property
    def flag(self) -> str:
        """ "missing", "late" or "" (on time, or not started yet)."""
        if self.missing:
            return "missing"
        return "late" if self.late_minutes > 0 else ""


#: Clocking in up to this long before a shift or after its start counts towards that shift.
MATCH_BEFORE = timedelta(hours=2)
#: Later than this after the start is late.
GRACE = timedelta(minutes=5)


def attendance(
    shifts: Sequence[PlannedShift], clocked: Sequence[ClockedSpan], now: datetime
) -> list[Attendance]:
    """Rule: a planned shift is matched to its person's first clock-in from two hours before it
    starts until it ends. Clocked in more than 5 minutes after the start is late (by the minutes
    past the start); no clock-in once the grace has passed is missing. A shift not yet started (or
    within its grace) has no flag. Each clock-in matches one shift at most."""
    used: set[tuple[int, datetime]] = set()
    result: list[Attendance] = []
    for shift in sorted(shifts, key=lambda s: (s.starts_at, s.id)):
        if shift.person_id is None:
            continue
        match = None
        for span in sorted(clocked, key=lambda c: c.clock_in):
            key = (span.person_id, span.clock_in)
            if span.person_id != shift.person_id or key in used:
                continue
            if shift.starts_at - MATCH_BEFORE <= span.clock_in < shift.ends_at:
                match = span
                used.add(key)
                break
        if match is not None:
            late = match.clock_in - shift.starts_at
            late_minutes = int(late.total_seconds() // 60) if late > GRACE else 0
            result.append(Attendance(shift, match.clock_in, late_minutes, missing=False))
        else:
            due = now > shift.starts_at + GRACE
            result.append(Attendance(shift, None, 0, missing=due))
    return result


def labour_cost_pence(worked_minutes: int, hourly_rate_pence: int) -> int:
    """Rule: cost = minutes * hourly rate / 60, rounded half up to a whole penny (integers only)."""
    return (worked_minutes * hourly_rate_pence * 2 + 60) // 120
