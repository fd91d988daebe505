"""Signing in and out: passwords for the office and member area, PINs on paired tills."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from bakery.domain.lockout import LockState, after_failure, after_success, is_locked
from bakery.extensions import db
from bakery.models import TillDevice, User, UserSession
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, begin_write, locked, race_safe

PIN_PATTERN = re.compile(r"^[0-9]{4,6}$")
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="pbkdf2:sha256:1000")


class SignInRefused(ServiceError):
    """A sign-in that failed; the attempt itself has been counted and audited."""

    status = 401


@dataclass(frozen=True)
class NewSession:
    """A session just issued: the user and the raw token for the cookie (stored only hashed)."""

    user_id: int
    token: str
    kind: str


def hash_token(token: str) -> str:
    """Tokens are stored as SHA-256 hex digests, never in the clear."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_secret(secret: str) -> str:
    """Hash a password or PIN with Werkzeug (the method is configurable for fast tests)."""
    return generate_password_hash(secret, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def valid_pin(pin: str) -> bool:
    """A PIN is 4 to 6 digits."""
    return bool(PIN_PATTERN.match(pin or ""))


def _lock_state(user: User) -> LockState:
    return LockState(user.failed_attempts, user.lockouts, user.locked_until)


def _apply(user: User, state: LockState) -> None:
    user.failed_attempts = state.failed_attempts
    user.lockouts = state.lockouts
    user.locked_until = state.locked_until


def _minutes_left(user: User, now: datetime) -> str:
    seconds = (user.locked_until - now).total_seconds() if user.locked_until else 0
    minutes = max(1, -int(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@race_safe(Mechanism.ROW_LOCK, guards="callers hold the user row lock")
def _refuse_if_locked(user: User, actor: Actor, now: datetime, how: str) -> None:
    if is_locked(_lock_state(user), now):
        audit.record("auth.refused_locked", actor, target=f"user:{user.id}", details={"via": how}, now=now)
        db.session.commit()
        raise SignInRefused(
            f"{user.first_name} is locked out after too many wrong attempts. "
            f"Try again in {_minutes_left(user, now)} or ask a manager to unlock."
        )


@race_safe(Mechanism.ROW_LOCK, guards="callers hold the user row lock while counting")
def _count_failure(user: User, actor: Actor, now: datetime, how: str) -> None:
    """Record a wrong secret; commits so the count survives the refused request."""
    state = after_failure(_lock_state(user), now)
    _apply(user, state)
    audit.record("auth.wrong_" + how, actor, target=f"user:{user.id}", now=now)
    if state.locked_until is not None and is_locked(state, now):
        audit.record(
            "auth.locked",
            actor,
            target=f"user:{user.id}",
            details={"until": state.locked_until.isoformat(), "lockouts": state.lockouts},
            now=now,
        )
    db.session.commit()


@race_safe(Mechanism.ROW_LOCK, Mechanism.INDEPENDENT, guards="callers hold the user row; a new session row")
def _issue(
    user: User, kind: str, actor: Actor, now: datetime, till_id: int | None, replaces: str | None = None
) -> NewSession:
    _apply(user, after_success(_lock_state(user)))
    previous = session_for_token(replaces)
    if previous is not None:
        # A user switch: the old session ends in the same transaction the new one starts.
        previous.revoked_at = now
        audit.record("auth.switched", actor, target=f"user:{previous.user_id}", now=now)
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            kind=kind,
            till_id=till_id,
            address=actor.address,
            created_at=now,
        )
    )
    audit.record(
        "auth.signed_in",
        Actor(user.id, actor.till_id, actor.address),
        details={"via": kind},
        now=now,
    )
    db.session.commit()
    return NewSession(user.id, token, kind)


@race_safe(Mechanism.ROW_LOCK, guards="the user's failure count and lock-out (user row)")
def sign_in_with_password(email: str, password: str, actor: Actor, now: datetime | None = None) -> NewSession:
    """Check an email and password and open an office session.

    Rule: unknown email and wrong password get the same answer; 5 wrong in a row lock the
    user (doubling each time); every failure is counted and audited without the password.
    """
    now = now or utcnow()
    found = db.session.scalar(select(User.id).where(func.lower(User.email) == (email or "").strip().lower()))
    user = locked(User, found)
    if user is None or not user.active or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        audit.record("auth.unknown_email", actor, details={"email": (email or "")[:254]}, now=now)
        db.session.commit()
        raise SignInRefused("That email and password do not match an account.")
    _refuse_if_locked(user, actor, now, "password")
    if not check_password_hash(user.password_hash, password or ""):
        _count_failure(user, actor, now, "password")
        raise SignInRefused("That email and password do not match an account.")
    return _issue(user, "office", actor, now, None)


@race_safe(Mechanism.ROW_LOCK, guards="the user's failure count and lock-out (user row)")
def sign_in_with_pin(
    user_id: int,
    pin: str,
    device: TillDevice | None,
    actor: Actor,
    now: datetime | None = None,
    *,
    replaces: str | None = None,
) -> NewSession:
    """Check a staff PIN on a paired till and open a till session.

    Rule: a PIN works only on a device paired with an active till (otherwise it is refused
    whatever it is, and not even checked); the user is chosen by tapping their tile first; wrong
    PINs count towards the same lock-out as passwords.
    """
    now = now or utcnow()
    if device is None or not device.is_active or not device.till.active:
        audit.record("auth.pin_unpaired_device", actor, target=f"user:{user_id}", now=now)
        db.session.commit()
        raise SignInRefused("This device is not paired with a till. Ask a manager to pair it.")
    user = locked(User, user_id)
    if user is None or not user.active or not user.works_till:
        raise SignInRefused("Choose your name on the till first.")
    _refuse_if_locked(user, actor, now, "pin")
    if not check_password_hash(user.pin_hash or "", pin or ""):
        _count_failure(user, actor, now, "pin")
        remaining = 5 - user.failed_attempts
        if user.locked_until and is_locked(_lock_state(user), now):
            raise SignInRefused(
                f"Wrong PIN. {user.first_name} is now locked out for {_minutes_left(user, now)}."
            )
        raise SignInRefused(f"Wrong PIN. {remaining} more wrong and {user.first_name} is locked out.")
    return _issue(user, "till", actor, now, device.till_id, replaces)


def session_for_token(token: str | None) -> UserSession | None:
    """The live (not revoked) session for a cookie token, or None. Reads only."""
    if not token:
        return None
    found = db.session.scalar(
        select(UserSession)
        .where(UserSession.token_hash == hash_token(token))
        .options(joinedload(UserSession.user))  # every signed-in request uses it
    )
    if found is None or found.revoked_at is not None:
        return None
    return found


@race_safe(Mechanism.INDEPENDENT, guards="revoking a session twice sets the same revoked_at")
def sign_out(
    token: str | None, actor: Actor, reason: str = "signed_out", now: datetime | None = None
) -> None:
    """Revoke a session on the server so its cookie no longer works anywhere.

    Rule: it may follow another service's commit in the same request (pairing a tablet ends the
    manager's session), so it takes the write lock before reading the session (SQLite).
    """
    begin_write()
    now = now or utcnow()
    found = session_for_token(token)
    if found is None:
        return
    found.revoked_at = now
    audit.record("auth." + reason, actor, target=f"user:{found.user_id}", now=now)
    db.session.commit()


@race_safe(Mechanism.ROW_LOCK, guards="the manager's failure count and lock-out (user row)")
def authorise_manager(manager_id: int, pin: str, actor: Actor, now: datetime) -> User:
    """A manager's PIN authorises a refund, a void or a large discount.

    Rule: only an active manager with a PIN; a locked manager is refused without checking; wrong
    PINs count towards the manager's own lock-out, under the manager's row lock.
    """
    manager = locked(User, manager_id)
    if manager is None or not manager.active or not manager.is_manager or not manager.pin_hash:
        raise SignInRefused("Choose a manager to authorise this.")
    if is_locked(_lock_state(manager), now):
        raise SignInRefused(f"{manager.first_name} is locked out after wrong PINs.")
    if not check_password_hash(manager.pin_hash, pin or ""):
        _count_failure(manager, actor, now, "pin")
        raise SignInRefused("Wrong manager PIN. Nothing was changed.")
    return manager


@race_safe(Mechanism.ROW_LOCK, guards="the user's failure count and lock-out (user row)")
def check_till_pin(
    user_id: int, pin: str, device: TillDevice | None, actor: Actor, now: datetime, *, unpaired_action: str
) -> User:
    """The person who tapped their tile, if the PIN is right on a paired till.

    Rule: an unpaired or revoked device is refused without checking the PIN (audited as
    `unpaired_action`); a locked user is
    refused; a wrong PIN counts towards the user's lock-out (committed and audited, PIN never logged).
    """
    if device is None or not device.is_active or not device.till.active:
        audit.record(unpaired_action, actor, target=f"user:{user_id}", now=now)
        db.session.commit()
        raise SignInRefused("This device is not paired with a till. Ask a manager to pair it.")
    user = locked(User, user_id)
    if user is None or not user.active or not user.works_till:
        raise NotFound("Choose your name on the till first.")
    _refuse_if_locked(user, actor, now, "pin")
    if not check_password_hash(user.pin_hash or "", pin or ""):
        _count_failure(user, actor, now, "pin")
        if user.locked_until and user.locked_until > now:
            raise SignInRefused(
                f"Wrong PIN. {user.first_name} is now locked out for {_minutes_left(user, now)}."
            )
        remaining = 5 - user.failed_attempts
        raise SignInRefused(f"Wrong PIN. {remaining} more wrong and {user.first_name} is locked out.")
    _apply(user, after_success(_lock_state(user)))
    return user


def managers() -> list[User]:
    """Managers who can authorise on the till (they have a PIN). Reads only."""
    return list(
        db.session.scalars(
            select(User).where(
                User.role.in_(["manager", "admin"]), User.pin_hash.is_not(None), User.active.is_(True)
            )
        )
    )
