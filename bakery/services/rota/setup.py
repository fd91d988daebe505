"""The rota's settings: roles (colour, minimum staff a day, the skills they need), skills, the skills
each person holds (with a certificate's expiry), and each person's weekly hours limit and rate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bakery.extensions import db
from bakery.models import RotaPersonSkill, RotaProfile, RotaRole, RotaSkill, User
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, begin_write, locked, race_safe
from bakery.services.text import printable_name

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_MIN_STAFF = 50
MAX_RATE_PENCE = 100_000  # £1,000 an hour: a typo guard


@race_safe(Mechanism.UNIQUE_KEY, guards="one role per name")
def save_role(
    name: str,
    actor: Actor,
    *,
    colour: str = "#9ca3af",
    min_staff: int = 0,
    skill_ids: list[int] | None = None,
    position: int = 0,
    role_id: int | None = None,
) -> RotaRole:
    """Add a role, or change one: a printable name not used by another role, a #rrggbb colour,
    0 to 50 people needed each open day, and the skills every shift in it needs."""
    label = printable_name(name, "role name", 40)
    if not COLOUR.match(colour or ""):
        raise ServiceError("Give the colour as #rrggbb.")
    if not 0 <= min_staff <= MAX_MIN_STAFF:
        raise ServiceError(f"The minimum staff is 0 to {MAX_MIN_STAFF}.")
    skills = list(db.session.scalars(select(RotaSkill).where(RotaSkill.id.in_(skill_ids or []))))
    if len(skills) != len(set(skill_ids or [])):
        raise ServiceError("Choose skills from the list.")
    begin_write()
    clash = db.session.scalar(
        select(RotaRole.id).where(RotaRole.name == label, RotaRole.id != (role_id or 0))
    )
    if clash is not None:
        raise ServiceError(f"There is already a role called {label}.")
    if role_id is None:
        role = RotaRole()
    else:
        found = locked(RotaRole, role_id)
        if found is None:
            raise NotFound("That role does not exist.")
        role = found
    role.name, role.colour, role.min_staff, role.position, role.active = (
        label,
        colour.lower(),
        min_staff,
        position,
        True,
    )
    role.skills = skills
    try:
        with db.session.begin_nested():
            db.session.add(role)
    except IntegrityError:  # the same name saved at the same moment by someone else
        db.session.rollback()
        raise ServiceError(f"There is already a role called {label}.") from None
    audit.record("rota.role_saved", actor, details={"name": label, "min_staff": min_staff})
    db.session.commit()
    return role


@race_safe(Mechanism.UNIQUE_KEY, guards="one skill per name")
def save_skill(name: str, actor: Actor) -> RotaSkill:
    """Add a skill (or certificate) a shift may need; a printable name not used already."""
    label = printable_name(name, "skill name", 60)
    begin_write()
    skill = RotaSkill(name=label, active=True)
    try:
        with db.session.begin_nested():
            db.session.add(skill)
    except IntegrityError:
        raise ServiceError(f"There is already a skill called {label}.") from None
    audit.record("rota.skill_saved", actor, details={"name": label})
    db.session.commit()
    return skill


@race_safe(Mechanism.ROW_LOCK, guards="one holding per person and skill (user row); the last save wins")
def grant_skill(
    user_id: int, skill_id: int, gained_on: date, actor: Actor, *, expires_on: date | None = None
) -> RotaPersonSkill:
    """Record that a person holds a skill from a day (and, for a certificate, the day it expires);
    saving again replaces the dates. Rule: an expiry is not before the day it was gained."""
    if locked(User, user_id) is None:
        raise NotFound("That person does not exist.")
    if db.session.get(RotaSkill, skill_id) is None:
        raise NotFound("That skill does not exist.")
    if expires_on is not None and expires_on < gained_on:
        raise ServiceError("A certificate cannot expire before it was gained.")
    held = db.session.scalar(
        select(RotaPersonSkill).where(
            RotaPersonSkill.user_id == user_id, RotaPersonSkill.skill_id == skill_id
        )
    )
    if held is None:
        held = RotaPersonSkill(user_id=user_id, skill_id=skill_id)
        db.session.add(held)
    held.gained_on, held.expires_on = gained_on, expires_on
    audit.record(
        "rota.skill_granted",
        actor,
        target=f"user:{user_id}",
        details={"skill": skill_id} | ({"expires": expires_on.isoformat()} if expires_on else {}),
    )
    db.session.commit()
    return held


@race_safe(Mechanism.ROW_LOCK, guards="one profile per person (user row); the last save wins")
def set_profile(
    user_id: int, actor: Actor, *, week_hours_limit: int | None, hourly_rate_pence: int | None
) -> RotaProfile:
    """A person's own weekly hours limit (1 to 100, or none: the shop's) and hourly rate in pence."""
    if week_hours_limit is not None and not 1 <= week_hours_limit <= 100:
        raise ServiceError("A weekly hours limit is 1 to 100 hours.")
    if hourly_rate_pence is not None and not 0 <= hourly_rate_pence <= MAX_RATE_PENCE:
        raise ServiceError("That hourly rate is not possible.")
    if locked(User, user_id) is None:
        raise NotFound("That person does not exist.")
    profile = db.session.get(RotaProfile, user_id)
    if profile is None:
        profile = RotaProfile(user_id=user_id)
        db.session.add(profile)
    profile.week_hours_limit, profile.hourly_rate_pence = week_hours_limit, hourly_rate_pence
    audit.record("rota.profile_set", actor, target=f"user:{user_id}", details={"limit": week_hours_limit})
    db.session.commit()
    return profile


@race_safe(Mechanism.ROW_LOCK, guards="the person's skills (user row)")
def revoke_skill(user_id: int, skill_id: int, actor: Actor) -> None:
    """Record that a person no longer holds a skill (the row goes; the audit log keeps that it did)."""
    if locked(User, user_id) is None:
        raise NotFound("That person does not exist.")
    held = db.session.scalar(
        select(RotaPersonSkill).where(
            RotaPersonSkill.user_id == user_id, RotaPersonSkill.skill_id == skill_id
        )
    )
    if held is None:
        raise NotFound("That person does not hold that skill.")
    db.session.delete(held)
    audit.record("rota.skill_revoked", actor, target=f"user:{user_id}", details={"skill": skill_id})
    db.session.commit()


@dataclass(frozen=True)
class Held:
    """A skill as a person's line on the setup page shows it."""

    skill_id: int
    name: str
    gained_on: date
    expires_on: date | None
    expired: bool


@dataclass(frozen=True)
class PersonSetup:
    """A person's rota settings: their own limit, their rate and the skills they hold."""

    id: int
    name: str
    week_hours_limit: int | None
    hourly_rate_pence: int | None
    held: list[Held]


def people_setup(today: date) -> list[PersonSetup]:
    """Everyone who can be planned, with their limit, rate and skills (expired ones marked)."""
    from bakery.services.rota.plan import plannable_people

    people = plannable_people()
    ids = [p.id for p in people]
    profiles = {
        p.user_id: p for p in db.session.scalars(select(RotaProfile).where(RotaProfile.user_id.in_(ids)))
    }
    held: dict[int, list[Held]] = {}
    rows = db.session.execute(
        select(RotaPersonSkill, RotaSkill.name)
        .join(RotaSkill, RotaSkill.id == RotaPersonSkill.skill_id)
        .where(RotaPersonSkill.user_id.in_(ids))
        .order_by(RotaSkill.name)
    )
    for h, name in rows:
        expired = h.expires_on is not None and h.expires_on <= today
        held.setdefault(h.user_id, []).append(Held(h.skill_id, name, h.gained_on, h.expires_on, expired))
    return [
        PersonSetup(
            p.id,
            p.display_name,
            profiles[p.id].week_hours_limit if p.id in profiles else None,
            profiles[p.id].hourly_rate_pence if p.id in profiles else None,
            held.get(p.id, []),
        )
        for p in people
    ]


def all_skills() -> list[RotaSkill]:
    """Every skill, by name."""
    return list(db.session.scalars(select(RotaSkill).order_by(RotaSkill.name)))


def all_roles() -> list[RotaRole]:
    """Every role in use, in order, with the skills it needs."""
    return list(
        db.session.scalars(
            select(RotaRole).where(RotaRole.active.is_(True)).order_by(RotaRole.position, RotaRole.name)
        )
    )
