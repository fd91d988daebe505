"""Tills and the tablets paired with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow


class Till(db.Model):  # type: ignore[name-defined,misc]
    """A point of sale: its own receipt numbers, cash sessions and ledger chain."""

    __tablename__ = "tills"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    location: Mapped[str] = mapped_column(String(60), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    devices: Mapped[list[TillDevice]] = relationship(back_populates="till")


class TillDevice(db.Model):  # type: ignore[name-defined,misc]
    """A tablet paired with a till by a manager: a long-lived, revocable token in a cookie."""

    __tablename__ = "till_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(60), default="")
    paired_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    paired_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    till: Mapped[Till] = relationship(back_populates="devices")

    @property
    def is_active(self) -> bool:
        """A device works until a manager revokes it."""
        return self.revoked_at is None
