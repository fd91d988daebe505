"""The demo's rota: roles and skills (one food-hygiene certificate expired), each person's limit and
rate, stated availability, this week published, and next week a draft with warnings to look at.

Loaded through the rota services (every shift, version and audit row as a manager makes them).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bakery.domain import rota as rules
from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.models import Member, RotaAvailability, RotaRole, RotaShift, RotaWeek, TimeEntry, User
from bakery.models.types import utcnow
from bakery.services import rota
from bakery.services.audit import Actor
from bakery.services.race_safety import Mechanism, race_safe
from bakery.services.settings import current_settings

SKILLS = ("Food hygiene level 2", "Barista", "Bread", "First aid", "Key holder")
# name, colour, minimum staff a day, skills every shift needs
ROLES = (
    ("Baker", "#d97706", 1, ("Bread",)),
    ("Barista", "#7c4a2d", 1, ("Barista",)),
    ("Counter", "#2a9d8f", 1, ("Food hygiene level 2",)),
    ("Cleaner", "#64748b", 0, ()),
)
# person, skill, gained (days ago), expires (days from today; negative: expired)
HELD = (
    ("Ada Baker", "Bread", 700, None),
    ("Ada Baker", "Food hygiene level 2", 1100, -12),  # expired: Ada may not work the counter
    ("Ada Baker", "First aid", 200, 900),
    ("Ben Barista", "Barista", 500, None),
    ("Ben Barista", "Food hygiene level 2", 300, 795),
    ("Ben Barista", "Key holder", 300, None),
    ("Chloé Counter", "Food hygiene level 2", 90, 1005),
    ("Marek Manager", "Food hygiene level 2", 400, 695),
    ("Marek Manager", "Key holder", 900, None),
    ("Marek Manager", "First aid", 400, 695),
    ("Marek Manager", "Barista", 900, None),
)
# person: (weekly hours limit or None for the shop's, hourly rate in pence)
PROFILES = {
    "Ada Baker": (30, 1260),
    "Ben Barista": (None, 1260),
    "Chloé Counter": (24, 1260),
    "Marek Manager": (None, 1650),
}
# this week, Monday to Saturday (Sunday closed): weekday, start, end, role, person, break
WEEK = (
    *((d, "05:00", "10:30", "Baker", "Ada Baker", 30) for d in range(5)),
    *((d, "07:00", "15:00", "Barista", "Ben Barista", 30) for d in range(5)),
    *((d, "11:00", "16:00", "Counter", "Chloé Counter", 0) for d in (0, 1, 2, 3)),
    (4, "11:00", "17:00", "Counter", "Marek Manager", 30),
    (5, "06:00", "11:00", "Baker", "Ada Baker", 0),
    (5, "08:00", "16:00", "Barista", "Marek Manager", 30),
    (5, "09:00", "15:00", "Counter", "Ben Barista", 30),
    (5, "16:00", "17:30", "Cleaner", None, 0),
)


def _minutes(start: str, end: str) -> tuple[int, int]:
    return rules.span_minutes(rules.parse_clock(start), rules.parse_clock(end))


def _add_week(monday: date, people: dict[str, int], roles: dict[str, int], actor: Actor) -> None:
    for weekday, start, end, role, name, break_minutes in WEEK:
        s, e = _minutes(start, end)
        rota.add_shift(
            rota.ShiftIn(
                day=monday + timedelta(days=weekday),
                start_minute=s,
                end_minute=e,
                role_id=roles[role],
                user_id=people[name] if name else None,
                break_minutes=break_minutes,
            ),
            actor,
        )


@race_safe(Mechanism.SERIALISED, Mechanism.UNIQUE_KEY, guards="loaded once (unique names; run from the CLI)")
def load_demo_rota() -> bool:
    """Set up the demo's rota unless it has roles already; True if it did.

    This week is published; next week is a draft copied from it, with Ada on the counter on
    Saturday (her food-hygiene certificate has expired, and it takes her over her 30 hours) and
    Chloé on a late shift on Friday inside the hours she said she is not available: each warns.
    """
    if db.session.scalar(select(RotaRole.id).limit(1)):
        return False
    manager_id = db.session.scalar(select(User.id).where(User.role == "manager").order_by(User.id))
    if manager_id is None:
        return False
    actor = Actor(manager_id)
    today = business_date(utcnow(), current_settings().timezone)
    people = {
        u.display_name: u.id for u in db.session.scalars(select(User).where(User.pin_hash.is_not(None)))
    }
    skills = {name: rota.save_skill(name, actor).id for name in SKILLS}
    roles = {
        name: rota.save_role(
            name, actor, colour=colour, min_staff=least, skill_ids=[skills[s] for s in needs], position=i
        ).id
        for i, (name, colour, least, needs) in enumerate(ROLES)
    }
    for name, skill, gained, expires in HELD:
        if name in people:
            rota.grant_skill(
                people[name],
                skills[skill],
                today - timedelta(days=gained),
                actor,
                expires_on=today + timedelta(days=expires) if expires is not None else None,
            )
    for name, (limit, rate) in PROFILES.items():
        if name in people:
            rota.set_profile(people[name], actor, week_hours_limit=limit, hourly_rate_pence=rate)
    if "Chloé Counter" in people:  # evenings, Monday to Friday: "not available", never why
        for weekday in range(5):
            db.session.add(
                RotaAvailability(
                    user_id=people["Chloé Counter"],
                    weekday=weekday,
                    start_minute=19 * 60,
                    end_minute=24 * 60,
                    kind="unavailable",
                )
            )
        db.session.commit()
    if not all(name in people for _, _, _, _, name, _ in WEEK if name):
        return True
    this_week = rules.monday_of(today)
    _add_week(this_week, people, roles, actor)
    version = db.session.scalar(select(RotaWeek.version).where(RotaWeek.monday == this_week)) or 0
    rota.publish_week(this_week, version, actor)
    next_week = this_week + timedelta(days=7)
    rota.copy_last_week(next_week, 0, actor)
    s, e = _minutes("12:00", "17:00")
    rota.add_shift(
        rota.ShiftIn(next_week + timedelta(days=5), s, e, roles["Counter"], people["Ada Baker"]), actor
    )
    s, e = _minutes("17:00", "21:00")
    rota.add_shift(
        rota.ShiftIn(next_week + timedelta(days=4), s, e, roles["Counter"], people["Chloé Counter"]),
        actor,
    )
    rota.save_template(this_week, "Typical week", actor)
    _clock_today(today, people)
    db.session.commit()
    return True


def _clock_today(today: date, people: dict[str, int]) -> None:
    """Today's clock-ins so far: Ada a few minutes early, Ben 12 minutes late, Chloé not at all
    (the "who is in" screen flags Ben late and Chloé missing once their shifts have started); the
    caller commits."""
    now = utcnow()
    members = dict(db.session.execute(select(Member.user_id, Member.id)).tuples().all())
    early_late = {"Ada Baker": -3, "Ben Barista": 12}
    for shift in db.session.scalars(
        select(RotaShift).where(RotaShift.day == today, RotaShift.cancelled_at.is_(None))
    ):
        name = next((n for n, i in people.items() if i == shift.user_id), None)
        if name not in early_late or shift.starts_at > now:
            continue
        clock_in = shift.starts_at + timedelta(minutes=early_late[name])
        if clock_in > now:
            continue
        done = shift.ends_at <= now
        db.session.add(
            TimeEntry(
                user_id=shift.user_id,
                member_id=members.get(shift.user_id),
                clock_in=clock_in,
                clock_out=shift.ends_at if done else None,
                open_user_id=None if done else shift.user_id,
                break_minutes=shift.break_minutes if done else 0,
            )
        )
