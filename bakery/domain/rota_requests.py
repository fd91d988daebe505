"""What members ask of the rota: when they can and cannot work, swaps of a shift, and time off.

A "not available" window never carries a reason: a curfew, a probation appointment or a hospital
visit are all just hours a person cannot work, and the rota must not become a record of why.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bakery.domain.rota import HeldSkill
from bakery.domain.rota_times import DAY_MINUTES

#: How far ahead a member may ask for time off, and the longest single request.
TIME_OFF_HORIZON_DAYS = 366
TIME_OFF_LONGEST_DAYS = 62

#: A swap moves through these states; a manager decides only once another person has accepted.
SWAP_NEXT: dict[str, frozenset[str]] = {
    "requested": frozenset({"accepted", "withdrawn", "refused"}),
    "accepted": frozenset({"approved", "refused", "withdrawn"}),
    "approved": frozenset(),
    "refused": frozenset(),
    "withdrawn": frozenset(),
}
TIME_OFF_NEXT: dict[str, frozenset[str]] = {
    "requested": frozenset({"approved", "refused", "withdrawn"}),
    "approved": frozenset({"withdrawn"}),
    "refused": frozenset(),
    "withdrawn": frozenset(),
}


class RequestError(ValueError):
    """A request that the rota's rules refuse; the message says why in plain words."""


@dataclass(frozen=True)
class WindowRequest:
    """A window as a member states it: every week on a weekday, or on one date."""

    start_minute: int
    end_minute: int
    available: bool
    weekday: int | None = None
    on_date: date | None = None


def check_window(window: WindowRequest, today: date) -> None:
    """Rule: a window is on exactly one weekday (0 = Monday) or one date not in the past, and runs
    forward within one day (an end of 24:00 is midnight); a window over midnight is two windows."""
    if (window.weekday is None) == (window.on_date is None):
        raise RequestError("Choose a day of the week or a date.")
    if window.weekday is not None and not 0 <= window.weekday <= 6:
        raise RequestError("Choose a day of the week from the list.")
    if window.on_date is not None and window.on_date < today:
        raise RequestError("That date has passed: choose today or a later date.")
    if not 0 <= window.start_minute < DAY_MINUTES or not 0 < window.end_minute <= DAY_MINUTES:
        raise RequestError("Times run from 00:00 to 24:00.")
    if window.end_minute <= window.start_minute:
        raise RequestError("The end must be after the start (for hours past midnight, add the next day too).")


def check_time_off(first: date, last: date, today: date) -> None:
    """Rule: time off runs from a day not in the past to a day on or after it, starts within a
    year, and asks for at most 62 days at once."""
    if first < today:
        raise RequestError("Time off cannot start in the past.")
    if last < first:
        raise RequestError("The last day off must be on or after the first.")
    if first > today + timedelta(days=TIME_OFF_HORIZON_DAYS):
        raise RequestError("Time off can be asked for up to a year ahead.")
    if (last - first).days + 1 > TIME_OFF_LONGEST_DAYS:
        raise RequestError(f"Ask for at most {TIME_OFF_LONGEST_DAYS} days at once.")


def check_move(states: dict[str, frozenset[str]], current: str, wanted: str) -> None:
    """Rule: a request moves only along its states (a decided request stays decided)."""
    if wanted not in states.get(current, frozenset()):
        raise RequestError(f"This request is already {current}.")


def qualified(person_id: int, needs: Collection[int], held: Sequence[HeldSkill], day: date) -> bool:
    """Rule: a person may take a shift when they hold, valid on its day, every skill it needs."""
    valid = {h.skill_id for h in held if h.person_id == person_id and h.valid_on(day)}
    return all(skill_id in valid for skill_id in needs)


def time_off_windows(person_id: int, first: date, last: date) -> list[tuple[int, date]]:
    """Approved time off as whole days the person is not available (each day from first to last)."""
    return [(person_id, first + timedelta(days=n)) for n in range((last - first).days + 1)]
