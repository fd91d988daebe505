"""Reading a rota week: its shifts as the grid shows them (by person and by role, day by day) and the
warnings the rules find in it while it is planned."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bakery.domain import rota as rules
from bakery.domain.rota_attendance import labour_cost_pence
from bakery.domain.rota_requests import time_off_windows
from bakery.domain.rota_times import DAY_MINUTES
from bakery.extensions import db
from bakery.models import (
    RotaAvailability,
    RotaPersonSkill,
    RotaProfile,
    RotaRole,
    RotaRoleSkill,
    RotaShift,
    RotaSkill,
    RotaTimeOff,
    RotaWeek,
    User,
)
from bakery.models.users import Role
from bakery.services.errors import ServiceError
from bakery.services.settings import current_settings

#: How far from this week a manager may plan or look (a typo guard: the year 2092 is not a week).
WEEKS_AROUND = 520


@dataclass(frozen=True)
class Person:
    """Someone who can be put on the rota (they clock in at the till)."""

    id: int
    name: str
    planned_minutes: int = 0
    limit_hours: int = 48
    rate_pence: int | None = None


@dataclass(frozen=True)
class RoleView:
    """A role as the grid shows it."""

    id: int
    name: str
    colour: str
    min_staff: int


@dataclass(frozen=True)
class ShiftView:
    """A shift as the grid shows it; `warned` when any warning names it."""

    id: int
    version: int
    day: date
    start_minute: int
    end_minute: int
    start: str
    end: str
    role: RoleView
    person_id: int | None
    person_name: str
    skill_id: int | None
    skill_name: str
    break_minutes: int
    note: str
    worked_minutes: int
    changed: bool
    warned: bool = False

    @property
    def times(self) -> str:
        """ "07:00-15:00" ("22:00-06:00" for a night shift)."""
        return f"{self.start}-{self.end}"


@dataclass(frozen=True)
class WeekPlan:
    """A week as its planner sees it: shifts by person and day and by role and day, and warnings."""

    monday: date
    days: list[date]
    version: int
    published_at: datetime | None
    people: list[Person]
    roles: list[RoleView]
    skills: list[tuple[int, str]]
    shifts: list[ShiftView]
    warnings: list[rules.RotaWarning]
    total_minutes: int
    cost_pence: int | None
    by_person: dict[tuple[int | None, date], list[ShiftView]] = field(default_factory=dict)
    by_role: dict[tuple[int, date], list[ShiftView]] = field(default_factory=dict)
    changed_since_publish: int = 0

    @property
    def published(self) -> bool:
        """Members see a week once it is published."""
        return self.published_at is not None

    @property
    def previous(self) -> date:
        """The Monday before."""
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        """The Monday after."""
        return self.monday + timedelta(days=7)

    def warnings_for(self, shift_id: int) -> list[str]:
        """The messages of the warnings that name a shift."""
        return [w.message for w in self.warnings if shift_id in w.shift_ids]


def check_monday(monday: date, today: date) -> date:
    """Rule: a rota week starts on a Monday within ten years of today."""
    if monday.weekday() != 0:
        raise ServiceError("A rota week starts on a Monday.")
    if abs((monday - today).days) > WEEKS_AROUND * 7:
        raise ServiceError("That week is too far away to plan.")
    return monday


def plannable_people() -> list[User]:
    """Everyone who clocks in at the till (active staff, managers and admins with a PIN), by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.pin_hash.is_not(None),
                User.role.in_([Role.STAFF.value, Role.MANAGER.value, Role.ADMIN.value]),
            )
            .order_by(User.display_name, User.id)
        )
    )


def active_roles() -> list[RotaRole]:
    """The roles a shift may be planned in, in their order."""
    return list(
        db.session.scalars(
            select(RotaRole).where(RotaRole.active.is_(True)).order_by(RotaRole.position, RotaRole.name)
        )
    )


def _role_view(role: RotaRole) -> RoleView:
    return RoleView(role.id, role.name, role.colour, role.min_staff)


def _week_shifts(first: date, last: date) -> list[RotaShift]:
    return list(
        db.session.scalars(
            select(RotaShift)
            .options(joinedload(RotaShift.role), joinedload(RotaShift.user), joinedload(RotaShift.skill))
            .where(RotaShift.day >= first, RotaShift.day <= last, RotaShift.cancelled_at.is_(None))
            .order_by(RotaShift.starts_at, RotaShift.id)
        )
    )


def _needs() -> dict[int, dict[int, str]]:
    needs: dict[int, dict[int, str]] = defaultdict(dict)
    rows = db.session.execute(
        select(RotaRoleSkill.role_id, RotaSkill.id, RotaSkill.name).join(
            RotaSkill, RotaSkill.id == RotaRoleSkill.skill_id
        )
    )
    for role_id, skill_id, name in rows:
        needs[role_id][skill_id] = name
    return needs


def planned(shift: RotaShift, role_needs: dict[int, dict[int, str]]) -> rules.PlannedShift:
    """A stored shift as the rules see it (its role's skills and its own)."""
    needs = dict(role_needs.get(shift.role_id, {}))
    if shift.skill is not None:
        needs[shift.skill.id] = shift.skill.name
    return rules.PlannedShift(
        id=shift.id,
        day=shift.day,
        start_minute=shift.start_minute,
        end_minute=shift.end_minute,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        role_id=shift.role_id,
        role_name=shift.role.name,
        person_id=shift.user_id,
        person_name=shift.user.display_name if shift.user else "",
        break_minutes=shift.break_minutes,
        needs=needs,
    )


def _facts(person_ids: set[int], neighbours: list[rules.PlannedShift]) -> rules.WeekFacts:
    settings = current_settings()
    limits = dict(
        db.session.execute(
            select(RotaProfile.user_id, RotaProfile.week_hours_limit).where(
                RotaProfile.user_id.in_(person_ids)
            )
        )
        .tuples()
        .all()
    )
    windows = [
        rules.Window(
            person_id=w.user_id,
            start_minute=w.start_minute,
            end_minute=w.end_minute,
            available=w.kind == "available",
            weekday=w.weekday,
            on_date=w.on_date,
        )
        for w in db.session.scalars(select(RotaAvailability).where(RotaAvailability.user_id.in_(person_ids)))
    ]
    # Approved time off is a whole day the person is not available, like a stated window.
    windows += [
        rules.Window(person_id=person, start_minute=0, end_minute=DAY_MINUTES, available=False, on_date=day)
        for t in db.session.scalars(
            select(RotaTimeOff).where(RotaTimeOff.user_id.in_(person_ids), RotaTimeOff.state == "approved")
        )
        for person, day in time_off_windows(t.user_id, t.from_date, t.to_date)
    ]
    held = [
        rules.HeldSkill(h.user_id, h.skill_id, h.gained_on, h.expires_on)
        for h in db.session.scalars(select(RotaPersonSkill).where(RotaPersonSkill.user_id.in_(person_ids)))
    ]
    needs = [rules.RoleNeed(r.id, r.name, r.min_staff) for r in active_roles() if r.min_staff > 0]
    return rules.WeekFacts(
        shop_limit_hours=settings.week_hours_limit,
        own_limits=limits,
        windows=windows,
        held=held,
        needs=needs,
        neighbours=neighbours,
    )


def week_warnings(monday: date) -> list[rules.RotaWarning]:
    """The warnings for a week as it stands (see `bakery.domain.rota.week_warnings`)."""
    return week_plan(monday).warnings


def week_plan(monday: date) -> WeekPlan:
    """A week's shifts for the planning grid, everyone who can be planned, the roles, and every
    warning the rules find (the day either side counts for rest between shifts)."""
    sunday = monday + timedelta(days=6)
    days = [monday + timedelta(days=i) for i in range(7)]
    week = db.session.scalar(select(RotaWeek).where(RotaWeek.monday == monday))
    around = _week_shifts(monday - timedelta(days=1), sunday + timedelta(days=1))
    role_needs = _needs()
    inside = [s for s in around if monday <= s.day <= sunday]
    outside = [planned(s, role_needs) for s in around if not monday <= s.day <= sunday]
    plans = [planned(s, role_needs) for s in inside]
    users = plannable_people()
    extra = {s.user_id: s.user for s in inside if s.user is not None}
    known = {u.id for u in users}
    users += [u for uid, u in extra.items() if uid not in known]
    person_ids = {u.id for u in users}
    facts = _facts(person_ids, outside)
    warnings = rules.week_warnings(plans, facts)
    warned = {sid for w in warnings for sid in w.shift_ids}
    rates = dict(
        db.session.execute(
            select(RotaProfile.user_id, RotaProfile.hourly_rate_pence).where(
                RotaProfile.user_id.in_(person_ids)
            )
        )
        .tuples()
        .all()
    )
    minutes: dict[int, int] = defaultdict(int)
    for p in plans:
        if p.person_id is not None:
            minutes[p.person_id] += p.worked_minutes
    shop_limit = facts.shop_limit_hours
    people = [
        Person(
            u.id,
            u.display_name,
            minutes.get(u.id, 0),
            min(shop_limit, facts.own_limits.get(u.id) or shop_limit),
            rates.get(u.id),
        )
        for u in users
    ]
    roles = [_role_view(r) for r in active_roles()]
    role_views = {r.id: r for r in roles}
    views: list[ShiftView] = []
    for shift, plan in zip(inside, plans, strict=True):
        role = role_views.get(shift.role_id) or _role_view(shift.role)
        views.append(
            ShiftView(
                id=shift.id,
                version=shift.version,
                day=shift.day,
                start_minute=shift.start_minute,
                end_minute=shift.end_minute,
                start=rules.clock_text(shift.start_minute),
                end=rules.clock_text(shift.end_minute % rules.DAY_MINUTES),
                role=role,
                person_id=shift.user_id,
                person_name=plan.person_name,
                skill_id=shift.skill_id,
                skill_name=shift.skill.name if shift.skill else "",
                break_minutes=shift.break_minutes,
                note=shift.note,
                worked_minutes=plan.worked_minutes,
                changed=shift.changed_after_publish,
                warned=shift.id in warned,
            )
        )
    by_person: dict[tuple[int | None, date], list[ShiftView]] = defaultdict(list)
    by_role: dict[tuple[int, date], list[ShiftView]] = defaultdict(list)
    for view in views:
        by_person[(view.person_id, view.day)].append(view)
        by_role[(view.role.id, view.day)].append(view)
    costed = [(v.worked_minutes, rates.get(v.person_id)) for v in views if v.person_id is not None]
    known_rates = [(m, r) for m, r in costed if r is not None]
    cost = sum(labour_cost_pence(m, r) for m, r in known_rates) if known_rates else None
    skills = [(s.id, s.name) for s in db.session.scalars(select(RotaSkill).order_by(RotaSkill.name))]
    return WeekPlan(
        monday=monday,
        days=days,
        version=week.version if week else 0,
        published_at=week.published_at if week else None,
        people=people,
        roles=roles,
        skills=skills,
        shifts=views,
        warnings=warnings,
        total_minutes=sum(v.worked_minutes for v in views),
        cost_pence=cost,
        by_person=dict(by_person),
        by_role=dict(by_role),
        changed_since_publish=sum(1 for v in views if v.changed),
    )


def shift_or_404(shift_id: int) -> RotaShift:
    """A shift that has not been cancelled, or NotFound."""
    from bakery.services.errors import NotFound

    shift = db.session.get(RotaShift, shift_id)
    if shift is None or shift.cancelled_at is not None:
        raise NotFound("That shift does not exist (it may have been removed).")
    return shift
