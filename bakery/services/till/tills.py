"""Tills and pairing tablets with them."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bakery.extensions import db
from bakery.models import Till, TillDevice
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.auth import hash_token
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, locked, race_safe
from bakery.services.text import clean_name


@race_safe(Mechanism.UNIQUE_KEY, guards="till names are unique")
def create_till(name: str, location: str, actor: Actor, now: datetime | None = None) -> Till:
    """Add a till; names are unique."""
    name = clean_name(name, "till name")
    if db.session.scalar(select(Till.id).where(Till.name == name)):
        raise ServiceError(f"There is already a till called {name}.")
    till = Till(name=name, location=(location or "").strip()[:60])
    db.session.add(till)
    db.session.flush()
    audit.record("till.created", actor, target=f"till:{till.id}", details={"name": name}, now=now)
    db.session.commit()
    return till


@race_safe(Mechanism.ROW_LOCK, guards="the till row (paired only while active)")
def pair_device(till_id: int, label: str, actor: Actor, now: datetime | None = None) -> str:
    """Pair the manager's current tablet with a till; return the raw token for its cookie.

    Rule: only the hash of the token is stored; the token is shown to nobody and lives only in
    an HttpOnly cookie on that tablet.
    """
    till = locked(Till, till_id)
    if till is None or not till.active:
        raise NotFound("That till does not exist or is closed down.")
    if actor.user_id is None:
        raise ServiceError("A manager must be signed in to pair a till.")
    token = secrets.token_urlsafe(32)
    device = TillDevice(
        till_id=till.id,
        token_hash=hash_token(token),
        label=(label or "").strip()[:60] or "Tablet",
        paired_by_id=actor.user_id,
        paired_at=now or utcnow(),
    )
    db.session.add(device)
    db.session.flush()
    audit.record("till.paired", actor, target=f"till:{till.id}", details={"device": device.id}, now=now)
    db.session.commit()
    return token


@race_safe(Mechanism.ROW_LOCK, guards="the device row")
def revoke_device(device_id: int, actor: Actor, now: datetime | None = None) -> TillDevice:
    """Unpair a tablet: its cookie stops working at once."""
    device = locked(TillDevice, device_id)
    if device is None:
        raise NotFound("That device does not exist.")
    if device.revoked_at is None:
        device.revoked_at = now or utcnow()
        audit.record(
            "till.unpaired",
            actor,
            target=f"till:{device.till_id}",
            details={"device": device.id},
            now=now,
        )
        db.session.commit()
    return device


def device_for_token(token: str | None) -> TillDevice | None:
    """The active device for a cookie token, or None. Reads only."""
    if not token:
        return None
    device = db.session.scalar(
        select(TillDevice)
        .where(TillDevice.token_hash == hash_token(token))
        .options(joinedload(TillDevice.till))  # every till request uses it
    )
    if device is None or device.revoked_at is not None or not device.till.active:
        return None
    return device
