"""Users and roles, PINs and passwords (admin)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Role, User
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.auth import hash_secret, valid_pin
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, begin_write, locked, race_safe
from bakery.services.text import clean_name

MIN_PASSWORD = 10


def _check_email(email: str | None, user_id: int | None = None) -> str | None:
    value = (email or "").strip().lower()
    if not value:
        return None
    if "@" not in value or len(value) > 254 or " " in value:
        raise ServiceError("Enter a valid email address.")
    clash = db.session.scalar(select(User.id).where(func.lower(User.email) == value))
    if clash and clash != user_id:
        raise ServiceError("Another user already has that email address.")
    return value


def _check_role(role: str) -> str:
    try:
        return Role(role).value
    except ValueError as exc:
        raise ServiceError("Choose a role: admin, manager, staff or member.") from exc


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ServiceError(f"A password needs at least {MIN_PASSWORD} characters.")
    if len(password) > 200:
        raise ServiceError("That password is too long.")


def _check_pin(pin: str) -> None:
    if not valid_pin(pin):
        raise ServiceError("A PIN is 4 to 6 digits.")


@race_safe(Mechanism.UNIQUE_KEY, guards="emails are unique")
def create_user(
    display_name: str,
    email: str | None,
    role: str,
    actor: Actor,
    *,
    password: str | None = None,
    pin: str | None = None,
    can_safeguard: bool = False,
    now: datetime | None = None,
) -> User:
    """Add a user. Office users need an email and password; till users need a PIN."""
    name = clean_name(display_name, "name", 80)
    role = _check_role(role)
    address = _check_email(email)
    if password:
        _check_password(password)
        if not address:
            raise ServiceError("A user who signs in with a password needs an email address.")
    if pin:
        _check_pin(pin)
    if role in (Role.ADMIN, Role.MANAGER, Role.MEMBER) and not password:
        raise ServiceError("Admins, managers and members sign in with a password: set one.")
    if role == Role.STAFF and not pin:
        raise ServiceError("Staff sign in on the till with a PIN: set one.")
    user = User(
        display_name=name,
        email=address,
        role=role,
        password_hash=hash_secret(password) if password else None,
        pin_hash=hash_secret(pin) if pin else None,
        can_safeguard=can_safeguard and role == Role.ADMIN,
        created_at=now or utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        actor,
        target=f"user:{user.id}",
        details={"role": role, "pin": bool(pin)},
        now=now,
    )
    db.session.commit()
    return user


def _get(user_id: int) -> User:
    """The user, locked for the change (two admins editing one user apply one after the other)."""
    _lock_admins()
    user = locked(User, user_id)
    if user is None:
        raise NotFound("That user does not exist.")
    return user


def _lock_admins() -> None:
    """Lock the admins' rows (in id order) before a user changes, then check the actor still is one.

    Why: two admins demoting or deactivating each other at the same moment would each see the
    other as the admin who remains, and leave the shop with none. Taking every admin's row first
    makes the second change wait and then see the first.
    """
    begin_write()
    db.session.execute(
        select(User.id).where(User.role == Role.ADMIN).order_by(User.id).with_for_update()
    ).all()
    db.session.expire_all()


def _still_admin(actor: Actor) -> None:
    """Refuse a change by someone who stopped being an active admin while it was on its way."""
    me = db.session.get(User, actor.user_id) if actor.user_id else None
    if me is not None and (me.role != Role.ADMIN or not me.active):
        raise ServiceError("Your admin rights were taken away meanwhile. Nothing was changed.")


@race_safe(Mechanism.ROW_LOCK, guards="someone remains admin (admin rows locked, then the user)")
def change_role(user_id: int, role: str, actor: Actor, now: datetime | None = None) -> User:
    """Change a user's role (audited). An admin cannot demote themself (someone must remain)."""
    user = _get(user_id)
    _still_admin(actor)
    role = _check_role(role)
    if user.id == actor.user_id and role != Role.ADMIN:
        raise ServiceError("You cannot take away your own admin role; ask another admin.")
    if role in (Role.ADMIN, Role.MANAGER, Role.MEMBER) and not user.password_hash:
        raise ServiceError("Set a password first: that role signs in with email and password.")
    if user.role != role:
        audit.record(
            "user.role_changed",
            actor,
            target=f"user:{user.id}",
            details={"from": user.role, "to": role},
            now=now,
        )
        user.role = role
        if role != Role.ADMIN:
            user.can_safeguard = False
        db.session.commit()
    return user


@race_safe(Mechanism.ROW_LOCK, guards="the user row")
def set_pin(user_id: int, pin: str, actor: Actor, now: datetime | None = None) -> User:
    """Set a user's till PIN (audited, never logged)."""
    user = _get(user_id)
    _check_pin(pin)
    user.pin_hash = hash_secret(pin)
    audit.record("user.pin_changed", actor, target=f"user:{user.id}", now=now)
    db.session.commit()
    return user


@race_safe(Mechanism.ROW_LOCK, guards="the user row")
def set_password(user_id: int, password: str, actor: Actor, now: datetime | None = None) -> User:
    """Set a user's password (audited, never logged)."""
    user = _get(user_id)
    if not user.email:
        raise ServiceError("Give the user an email address first.")
    _check_password(password)
    user.password_hash = hash_secret(password)
    audit.record("user.password_changed", actor, target=f"user:{user.id}", now=now)
    db.session.commit()
    return user


@race_safe(Mechanism.ROW_LOCK, guards="the user's lock-out (user row)")
def unlock(user_id: int, actor: Actor, now: datetime | None = None) -> User:
    """Lift a lock-out early (a manager vouching for the person)."""
    user = _get(user_id)
    user.failed_attempts = 0
    user.locked_until = None
    audit.record("user.unlocked", actor, target=f"user:{user.id}", now=now)
    db.session.commit()
    return user


@race_safe(Mechanism.ROW_LOCK, guards="someone remains admin (admin rows locked, then the user)")
def set_active(user_id: int, active: bool, actor: Actor, now: datetime | None = None) -> User:
    """Deactivate or reactivate a user; deactivated users cannot sign in anywhere."""
    user = _get(user_id)
    _still_admin(actor)
    if user.id == actor.user_id and not active:
        raise ServiceError("You cannot deactivate yourself.")
    if user.active != active:
        user.active = active
        audit.record(
            "user.activated" if active else "user.deactivated",
            actor,
            target=f"user:{user.id}",
            now=now,
        )
        db.session.commit()
    return user
