"""Whole weeks at once: copy last week, save a week as a template for a typical week, apply one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bakery.domain import rota as rules
from bakery.extensions import db
from bakery.models import RotaRole, RotaShift, RotaTemplate, RotaTemplateLine, RotaWeek
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, race_safe
from bakery.services.rota.plan import plannable_people
from bakery.services.rota.shifts import ChangedMeanwhile, week_for_write
from bakery.services.settings import current_settings
from bakery.services.text import clean_name

Line = tuple[
    int, int, int, int, int | None, int, int | None, str
]  # weekday, start, end, role, person, break, skill, note


def _lines_of(week_id: int | None) -> list[Line]:
    if week_id is None:
        return []
    shifts = db.session.scalars(
        select(RotaShift)
        .where(RotaShift.week_id == week_id, RotaShift.cancelled_at.is_(None))
        .order_by(RotaShift.starts_at, RotaShift.id)
    )
    return [
        (
            s.day.weekday(),
            s.start_minute,
            s.end_minute,
            s.role_id,
            s.user_id,
            s.break_minutes,
            s.skill_id,
            s.note,
        )
        for s in shifts
    ]


def _place(week: RotaWeek, lines: list[Line], actor: Actor, at: datetime) -> int:
    """Add the lines to the week as shifts, skipping any the week already has; how many were added.

    People who no longer clock in, and roles no longer in use, leave their shift open or out.
    """
    have = set(_lines_of(week.id))
    people = {u.id for u in plannable_people()}
    roles = set(db.session.scalars(select(RotaRole.id).where(RotaRole.active.is_(True))))
    tz = current_settings().timezone
    added = 0
    for line in lines:
        weekday, start, end, role_id, user_id, break_minutes, skill_id, note = line
        if role_id not in roles:
            continue
        if user_id is not None and user_id not in people:
            user_id = None
        line = (weekday, start, end, role_id, user_id, break_minutes, skill_id, note)
        if line in have:
            continue
        day = week.monday + timedelta(days=weekday)
        try:
            starts_at, ends_at = rules.shift_instants(day, start, end, tz)
        except rules.ShiftTimeError:
            continue  # inside the hour the clocks skip this week: no shift to place
        db.session.add(
            RotaShift(
                week_id=week.id,
                day=day,
                start_minute=start,
                end_minute=end,
                starts_at=starts_at,
                ends_at=ends_at,
                role_id=role_id,
                user_id=user_id,
                break_minutes=break_minutes,
                skill_id=skill_id,
                note=note,
                version=1,
                changed_after_publish=week.published_at is not None,
                created_at=at,
                updated_at=at,
                updated_by_id=actor.user_id,
            )
        )
        have.add(line)
        added += 1
    if added:
        week.version += 1
        week.updated_at = at
    return added


@race_safe(Mechanism.ROW_LOCK, guards="the week's shifts and version (week row)")
def copy_last_week(monday: date, version: int, actor: Actor, *, now: datetime | None = None) -> int:
    """Copy the week before's shifts (same weekdays, times, roles and people) into this week.

    Rule: refused when the week changed since the grid showed `version`; shifts this week already
    has are not doubled; returns how many were added (0 when last week was empty).
    """
    at = now or utcnow()
    week = week_for_write(monday)
    if week.version != version:
        raise ChangedMeanwhile("Someone else changed this week meanwhile: the rota has been reloaded.")
    before = db.session.scalar(select(RotaWeek.id).where(RotaWeek.monday == monday - timedelta(days=7)))
    added = _place(week, _lines_of(before), actor, at)
    if not added:
        db.session.rollback()
        return 0
    audit.record("rota.week_copied", actor, details={"week": f"{monday:%d %b %Y}", "shifts": added}, now=at)
    db.session.commit()
    return added


def templates() -> list[RotaTemplate]:
    """The saved templates, by name."""
    return list(db.session.scalars(select(RotaTemplate).order_by(RotaTemplate.name)))


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="the week read whole (week row); one template per name"
)
def save_template(monday: date, name: str, actor: Actor, *, now: datetime | None = None) -> RotaTemplate:
    """Save the week's shifts as a template under a new name (a typical week to apply later).

    Rule: a name not already used, and a week with shifts.
    """
    at = now or utcnow()
    label = clean_name(name, "template name", 60)
    week = week_for_write(monday)
    lines = _lines_of(week.id)
    if not lines:
        raise ServiceError("This week has no shifts to save as a template.")
    template = RotaTemplate(name=label, created_at=at, created_by_id=actor.user_id)
    template.lines = [
        RotaTemplateLine(
            weekday=w, start_minute=s, end_minute=e, role_id=r, user_id=u, break_minutes=b, skill_id=k
        )
        for w, s, e, r, u, b, k, _ in lines
    ]
    try:
        with db.session.begin_nested():
            db.session.add(template)
    except IntegrityError:
        raise ServiceError(f"There is already a template called {label}: choose another name.") from None
    audit.record("rota.template_saved", actor, details={"name": label, "shifts": len(lines)}, now=at)
    db.session.commit()
    return template


@race_safe(Mechanism.ROW_LOCK, guards="the week's shifts and version (week row)")
def apply_template(
    template_id: int, monday: date, version: int, actor: Actor, *, now: datetime | None = None
) -> int:
    """Add a template's shifts to the week; how many were added (ones already there are skipped).

    Rule: refused when the week changed since the grid showed `version`.
    """
    at = now or utcnow()
    template = db.session.get(RotaTemplate, template_id)
    if template is None:
        raise NotFound("That template does not exist.")
    name = template.name
    lines: list[Line] = [
        (
            ln.weekday,
            ln.start_minute,
            ln.end_minute,
            ln.role_id,
            ln.user_id,
            ln.break_minutes,
            ln.skill_id,
            "",
        )
        for ln in template.lines
    ]
    week = week_for_write(monday)
    if week.version != version:
        raise ChangedMeanwhile("Someone else changed this week meanwhile: the rota has been reloaded.")
    added = _place(week, lines, actor, at)
    if not added:
        db.session.rollback()
        return 0
    audit.record(
        "rota.template_applied",
        actor,
        details={"name": name, "week": f"{monday:%d %b %Y}", "shifts": added},
        now=at,
    )
    db.session.commit()
    return added
