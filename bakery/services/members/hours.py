"""Clocked hours: clock in and out with a PIN on a paired till, timesheets, corrections, approval,
the member's confirm/flag, the payroll CSV and approved minutes as worker members' labour patronage.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from werkzeug.security import check_password_hash

from bakery.domain import hours as rules
from bakery.domain.clock import business_date, local_day_bounds, to_local
from bakery.domain.lockout import after_success
from bakery.extensions import db
from bakery.models import Member, TillDevice, TimeCorrection, TimeEntry, User
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.auth.sign_in import (
    SignInRefused,
    _apply,
    _count_failure,
    _lock_state,
    _minutes_left,
    _refuse_if_locked,
)
from bakery.services.errors import NotFound, ServiceError
from bakery.services.periods import period_for, refuse_if_locked
from bakery.services.race_safety import FORM_KEY, Mechanism, begin_write, locked, race_safe
from bakery.services.settings import current_settings

MEMBER_WEEKS = 8


class AlreadyClockedIn(ServiceError):
    """The person is clocked in already (one open entry per person)."""

    status = 409


class NotClockedIn(ServiceError):
    """The person is not clocked in, so cannot clock out."""

    status = 409


# --- SQL: worked minutes on either engine ---------------------------------------------------------


class worked_minutes(FunctionElement[int]):
    """`max(whole minutes from clock_in to clock_out - break, 0)`, computed in SQL.

    SQLite stores timestamps as text and PostgreSQL as timestamptz, so each engine gets its own
    expression; both floor whole seconds to minutes exactly as `domain.hours.minutes_worked` does.
    """

    type = Integer()
    inherit_cache = True
    name = "worked_minutes"


@compiles(worked_minutes, "sqlite")
def _worked_minutes_sqlite(element: worked_minutes, compiler: SQLCompiler, **kw: Any) -> str:
    start, end, pause = (compiler.process(c, **kw) for c in element.clauses)
    seconds = f"(CAST(strftime('%s', {end}) AS INTEGER) - CAST(strftime('%s', {start}) AS INTEGER))"
    return f"max({seconds} / 60 - {pause}, 0)"


@compiles(worked_minutes, "postgresql")
def _worked_minutes_postgresql(element: worked_minutes, compiler: SQLCompiler, **kw: Any) -> str:
    start, end, pause = (compiler.process(c, **kw) for c in element.clauses)
    minutes = f"CAST(FLOOR(EXTRACT(EPOCH FROM ({end} - {start})) / 60) AS INTEGER)"
    return f"GREATEST({minutes} - {pause}, 0)"


def entry_minutes_sql() -> ColumnElement[int]:
    """A time entry's worked minutes as an SQL expression (0 rows while open: filter on clock_out)."""
    return worked_minutes(TimeEntry.clock_in, TimeEntry.clock_out, TimeEntry.break_minutes)


def _timezone() -> str:
    return str(current_settings().timezone)


def _utc_range(start: date, end: date, timezone: str) -> tuple[datetime, datetime]:
    """From the start of local day `start` to the start of the day after `end`, in UTC."""
    return local_day_bounds(start, timezone)[0], local_day_bounds(end, timezone)[1]


def approved_minutes_by_member(start: date, end: date) -> dict[int, int]:
    """Approved worked minutes per member for shifts starting on shop-local days start..end (inclusive).

    Rule: these are the labour patronage of worker members; only approved, closed entries linked
    to a member count; summed in SQL (never by loading rows). The caller picks which classes
    measure hours.
    """
    low, high = _utc_range(start, end, _timezone())
    rows = db.session.execute(
        select(TimeEntry.member_id, func.sum(entry_minutes_sql()))
        .where(
            TimeEntry.member_id.is_not(None),
            TimeEntry.approved_at.is_not(None),
            TimeEntry.clock_out.is_not(None),
            TimeEntry.clock_in >= low,
            TimeEntry.clock_in < high,
        )
        .group_by(TimeEntry.member_id)
    )
    return {int(member_id): int(total or 0) for member_id, total in rows}


# --- Clocking in and out at the till ---------------------------------------------------------------


@dataclass(frozen=True)
class Clocked:
    """What the till shows after a clock-in or clock-out."""

    user: User
    entry: TimeEntry
    action: str  # "in" or "out"
    at: datetime
    minutes: int


def open_entry(user_id: int) -> TimeEntry | None:
    """The person's open time entry (clocked in, not yet out), if any."""
    return db.session.scalar(select(TimeEntry).where(TimeEntry.open_user_id == user_id))


def open_entries(now: datetime | None = None) -> list[EntryRow]:
    """Everyone clocked in now, longest in first (`stale` when in for longer than a shift can be)."""
    tz, at = _timezone(), now or utcnow()
    found = db.session.scalars(
        select(TimeEntry)
        .options(joinedload(TimeEntry.user))
        .where(TimeEntry.open_user_id.is_not(None))
        .order_by(TimeEntry.clock_in)
    )
    return [_row(entry, tz, at) for entry in found]


def _hhmm(moment: datetime) -> str:
    return to_local(moment, _timezone()).strftime("%H:%M")


def _since(moment: datetime, now: datetime) -> str:
    tz = _timezone()
    if business_date(moment, tz) == business_date(now, tz):
        return _hhmm(moment)
    return to_local(moment, tz).strftime("%a %d %b %H:%M")


@race_safe(Mechanism.ROW_LOCK, guards="the user's failure count and lock-out (user row)")
def _check_pin(user_id: int, pin: str, device: TillDevice | None, actor: Actor, now: datetime) -> User:
    """The person who tapped their tile, if the PIN is right on a paired till.

    Rule: an unpaired or revoked device is refused without checking the PIN; a locked user is
    refused; a wrong PIN counts towards the user's lock-out (committed and audited, PIN never logged).
    """
    if device is None or not device.is_active or not device.till.active:
        audit.record("hours.clock_unpaired_device", actor, target=f"user:{user_id}", now=now)
        db.session.commit()
        raise SignInRefused("This device is not paired with a till. Ask a manager to pair it.")
    user = locked(User, user_id)
    if user is None or not user.active or not user.works_till:
        raise NotFound("Choose your name on the till first.")
    _refuse_if_locked(user, actor, now, "pin")
    if not check_password_hash(user.pin_hash or "", pin or ""):
        _count_failure(user, actor, now, "pin")
        if user.locked_until and user.locked_until > now:
            raise SignInRefused(
                f"Wrong PIN. {user.first_name} is now locked out for {_minutes_left(user, now)}."
            )
        remaining = 5 - user.failed_attempts
        raise SignInRefused(f"Wrong PIN. {remaining} more wrong and {user.first_name} is locked out.")
    _apply(user, after_success(_lock_state(user)))
    return user


def _entry_for_key(column: Any, key: str | None, user_id: int) -> TimeEntry | None:
    """The entry a clock form with this key already made (the caller holds the user's row lock)."""
    if key is None:
        return None
    if not FORM_KEY.match(key):
        raise ServiceError("This clock form is out of date. Tap your name again.")
    return db.session.scalar(select(TimeEntry).where(column == key, TimeEntry.user_id == user_id))


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="one open entry per person; one clock-in per form key"
)
def clock_in(
    user_id: int,
    pin: str,
    device: TillDevice | None,
    actor: Actor,
    now: datetime | None = None,
    *,
    key: str | None = None,
) -> Clocked:
    """Clock a person in with their PIN on a paired till.

    Rule: one open entry per person (a unique key; a second till gets a clear refusal); the
    entry is linked to the person's member record when they are a member. With the form's `key`,
    a double tap or a retried request answers with the clock-in the first one made.
    """
    at = (now or utcnow()).replace(microsecond=0)
    user = _check_pin(user_id, pin, device, actor, at)
    assert device is not None  # noqa: S101  (checked by _check_pin)
    who = Actor(user.id, device.till_id, actor.address)
    done = _entry_for_key(TimeEntry.clock_in_key, key, user.id)
    if done is not None:
        return Clocked(user, done, "in", done.clock_in, 0)
    already = open_entry(user.id)
    if already is not None:
        since = _since(already.clock_in, at)
        raise AlreadyClockedIn(f"{user.first_name} is already clocked in (since {since}). Nothing changed.")
    member_id = db.session.scalar(select(Member.id).where(Member.user_id == user.id))
    entry = TimeEntry(
        user_id=user.id,
        member_id=member_id,
        till_id=device.till_id,
        clock_in=at,
        break_minutes=0,
        open_user_id=user.id,
        member_state="",
        member_comment="",
        clock_in_key=key,
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        db.session.rollback()
        found = open_entry(user_id)
        since = f" (since {_since(found.clock_in, at)})" if found else ""
        raise AlreadyClockedIn(f"{user.first_name} is already clocked in{since}. Nothing changed.") from None
    audit.record("hours.clocked_in", who, target=f"time_entry:{entry.id}", now=at)
    db.session.commit()
    return Clocked(user, entry, "in", at, 0)


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.CONDITIONAL_UPDATE,
    Mechanism.UNIQUE_KEY,
    guards="the open entry is closed once (conditional update); one clock-out per form key",
)
def clock_out(
    user_id: int,
    pin: str,
    device: TillDevice | None,
    actor: Actor,
    break_minutes: int = 0,
    now: datetime | None = None,
    *,
    key: str | None = None,
) -> Clocked:
    """Clock a person out with their PIN, recording their breaks (0-240 minutes).

    Rule: the open entry is closed with a conditional UPDATE, so two tills cannot both close it;
    a shift over 16 hours is not closed here (the person forgot to clock out: a manager puts in
    the real time on the timesheet). With the form's `key`, a double tap or a retried request
    answers with the clock-out the first one made.
    """
    at = (now or utcnow()).replace(microsecond=0)
    user = _check_pin(user_id, pin, device, actor, at)
    assert device is not None  # noqa: S101  (checked by _check_pin)
    who = Actor(user.id, device.till_id, actor.address)
    done = _entry_for_key(TimeEntry.clock_out_key, key, user.id)
    if done is not None and done.clock_out is not None:
        return Clocked(user, done, "out", done.clock_out, done.minutes)
    entry = open_entry(user.id)
    if entry is None:
        raise NotClockedIn(f"{user.first_name} is not clocked in. Nothing changed.")
    if at - entry.clock_in > timedelta(minutes=rules.MAX_SHIFT_MINUTES):
        raise ServiceError(
            f"{user.first_name} has been clocked in since {_since(entry.clock_in, at)}, over "
            f"{rules.MAX_SHIFT_MINUTES // 60} hours. Ask a manager to put in the real clock-out time "
            "on the timesheet."
        )
    try:
        rules.check_shift(entry.clock_in, at, break_minutes, at)
    except rules.HoursError as refused:
        raise ServiceError(str(refused)) from refused
    closed = db.session.execute(
        update(TimeEntry)
        .where(TimeEntry.id == entry.id, TimeEntry.open_user_id == user.id)
        .values(clock_out=at, break_minutes=break_minutes, open_user_id=None, clock_out_key=key)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise NotClockedIn(f"{user.first_name} has just been clocked out elsewhere. Nothing changed.")
    db.session.refresh(entry)
    audit.record(
        "hours.clocked_out",
        who,
        target=f"time_entry:{entry.id}",
        details={"break_minutes": break_minutes},
        now=at,
    )
    db.session.commit()
    return Clocked(user, entry, "out", at, entry.minutes)


# --- Timesheets (managers) ------------------------------------------------------------------------


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


def _refuse_if_period_locked(*moments: datetime) -> None:
    tz = _timezone()
    for day in sorted({business_date(m, tz) for m in moments}):
        refuse_if_locked(day, "This entry")


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
    approving again); nothing in a period whose allocation is approved changes; an open entry
    may stay open (no out time) or be closed by the correction; the shift must pass
    `check_shift` and move by at most a day.
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
    _refuse_if_period_locked(entry.clock_in, clock_in)
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

    Rule: open entries cannot be approved; nothing in a locked period changes.
    """
    at = now or utcnow()
    entry = _locked_entry(entry_id)
    if entry.clock_out is None:
        raise ServiceError("This shift is still open: it can be approved once clocked out.")
    if entry.approved_at is not None:
        raise ServiceError("This entry is approved already.")
    _refuse_if_period_locked(entry.clock_in)
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
    open entries are left; if any day is in a locked period, nothing is approved.
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
    _refuse_if_period_locked(*(e.clock_in for e in chosen))
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


# --- The member's own entries ---------------------------------------------------------------------


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
    _refuse_if_period_locked(entry.clock_in)
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
