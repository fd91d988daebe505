"""Planning a week: add, change (move to another day or person), copy and remove shifts, and
publish the week.

Every write locks the week's row first (`rota_weeks`, created once per Monday by its UNIQUE key),
so two managers editing the same week run one after the other and each sees what the other wrote.
A change to an existing shift carries the version the manager's grid showed: when someone else
changed that shift meanwhile, the change is refused with a plain message and the grid reloads, so
nothing is overwritten unseen. Publishing carries the week's version for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bakery.domain import rota as rules
from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.models import RotaRole, RotaShift, RotaSkill, RotaWeek, User
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, begin_write, locked, race_safe
from bakery.services.rota.plan import check_monday, plannable_people
from bakery.services.settings import current_settings
from bakery.services.text import optional_text

#: The longest break a shift may have, in minutes (a typo guard).
MAX_BREAK = 180


class ChangedMeanwhile(ServiceError):
    """Someone else changed the week or the shift since this manager's grid was drawn."""

    status = 409


@dataclass(frozen=True)
class ShiftIn:
    """A shift as a manager's form gives it: a local day, wall-clock minutes (an end at or before
    the start is the next morning), a role, a person or nobody (an open shift)."""

    day: date
    start_minute: int
    end_minute: int
    role_id: int
    user_id: int | None = None
    break_minutes: int = 0
    skill_id: int | None = None
    note: str = ""


def week_for_write(monday: date) -> RotaWeek:
    """The week's row, created if it is new, and locked for the rest of the transaction.

    Rule: a Monday within ten years of today; one row per Monday (UNIQUE); two requests creating
    it together both end up with the one row (the loser's insert rolls back to its savepoint and
    reads the winner's).
    """
    check_monday(monday, business_date(utcnow(), current_settings().timezone))
    begin_write()
    week = db.session.scalar(select(RotaWeek).where(RotaWeek.monday == monday))
    if week is None:
        try:
            with db.session.begin_nested():
                week = RotaWeek(monday=monday, version=0, updated_at=utcnow())
                db.session.add(week)
        except IntegrityError:
            week = db.session.scalar(select(RotaWeek).where(RotaWeek.monday == monday))
            if week is None:  # pragma: no cover - the winner's row is committed by now
                raise ServiceError("The week could not be opened: try again.") from None
    found = locked(RotaWeek, week.id)
    if found is None:  # pragma: no cover - weeks are never deleted
        raise ServiceError("The week could not be opened: try again.")
    return found


def _touch(week: RotaWeek, at: datetime) -> None:
    week.version += 1
    week.updated_at = at


def _checked(data: ShiftIn, week: RotaWeek) -> tuple[int, int, str]:
    """Validate a shift's fields against the week; its minutes and cleaned note."""
    if not week.monday <= data.day <= week.monday + timedelta(days=6):
        raise ServiceError("That day is not in this week.")
    try:
        start, end = rules.span_minutes(data.start_minute, data.end_minute)
        rules.shift_instants(data.day, start, end, current_settings().timezone)
    except rules.ShiftTimeError as wrong:
        raise ServiceError(str(wrong)) from wrong
    if not 0 <= data.break_minutes <= MAX_BREAK:
        raise ServiceError(f"A break is 0 to {MAX_BREAK} minutes.")
    if data.break_minutes >= end - start:
        raise ServiceError("The break is as long as the shift.")
    role = db.session.get(RotaRole, data.role_id)
    if role is None or not role.active:
        raise ServiceError("Choose a role for the shift.")
    if data.user_id is not None and data.user_id not in {u.id for u in plannable_people()}:
        raise ServiceError("That person cannot be put on the rota (they need a till PIN).")
    if data.skill_id is not None and db.session.get(RotaSkill, data.skill_id) is None:
        raise ServiceError("That skill does not exist.")
    return start, end, optional_text(data.note, "note", 200)


def _fill(
    shift: RotaShift, data: ShiftIn, start: int, end: int, note: str, actor: Actor, at: datetime
) -> None:
    starts_at, ends_at = rules.shift_instants(data.day, start, end, current_settings().timezone)
    shift.day = data.day
    shift.start_minute, shift.end_minute = start, end
    shift.starts_at, shift.ends_at = starts_at, ends_at
    shift.role_id = data.role_id
    shift.user_id = data.user_id
    shift.break_minutes = data.break_minutes
    shift.skill_id = data.skill_id
    shift.note = note
    shift.updated_at = at
    shift.updated_by_id = actor.user_id


def _person_ref(user_id: int | None) -> str:
    return f"user:{user_id}" if user_id is not None else ""


def _details(shift: RotaShift) -> dict[str, object]:
    return {
        "when": f"{shift.day:%a %d %b} {rules.clock_text(shift.start_minute)}-"
        f"{rules.clock_text(shift.end_minute % rules.DAY_MINUTES)}",
        "role": shift.role.name if shift.role else "",
    }


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="the week's shifts and version (week row, one per Monday)",
)
def add_shift(data: ShiftIn, actor: Actor, *, now: datetime | None = None) -> RotaShift:
    """Add a shift to the week holding its day (the week is created when it is new).

    Rule: a day of the week, a valid span (at most 24 h; an end at or before the start is the next
    morning), a break shorter than the shift, an active role, a person who clocks in or nobody.
    A shift added to a published week is marked as changed after publishing.
    """
    at = now or utcnow()
    week = week_for_write(rules.monday_of(data.day))
    start, end, note = _checked(data, week)
    shift = RotaShift(
        week_id=week.id, version=1, created_at=at, changed_after_publish=week.published_at is not None
    )
    _fill(shift, data, start, end, note, actor, at)
    db.session.add(shift)
    _touch(week, at)
    db.session.flush()
    audit.record(
        "rota.shift_added", actor, target=_person_ref(shift.user_id), details=_details(shift), now=at
    )
    db.session.commit()
    return shift


def _locked_shift(shift_id: int, version: int | None) -> tuple[RotaShift, RotaWeek]:
    """A shift and its week, the week locked; refused when the shift changed since `version`."""
    shift = db.session.get(RotaShift, shift_id)
    if shift is None or shift.cancelled_at is not None:
        raise NotFound("That shift does not exist (it may have been removed).")
    week = locked(RotaWeek, shift.week_id)
    shift = db.session.get(RotaShift, shift_id)  # read again under the week's lock
    if week is None or shift is None or shift.cancelled_at is not None:
        raise ChangedMeanwhile("Someone else removed that shift meanwhile: the rota has been reloaded.")
    if version is not None and shift.version != version:
        raise ChangedMeanwhile("Someone else changed that shift meanwhile: the rota has been reloaded.")
    return shift, week


@race_safe(Mechanism.ROW_LOCK, guards="the shift's version and the week's (week row)")
def change_shift(
    shift_id: int, version: int | None, data: ShiftIn, actor: Actor, *, now: datetime | None = None
) -> RotaShift:
    """Change a shift: its day (within its week), times, role, person (or nobody), break, skill, note.

    Rule: the same checks as adding; refused when the shift changed since the grid showed
    `version`. In a published week the shift is marked as changed after publishing.
    """
    at = now or utcnow()
    shift, week = _locked_shift(shift_id, version)
    start, end, note = _checked(data, week)
    before = _details(shift) | {"person": shift.user_id}
    _fill(shift, data, start, end, note, actor, at)
    shift.version += 1
    if week.published_at is not None:
        shift.changed_after_publish = True
    _touch(week, at)
    db.session.flush()
    db.session.refresh(shift, ["role"])
    audit.record(
        "rota.shift_changed",
        actor,
        target=_person_ref(shift.user_id),
        details=_details(shift) | {"before": before["when"]},
        now=at,
    )
    db.session.commit()
    return shift


@race_safe(Mechanism.ROW_LOCK, guards="the week's shifts and version (week row)")
def copy_shift(
    shift_id: int, day: date, user_id: int | None, actor: Actor, *, now: datetime | None = None
) -> RotaShift:
    """Copy a shift to another day of its week, for the same person or another (or nobody).

    Rule: the copy passes the same checks as a new shift.
    """
    at = now or utcnow()
    source, week = _locked_shift(shift_id, None)
    data = ShiftIn(
        day=day,
        start_minute=source.start_minute,
        end_minute=source.end_minute,
        role_id=source.role_id,
        user_id=user_id,
        break_minutes=source.break_minutes,
        skill_id=source.skill_id,
        note=source.note,
    )
    start, end, note = _checked(data, week)
    shift = RotaShift(
        week_id=week.id, version=1, created_at=at, changed_after_publish=week.published_at is not None
    )
    _fill(shift, data, start, end, note, actor, at)
    db.session.add(shift)
    _touch(week, at)
    db.session.flush()
    db.session.refresh(shift, ["role"])
    audit.record(
        "rota.shift_added", actor, target=_person_ref(shift.user_id), details=_details(shift), now=at
    )
    db.session.commit()
    return shift


@race_safe(Mechanism.ROW_LOCK, guards="the shift's version and the week's (week row)")
def remove_shift(shift_id: int, version: int | None, actor: Actor, *, now: datetime | None = None) -> None:
    """Remove a shift: deleted from a draft week; in a published week kept as cancelled, so the
    person is told on their next visit. Refused when the shift changed since `version`."""
    at = now or utcnow()
    shift, week = _locked_shift(shift_id, version)
    details = _details(shift)
    person = shift.user_id
    if week.published_at is None:
        db.session.delete(shift)
    else:
        shift.cancelled_at = at
        shift.changed_after_publish = True
        shift.version += 1
        shift.updated_at = at
        shift.updated_by_id = actor.user_id
    _touch(week, at)
    audit.record("rota.shift_removed", actor, target=_person_ref(person), details=details, now=at)
    db.session.commit()


@race_safe(Mechanism.ROW_LOCK, guards="the week's version and published state (week row)")
def publish_week(monday: date, version: int, actor: Actor, *, now: datetime | None = None) -> RotaWeek:
    """Publish a week: members see their shifts in it from now on; later changes are marked.

    Rule: refused when the week changed since the manager's grid showed `version` (they publish
    what they have seen), when it has no shifts, or when it is already published.
    """
    at = now or utcnow()
    week = week_for_write(monday)
    if week.published_at is not None:
        raise ChangedMeanwhile("This week is already published: the rota has been reloaded.")
    if week.version != version:
        raise ChangedMeanwhile("Someone else changed this week meanwhile: check it again, then publish.")
    count = db.session.scalar(
        select(db.func.count()).where(RotaShift.week_id == week.id, RotaShift.cancelled_at.is_(None))
    )
    if not count:
        raise ServiceError("There are no shifts to publish in this week.")
    week.published_at = at
    week.published_by_id = actor.user_id
    week.published_version = week.version + 1
    _touch(week, at)
    audit.record(
        "rota.published", actor, details={"week": f"{monday:%d %b %Y}", "shifts": int(count)}, now=at
    )
    db.session.commit()
    return week


def person_name(user_id: int | None) -> str:
    """A person's display name ("nobody" for an open shift)."""
    if user_id is None:
        return "nobody"
    user = db.session.get(User, user_id)
    return user.display_name if user else "nobody"
