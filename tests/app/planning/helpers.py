"""Helpers for rota tests: roles, skills and people who clock in, and shifts added through the service."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AuditEvent, RotaShift, RotaWeek, User
from bakery.services import rota
from bakery.services.audit import SYSTEM
from tests.factories import make_user

AUTUMN_MONDAY = date(2026, 10, 19)  # the clocks go back on Sunday 25 October 2026
WINTER_MONDAY = date(2026, 11, 16)


def setup_roles() -> dict[str, int]:
    """Counter (2 a day), baker (needs Bread), barista (needs Barista); skills Bread, Barista, Food hygiene."""
    bread = rota.save_skill("Bread", SYSTEM)
    barista = rota.save_skill("Barista", SYSTEM)
    hygiene = rota.save_skill("Food hygiene level 2", SYSTEM)
    counter = rota.save_role("Counter", SYSTEM, colour="#2a9d8f", min_staff=2, position=1)
    baker = rota.save_role("Baker", SYSTEM, colour="#e76f51", min_staff=1, skill_ids=[bread.id], position=2)
    barista_role = rota.save_role("Barista", SYSTEM, colour="#6d4c41", skill_ids=[barista.id], position=3)
    return {
        "counter": counter.id,
        "baker": baker.id,
        "barista": barista_role.id,
        "bread": bread.id,
        "barista_skill": barista.id,
        "hygiene": hygiene.id,
    }


def person(name: str, pin: str = "1234") -> User:
    """Someone who clocks in at the till (a PIN), so they can be planned."""
    return make_user("staff", name=name, pin=pin)


def shift(day: date, start: str, end: str, role: int, user: User | None = None, **extra) -> RotaShift:
    """A shift added through the service (committed)."""
    from bakery.domain import rota as rules

    s, e = rules.span_minutes(rules.parse_clock(start), rules.parse_clock(end))
    data = rota.ShiftIn(
        day=day, start_minute=s, end_minute=e, role_id=role, user_id=user.id if user else None, **extra
    )
    return rota.add_shift(data, SYSTEM)


def week(monday: date) -> RotaWeek | None:
    db.session.expire_all()
    return db.session.scalar(select(RotaWeek).where(RotaWeek.monday == monday))


def shift_count(monday: date) -> int:
    db.session.expire_all()
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(RotaShift)
            .join(RotaWeek)
            .where(RotaWeek.monday == monday, RotaShift.cancelled_at.is_(None))
        )
        or 0
    )


def actions(prefix: str = "rota.") -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.seq)
        )
    )
