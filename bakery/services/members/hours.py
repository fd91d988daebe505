"""Clocked hours: clock in and out with a PIN on a paired till, timesheets, corrections, approval,
the member's confirm/flag, the payroll CSV and approved minutes as worker members' labour patronage.
"""

from __future__ import annotations

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

from bakery.domain import hours as rules
from bakery.domain.clock import business_date, to_local
from bakery.domain.period_close import Write
from bakery.extensions import db
from bakery.models import Member, TillDevice, TimeEntry, User
from bakery.models.types import utcnow
from bakery.services import audit, periods
from bakery.services.audit import Actor
from bakery.services.auth import check_till_pin
from bakery.services.errors import ServiceError
from bakery.services.members.timesheets import (
    CorrectionRow as CorrectionRow,
)
from bakery.services.members.timesheets import (
    EntryRow as EntryRow,
)
from bakery.services.members.timesheets import (
    MemberHours as MemberHours,
)
from bakery.services.members.timesheets import (
    PersonWeek as PersonWeek,
)
from bakery.services.members.timesheets import (
    Timesheet as Timesheet,
)
from bakery.services.members.timesheets import (
    WeekApproval as WeekApproval,
)
from bakery.services.members.timesheets import (
    _row,
    _timezone,
    _utc_range,
)
from bakery.services.members.timesheets import (
    approve_entry as approve_entry,
)
from bakery.services.members.timesheets import (
    approve_week as approve_week,
)
from bakery.services.members.timesheets import (
    confirm_entry as confirm_entry,
)
from bakery.services.members.timesheets import (
    correct_entry as correct_entry,
)
from bakery.services.members.timesheets import (
    entry_row as entry_row,
)
from bakery.services.members.timesheets import (
    flag_entry as flag_entry,
)
from bakery.services.members.timesheets import (
    get_entry as get_entry,
)
from bakery.services.members.timesheets import (
    member_entry as member_entry,
)
from bakery.services.members.timesheets import (
    member_hours as member_hours,
)
from bakery.services.members.timesheets import (
    payroll_csv as payroll_csv,
)
from bakery.services.members.timesheets import (
    person_week as person_week,
)
from bakery.services.members.timesheets import (
    timesheet as timesheet,
)
from bakery.services.race_safety import FORM_KEY, Mechanism, race_safe


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


def approved_minutes_by_member(start: date, end: date, member_id: int | None = None) -> dict[int, int]:
    """Approved worked minutes per member for shifts starting on shop-local days start..end (inclusive).

    Rule: these are the labour patronage of worker members; only approved, closed entries linked
    to a member count; summed in SQL (never by loading rows). The caller picks which classes
    measure hours. With `member_id`, only that member's.
    """
    low, high = _utc_range(start, end, _timezone())
    rows = db.session.execute(
        select(TimeEntry.member_id, func.sum(entry_minutes_sql()))
        .where(
            TimeEntry.member_id.is_not(None) if member_id is None else TimeEntry.member_id == member_id,
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
    notice: str = ""  # e.g. the shift began in a period that has since closed


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
    """The person who tapped their tile, if the PIN is right on a paired till (see `check_till_pin`)."""
    return check_till_pin(user_id, pin, device, actor, now, unpaired_action="hours.clock_unpaired_device")


def _entry_for_key(column: Any, key: str | None, user_id: int) -> TimeEntry | None:
    """The entry a clock form with this key already made (the caller holds the user's row lock)."""
    if key is None:
        return None
    if not FORM_KEY.match(key):
        raise ServiceError("This clock form is out of date. Tap your name again.")
    return db.session.scalar(select(TimeEntry).where(column == key, TimeEntry.user_id == user_id))


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="one open entry per person; one clock-in per form key; today's period share-locked",
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
    entry is linked to the person's member record when they are a member; it counts in the period
    of today (`period_close`: after a close, the next one, opened if need be). With the form's `key`,
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
    periods.period_for_write(Write.CLOCK_IN, business_date(at, _timezone()), who, at)
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
    guards="the open entry is closed once (conditional update); one clock-out per form key; the "
    "shift's period share-locked",
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
    the real time on the timesheet). A shift counts in the period of the day it began; a clock-out
    is never refused for its period, but a shift begun in a period since closed (`period_close`)
    is recorded with a notice that it counts nowhere until allocated as an adjustment. With the
    form's `key`, a double tap or a retried request answers with the clock-out the first one made.
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
    where = periods.refuse_if_closed(Write.CLOCK_OUT, [business_date(entry.clock_in, _timezone())])
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
    details: dict[str, Any] = {"break_minutes": break_minutes}
    if where.notice:
        details["counts_nowhere"] = where.notice
    audit.record(
        "hours.clocked_out",
        who,
        target=f"time_entry:{entry.id}",
        details=details,
        now=at,
    )
    db.session.commit()
    return Clocked(user, entry, "out", at, entry.minutes, where.notice)


# --- Timesheets (managers) ------------------------------------------------------------------------


# --- The member's own entries ---------------------------------------------------------------------
