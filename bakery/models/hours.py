"""Clocked hours: time entries from the till, corrections (the original kept) and approval."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow
from bakery.models.users import User


class TimeEntry(db.Model):  # type: ignore[name-defined,misc]
    """One shift as clocked: in, out, breaks; approved by a manager; confirmed or flagged by the worker."""

    __tablename__ = "time_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    till_id: Mapped[int | None] = mapped_column(ForeignKey("tills.id"))
    clock_in: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    clock_out: Mapped[datetime | None] = mapped_column(UTCDateTime())
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # The user while clocked in: NULL once clocked out, so one open entry per user is a unique key.
    open_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    member_state: Mapped[str] = mapped_column(String(10), default="")  # "", confirmed, flagged
    member_comment: Mapped[str] = mapped_column(String(280), default="")
    #: The keys of the clock-in and clock-out forms: a double tap or a retry clocks once.
    clock_in_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    clock_out_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def minutes(self) -> int:
        """Worked minutes: out - in - breaks (0 while still clocked in)."""
        if self.clock_out is None:
            return 0
        return max(int((self.clock_out - self.clock_in).total_seconds() // 60) - self.break_minutes, 0)


class TimeCorrection(db.Model):  # type: ignore[name-defined,misc]
    """A manager's correction of a time entry, keeping what it said before and why it changed."""

    __tablename__ = "time_corrections"
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("time_entries.id"), index=True)
    old_clock_in: Mapped[datetime] = mapped_column(UTCDateTime())
    old_clock_out: Mapped[datetime | None] = mapped_column(UTCDateTime())
    old_break_minutes: Mapped[int] = mapped_column(Integer)
    new_clock_in: Mapped[datetime] = mapped_column(UTCDateTime())
    new_clock_out: Mapped[datetime | None] = mapped_column(UTCDateTime())
    new_break_minutes: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
