"""The demo rota's requests: a swap a colleague has accepted and a manager has still to approve,
time off asked for, and a shift changed after publishing, so each screen has something to show.

Loaded through the rota services, as the people themselves would ask.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from sqlalchemy import select

from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.models import RotaShift, RotaSwap, RotaWeek, User
from bakery.models.types import utcnow
from bakery.services import rota
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.settings import current_settings


def _person(name: str) -> int | None:
    return db.session.scalar(select(User.id).where(User.display_name == name))


def _next_published_shift(user_id: int) -> RotaShift | None:
    return db.session.scalar(
        select(RotaShift)
        .join(RotaWeek, RotaWeek.id == RotaShift.week_id)
        .where(
            RotaShift.user_id == user_id,
            RotaShift.cancelled_at.is_(None),
            RotaShift.starts_at > utcnow(),
            RotaWeek.published_at.is_not(None),
        )
        .order_by(RotaShift.starts_at.desc())
        .limit(1)
    )


def load_demo_rota_requests() -> bool:
    """Once, after the demo rota: Ben asks to swap his last published shift still to come and
    Chloé offers to take it; Chloé asks for three days off in a fortnight; Ada's last published
    shift still to come starts half an hour later (changed after publishing). True if loaded."""
    if db.session.scalar(select(RotaSwap.id).limit(1)) is not None:
        return False
    ada, ben, chloe = _person("Ada Baker"), _person("Ben Barista"), _person("Chloé Counter")
    manager = db.session.scalar(select(User.id).where(User.role == "manager").order_by(User.id))
    if ada is None or ben is None or chloe is None or manager is None:
        return False
    today = business_date(utcnow(), current_settings().timezone)
    first = today + timedelta(days=14)
    rota.request_time_off(chloe, first, first + timedelta(days=2), today, Actor(chloe))
    swapped = _next_published_shift(ben)
    if swapped is not None:
        swap = rota.request_swap(ben, swapped.id, Actor(ben))
        with contextlib.suppress(ServiceError):  # Chloé may work then herself: it waits for another
            rota.accept_swap(chloe, swap.id, Actor(chloe))
    later = _next_published_shift(ada)
    if later is not None:
        rota.mark_seen(ada, [later.week_id])  # Ada has looked at the week before it changes
        moved = rota.ShiftIn(
            day=later.day,
            start_minute=later.start_minute + 30,
            end_minute=later.end_minute + 30,
            role_id=later.role_id,
            user_id=ada,
            break_minutes=later.break_minutes,
            note="Starts half an hour later: the flour delivery comes at 05:15",
        )
        rota.change_shift(later.id, later.version, moved, Actor(manager))
    return True
