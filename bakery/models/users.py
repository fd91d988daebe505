"""People who sign in: admins, managers, staff and members, and their server-side sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow


class Role(StrEnum):
    """What a user is; an admin is also a manager, a manager may also work the till."""

    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"
    MEMBER = "member"


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A person who signs in: with email and password (office, member area) and/or a till PIN."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.STAFF.value)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    can_safeguard: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sessions: Mapped[list[UserSession]] = relationship(back_populates="user")

    @property
    def first_name(self) -> str:
        """The name printed on receipts and shown on till tiles."""
        return self.display_name.split()[0] if self.display_name.strip() else self.display_name

    @property
    def is_manager(self) -> bool:
        """Managers and admins run the back office."""
        return self.role in (Role.MANAGER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        """Admins hold the rights to members, users, settings and approvals."""
        return self.role == Role.ADMIN

    @property
    def works_till(self) -> bool:
        """Staff, managers and admins may sign in on a till with a PIN."""
        return self.role in (Role.STAFF, Role.MANAGER, Role.ADMIN) and self.pin_hash is not None

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Deactivated users cannot sign in anywhere."""
        return bool(self.active)


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    """One signed-in session, revocable on the server (the cookie holds only a random token)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "office" (password) or "till" (PIN)
    till_id: Mapped[int | None] = mapped_column(ForeignKey("tills.id"))
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="sessions")
