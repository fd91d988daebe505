"""Timesheets: managers see a week per person, correct entries with a reason (audited) and approve
them; each worker sees and confirms or flags their own entries. Approved hours are labour patronage."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bakery.domain import hours as rules
from bakery.domain.clock import business_date, local_day_bounds
from bakery.domain.period_close import Write
from bakery.extensions import db
from bakery.models import TimeCorrection, TimeEntry, User
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.periods import period_for, refuse_if_closed
from bakery.services.race_safety import Mechanism, begin_write, locked, race_safe
from bakery.services.settings import current_settings

MEMBER_WEEKS = 8


def _timezone() -> str:
    return str(current_settings().timezone)


def _utc_range(start: date, end: date, timezone: str) -> tuple[datetime, datetime]:
    """From the start of local day `start` to the start of the day after `end`, in UTC."""
    return local_day_bounds(start, timezone)[0], local_day_bounds(end, timezone)[1]


@dataclass(frozen=True)
class CorrectionRow:
    """A correction with the name of the manager who made it."""

    correction: TimeCorrection
    by_name: str


@dataclass(frozen=True)
class EntryRow:
    """A time entry on a timesheet, with its local day, worked minutes and correction history."""

    entry: TimeEntry
    day: date
    minutes: int
    corrections: list[CorrectionRow]
    overnight: bool  # clocked out on a later local day than clocked in
    stale: bool = False  # still open after the longest possible shift


def _row(
    entry: TimeEntry, tz: str, now: datetime, corrections: list[CorrectionRow] | None = None
) -> EntryRow:
    day = business_date(entry.clock_in, tz)
    return EntryRow(
        entry=entry,
        day=day,
        minutes=entry.minutes,
        corrections=corrections or [],
        overnight=entry.clock_out is not None and business_date(entry.clock_out, tz) != day,
        stale=entry.clock_out is None and now - entry.clock_in > timedelta(minutes=rules.MAX_SHIFT_MINUTES),
    )


@dataclass(frozen=True)
class PersonWeek:
    """One person's week: their entries, totals and what is left to approve."""

    user: User
    rows: list[EntryRow]
    total_minutes: int
    approved_minutes: int
    to_approve: int
    flagged: int


@dataclass(frozen=True)
class Timesheet:
    """A week (Monday to Sunday, shop-local) of everyone's clocked hours."""

    week_start: date
    week_end: date
    people: list[PersonWeek]
    total_minutes: int
    approved_minutes: int

    @property
    def previous_week(self) -> date:
        """The Monday before."""
        return self.week_start - timedelta(days=7)

    @property
    def next_week(self) -> date:
        """The Monday after."""
        return self.week_start + timedelta(days=7)


def _week_entries(monday: date, user_id: int | None = None, *, lock: bool = False) -> list[TimeEntry]:
    low, high = _utc_range(monday, monday + timedelta(days=6), _timezone())
    query = (
        select(TimeEntry)
        .options(joinedload(TimeEntry.user))
        .where(TimeEntry.clock_in >= low, TimeEntry.clock_in < high)
        .order_by(TimeEntry.clock_in, TimeEntry.id)
    )
    if user_id is not None:
        query = query.where(TimeEntry.user_id == user_id)
    if lock:
        # Approving a week must not approve figures a correction changed meanwhile.
        begin_write()
        query = query.with_for_update(of=TimeEntry).execution_options(populate_existing=True)
    return list(db.session.scalars(query))


def _person_week(
    user: User, entries: list[TimeEntry], corrections: dict[int, list[CorrectionRow]]
) -> PersonWeek:
    tz, now = _timezone(), utcnow()
    rows = [_row(e, tz, now, corrections.get(e.id)) for e in entries]
    return PersonWeek(
        user=user,
        rows=rows,
        total_minutes=sum(r.minutes for r in rows),
        approved_minutes=sum(r.minutes for r in rows if r.entry.approved_at is not None),
        to_approve=sum(1 for r in rows if r.entry.approved_at is None and r.entry.clock_out is not None),
        flagged=sum(1 for r in rows if r.entry.member_state == "flagged"),
    )


def _corrections_for(entry_ids: list[int]) -> dict[int, list[CorrectionRow]]:
    found: dict[int, list[CorrectionRow]] = defaultdict(list)
    if entry_ids:
        for correction, by_name in db.session.execute(
            select(TimeCorrection, User.display_name)
            .join(User, User.id == TimeCorrection.by_id)
            .where(TimeCorrection.entry_id.in_(entry_ids))
            .order_by(TimeCorrection.at, TimeCorrection.id)
        ):
            found[correction.entry_id].append(CorrectionRow(correction, by_name))
    return found


def entry_row(entry_id: int) -> EntryRow:
    """One entry with its correction history (managers)."""
    entry = get_entry(entry_id)
    return _row(entry, _timezone(), utcnow(), _corrections_for([entry.id]).get(entry.id))


def timesheet(monday: date) -> Timesheet:
    """The week's entries per person (by name), with in/out/break/minutes, totals and corrections."""
    monday = rules.week_start(monday)
    entries = _week_entries(monday)
    corrections = _corrections_for([e.id for e in entries])
    by_user: dict[int, list[TimeEntry]] = defaultdict(list)
    for entry in entries:
        by_user[entry.user_id].append(entry)
    people = sorted(
        (_person_week(found[0].user, found, corrections) for found in by_user.values()),
        key=lambda p: p.user.display_name.casefold(),
    )
    return Timesheet(
        week_start=monday,
        week_end=monday + timedelta(days=6),
        people=people,
        total_minutes=sum(p.total_minutes for p in people),
        approved_minutes=sum(p.approved_minutes for p in people),
    )


def person_week(user_id: int, monday: date) -> PersonWeek:
    """One person's part of a week's timesheet."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("That person does not exist.")
    entries = _week_entries(rules.week_start(monday), user.id)
    return _person_week(user, entries, _corrections_for([e.id for e in entries]))


def get_entry(entry_id: int) -> TimeEntry:
    """A time entry by id (managers)."""
    entry = db.session.get(TimeEntry, entry_id)
    if entry is None:
        raise NotFound("There is no such time entry.")
    return entry


def _locked_entry(entry_id: int) -> TimeEntry:
    """A time entry locked for a change (a correction and an approval of it run one at a time)."""
    entry = locked(TimeEntry, entry_id)
    if entry is None:
        raise NotFound("There is no such time entry.")
    return entry


def _refuse_if_period_closed(write: Write, *moments: datetime) -> None:
    """Refuse a change about these moments' days once a period holding one is closed (`period_close`)."""
    tz = _timezone()
    refuse_if_closed(write, [business_date(m, tz) for m in moments], "This entry")


@race_safe(Mechanism.ROW_LOCK, guards="the entry row; the period share-locked against its approval")
def correct_entry(
    entry_id: int,
    clock_in: datetime,
    clock_out: datetime | None,
    break_minutes: int,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> tuple[TimeEntry, bool]:
    """Correct a time entry's in, out and break, with a reason; return it and whether it was approved.

    Rule: the values before are kept in a TimeCorrection row (append-only) and the change is
    audited; a reason is required; a correction of an approved entry un-approves it (it needs
    approving again); nothing in a closed period (allocation proposed or approved, see
    `period_close`) changes; an open entry may stay open (no out time) or be closed by the
    correction; the shift must pass `check_shift` and move by at most a day.
    """
    at = now or utcnow()
    entry = _locked_entry(entry_id)
    try:
        text = rules.clean_text(reason, rules.MAX_REASON, "a reason for the correction")
        if clock_out is None and entry.clock_out is not None:
            raise rules.HoursError("Give the clock-out time (a finished shift cannot be reopened).")
        rules.check_shift(clock_in, clock_out, break_minutes, at)
        rules.check_move(entry.clock_in, clock_in)
    except rules.HoursError as refused:
        raise ServiceError(str(refused)) from refused
    _refuse_if_period_closed(Write.CORRECTION, entry.clock_in, clock_in)
    if (entry.clock_in, entry.clock_out, entry.break_minutes) == (clock_in, clock_out, break_minutes):
        raise ServiceError("That is what the entry says already: nothing to correct.")
    was_approved = entry.approved_at is not None
    db.session.add(
        TimeCorrection(
            entry_id=entry.id,
            old_clock_in=entry.clock_in,
            old_clock_out=entry.clock_out,
            old_break_minutes=entry.break_minutes,
            new_clock_in=clock_in,
            new_clock_out=clock_out,
            new_break_minutes=break_minutes,
            reason=text,
            by_id=actor.user_id,
            at=at,
        )
    )
    details: dict[str, Any] = {
        "old": _values(entry.clock_in, entry.clock_out, entry.break_minutes),
        "new": _values(clock_in, clock_out, break_minutes),
        "reason": text,
    }
    if was_approved:
        details["unapproved"] = True
    if entry.member_state:
        details["member_state_was"] = entry.member_state
    entry.clock_in = clock_in
    entry.clock_out = clock_out
    entry.break_minutes = break_minutes
    entry.open_user_id = entry.user_id if clock_out is None else None
    entry.approved_at = None
    entry.approved_by_id = None
    entry.member_state = ""  # the member confirmed or flagged the old figures: ask again
    entry.member_comment = ""
    audit.record("hours.corrected", actor, target=f"time_entry:{entry.id}", details=details, now=at)
    db.session.commit()
    return entry, was_approved


def _values(clock_in: datetime, clock_out: datetime | None, break_minutes: int) -> dict[str, Any]:
    return {
        "in": clock_in.isoformat(),
        "out": clock_out.isoformat() if clock_out else None,
        "break": break_minutes,
    }


def _approve(entry: TimeEntry, actor: Actor, at: datetime, details: dict[str, Any] | None = None) -> None:
    entry.approved_at = at
    entry.approved_by_id = actor.user_id
    audit.record(
        "hours.approved",
        actor,
        target=f"time_entry:{entry.id}",
        details={"minutes": entry.minutes, **(details or {})},
        now=at,
    )


@race_safe(Mechanism.ROW_LOCK, guards="the entry row; the period share-locked against its approval")
def approve_entry(entry_id: int, actor: Actor, now: datetime | None = None) -> TimeEntry:
    """Approve one finished entry (audited); an approved entry counts as labour patronage.

    Rule: open entries cannot be approved; nothing in a closed period changes (`period_close`).
    """
    at = now or utcnow()
    entry = _locked_entry(entry_id)
    if entry.clock_out is None:
        raise ServiceError("This shift is still open: it can be approved once clocked out.")
    if entry.approved_at is not None:
        raise ServiceError("This entry is approved already.")
    _refuse_if_period_closed(Write.APPROVAL, entry.clock_in)
    _approve(entry, actor, at)
    db.session.commit()
    return entry


@dataclass(frozen=True)
class WeekApproval:
    """What approving a person's week did."""

    approved: int
    flagged_left: int
    open_left: int


@race_safe(Mechanism.ROW_LOCK, guards="the week's entry rows; the period share-locked")
def approve_week(user_id: int, monday: date, actor: Actor, now: datetime | None = None) -> WeekApproval:
    """Approve a person's finished, unapproved entries of a week, each audited.

    Rule: entries the worker flagged as wrong are left for the manager to look at one by one;
    open entries are left; if any day is in a closed period, nothing is approved.
    """
    at = now or utcnow()
    monday = rules.week_start(monday)
    entries = _week_entries(monday, user_id, lock=True)
    waiting = [e for e in entries if e.clock_out is not None and e.approved_at is None]
    flagged = [e for e in waiting if e.member_state == "flagged"]
    chosen = [e for e in waiting if e.member_state != "flagged"]
    if not chosen:
        raise ServiceError(
            "Nothing to approve for this week."
            + (
                f" {len(flagged)} flagged by the worker: approve or correct them one by one."
                if flagged
                else ""
            )
        )
    _refuse_if_period_closed(Write.APPROVAL, *(e.clock_in for e in chosen))
    for entry in chosen:
        _approve(entry, actor, at, {"week": monday.isoformat()})
    db.session.commit()
    return WeekApproval(len(chosen), len(flagged), sum(1 for e in entries if e.clock_out is None))


def payroll_csv(monday: date) -> str:
    """A week's approved entries, one row per shift by person: name, date, in, out, break, minutes, hours.

    Rule: no sensitive data (no membership numbers, contact details or notes); cells that a
    spreadsheet would run as a formula are defused.
    """
    monday = rules.week_start(monday)
    low, high = _utc_range(monday, monday + timedelta(days=6), _timezone())
    found = db.session.execute(
        select(User.display_name, TimeEntry.clock_in, TimeEntry.clock_out, TimeEntry.break_minutes)
        .join(User, User.id == TimeEntry.user_id)
        .where(
            TimeEntry.approved_at.is_not(None),
            TimeEntry.clock_out.is_not(None),
            TimeEntry.clock_in >= low,
            TimeEntry.clock_in < high,
        )
    )
    shifts = [rules.Shift(name, clock_in, clock_out, pause) for name, clock_in, clock_out, pause in found]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rules.PAYROLL_HEADER)
    writer.writerows(rules.payroll_rows(shifts, _timezone()))
    return out.getvalue()


@dataclass(frozen=True)
class MemberHours:
    """A member's entries for the period so far (or the last 8 weeks), newest first."""

    rows: list[EntryRow]
    since: date
    until: date
    period_name: str | None
    total_minutes: int
    approved_minutes: int


def member_hours(member_id: int, now: datetime | None = None) -> MemberHours:
    """The member's own entries this financial period, or the last 8 weeks when none is defined."""
    tz = _timezone()
    today = business_date(now or utcnow(), tz)
    period = period_for(today)
    if period is not None:
        since, until = period.starts_on, period.ends_on
    else:
        since, until = rules.week_start(today) - timedelta(weeks=MEMBER_WEEKS - 1), today
    low, high = _utc_range(since, until, tz)
    entries = list(
        db.session.scalars(
            select(TimeEntry)
            .where(TimeEntry.member_id == member_id, TimeEntry.clock_in >= low, TimeEntry.clock_in < high)
            .order_by(TimeEntry.clock_in.desc(), TimeEntry.id.desc())
        )
    )
    at = utcnow()
    rows = [_row(e, tz, at) for e in entries]
    return MemberHours(
        rows=rows,
        since=since,
        until=until,
        period_name=period.name if period else None,
        total_minutes=sum(r.minutes for r in rows),
        approved_minutes=sum(r.minutes for r in rows if r.entry.approved_at is not None),
    )


def member_entry(member_id: int, entry_id: int) -> EntryRow:
    """One of the member's own entries; anyone else's answers 404 (ids cannot be probed)."""
    entry = db.session.get(TimeEntry, entry_id)
    if entry is None or entry.member_id is None or entry.member_id != member_id:
        raise NotFound("There is no such entry in your hours.")
    return _row(entry, _timezone(), utcnow())


@race_safe(Mechanism.ROW_LOCK, guards="the entry row")
def _member_state(
    member_id: int, entry_id: int, state: str, comment: str, actor: Actor, now: datetime | None
) -> EntryRow:
    at = now or utcnow()
    locked(TimeEntry, entry_id)  # the member's answer and a manager's correction run one at a time
    row = member_entry(member_id, entry_id)
    entry = row.entry
    if entry.clock_out is None:
        raise ServiceError("This shift is still open: check it once you have clocked out.")
    _refuse_if_period_closed(Write.FLAG, entry.clock_in)
    entry.member_state = state
    entry.member_comment = comment
    details = {"comment": comment} if comment else {}
    audit.record(f"hours.member_{state}", actor, target=f"time_entry:{entry.id}", details=details, now=at)
    db.session.commit()
    return member_entry(member_id, entry_id)


def confirm_entry(member_id: int, entry_id: int, actor: Actor, now: datetime | None = None) -> EntryRow:
    """The member confirms an entry of theirs is right (audited)."""
    return _member_state(member_id, entry_id, "confirmed", "", actor, now)


def flag_entry(
    member_id: int, entry_id: int, comment: str, actor: Actor, now: datetime | None = None
) -> EntryRow:
    """The member flags an entry of theirs as wrong, saying what is wrong (1-280 characters; audited)."""
    try:
        text = rules.clean_text(comment, rules.MAX_COMMENT, "a comment saying what is wrong")
    except rules.HoursError as refused:
        raise ServiceError(str(refused)) from refused
    return _member_state(member_id, entry_id, "flagged", text, actor, now)
