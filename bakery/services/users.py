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
from bakery.services.tills import clean_name

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
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("That user does not exist.")
    return user


def change_role(user_id: int, role: str, actor: Actor, now: datetime | None = None) -> User:
    """Change a user's role (audited). An admin cannot demote themself (someone must remain)."""
    user = _get(user_id)
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


def set_pin(user_id: int, pin: str, actor: Actor, now: datetime | None = None) -> User:
    """Set a user's till PIN (audited, never logged)."""
    user = _get(user_id)
    _check_pin(pin)
    user.pin_hash = hash_secret(pin)
    audit.record("user.pin_changed", actor, target=f"user:{user.id}", now=now)
    db.session.commit()
    return user


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


def unlock(user_id: int, actor: Actor, now: datetime | None = None) -> User:
    """Lift a lock-out early (a manager vouching for the person)."""
    user = _get(user_id)
    user.failed_attempts = 0
    user.locked_until = None
    audit.record("user.unlocked", actor, target=f"user:{user.id}", now=now)
    db.session.commit()
    return user


def set_active(user_id: int, active: bool, actor: Actor, now: datetime | None = None) -> User:
    """Deactivate or reactivate a user; deactivated users cannot sign in anywhere."""
    user = _get(user_id)
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
