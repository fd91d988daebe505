"""A person's calendar feed: their published shifts at an unguessable address a phone subscribes to.

Only a hash of the token is kept, so the address is shown once, when it is made; making a new one
replaces it and the old address stops working at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from bakery.domain.calendar_feed import FeedEvent, calendar_feed
from bakery.extensions import db
from bakery.models import User
from bakery.models.rota import RotaFeedToken, RotaShift, RotaWeek
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound
from bakery.services.race_safety import Mechanism, locked, race_safe
from bakery.services.settings import current_settings

#: token_urlsafe(32): 43 characters of URL-safe base64, 256 bits.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
#: The feed covers shifts from four weeks back to every published week ahead.
FEED_PAST = timedelta(weeks=4)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def has_feed(user_id: int) -> bool:
    """Whether the person has a calendar address (its token cannot be shown again)."""
    return db.session.scalar(select(RotaFeedToken.id).where(RotaFeedToken.user_id == user_id)) is not None


@race_safe(Mechanism.ROW_LOCK, guards="one feed token per person (user row, UNIQUE user)")
def new_feed_token(user_id: int, actor: Actor, now: datetime | None = None) -> str:
    """Make the person's calendar address, replacing any earlier one (which stops working).

    Rule: 256 random bits; only their SHA-256 is stored, so the token is returned once, here.
    """
    at = now or utcnow()
    if locked(User, user_id) is None:
        raise NotFound("No such person.")
    token = secrets.token_urlsafe(32)
    row = db.session.scalar(select(RotaFeedToken).where(RotaFeedToken.user_id == user_id))
    replaced = row is not None
    if row is None:
        row = RotaFeedToken(user_id=user_id)
        db.session.add(row)
    row.token_hash, row.created_at = _digest(token), at
    try:
        db.session.flush()
    except IntegrityError:  # pragma: no cover - 256 random bits do not collide
        db.session.rollback()
        raise
    audit.record("rota.feed_reset" if replaced else "rota.feed_made", actor, target=f"user:{user_id}", now=at)
    db.session.commit()
    return token


@race_safe(Mechanism.INDEPENDENT, guards="deletes the person's one token; a second stop finds none")
def stop_feed(user_id: int, actor: Actor) -> bool:
    """Stop the person's calendar address altogether; whether there was one."""
    row = db.session.scalar(select(RotaFeedToken).where(RotaFeedToken.user_id == user_id))
    if row is None:
        return False
    db.session.delete(row)
    audit.record("rota.feed_stopped", actor, target=f"user:{user_id}")
    db.session.commit()
    return True


def feed_text(token: str, host: str, now: datetime | None = None) -> str:
    """The iCalendar text for a token: the person's shifts in published weeks, from four weeks
    back on; cancelled shifts are left out, so a subscribed phone drops them. An unknown or
    malformed token is not found (the same answer either way)."""
    at = now or utcnow()
    if not TOKEN_SHAPE.fullmatch(token):
        raise NotFound("No such calendar.")
    user_id = db.session.scalar(
        select(RotaFeedToken.user_id).where(RotaFeedToken.token_hash == _digest(token))
    )
    if user_id is None:
        raise NotFound("No such calendar.")
    settings = current_settings()
    shifts = db.session.scalars(
        select(RotaShift)
        .options(joinedload(RotaShift.role))
        .join(RotaWeek, RotaWeek.id == RotaShift.week_id)
        .where(
            RotaShift.user_id == user_id,
            RotaShift.cancelled_at.is_(None),
            RotaShift.ends_at >= at - FEED_PAST,
            RotaWeek.published_at.is_not(None),
        )
        .order_by(RotaShift.starts_at, RotaShift.id)
    )
    events = [
        FeedEvent(
            uid=f"shift-{s.id}@{host}",
            start=s.starts_at,
            end=s.ends_at,
            summary=f"{s.role.name} · {settings.shop_name}",
            location=" ".join(settings.address.split()),
            description=s.note,
            sequence=s.version,
            last_modified=s.updated_at,
        )
        for s in shifts
    ]
    name = db.session.scalar(select(User.display_name).where(User.id == user_id)) or ""
    return calendar_feed(f"{settings.shop_name} rota: {name}", events, at, settings.shop_name)
