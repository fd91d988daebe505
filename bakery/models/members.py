"""Members of the co-operative: classes, members, share capital and safeguarding (kept apart)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow
from bakery.models.users import User


class MemberClass(db.Model):  # type: ignore[name-defined,misc]
    """A class of member (worker, customer, community) with its patronage measure and till discount."""

    __tablename__ = "member_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    measure: Mapped[str] = mapped_column(String(12), default="none")  # hours, purchases, none
    till_discount_bp: Mapped[int] = mapped_column(Integer, default=0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Member(db.Model):  # type: ignore[name-defined,misc]
    """A member: a membership number, a class, a card with an unguessable code, maybe a login."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    class_id: Mapped[int] = mapped_column(ForeignKey("member_classes.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="active")
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    card_code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User | None] = relationship()
    member_class: Mapped[MemberClass] = relationship()


class ShareTransaction(db.Model):  # type: ignore[name-defined,misc]
    """A movement of a member's share capital: bought, withdrawn, or a dividend capitalised."""

    __tablename__ = "share_transactions"
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # bought, withdrawn, dividend
    amount: Mapped[int] = mapped_column(Integer)  # pence, positive in, negative out
    note: Mapped[str] = mapped_column(String(200), default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The key of the office's share form: a double-tapped or retried form moves the shares once.
    key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class SafeguardingRecord(db.Model):  # type: ignore[name-defined,misc]
    """Sensitive support data, in its own table: a flag, a programme reference, the referral agency
    and support notes — never offence details. Only admins with the safeguarding permission read it,
    and every read and change is audited (without the data)."""

    __tablename__ = "safeguarding_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), unique=True)
    justice_involvement: Mapped[bool] = mapped_column(Boolean, default=False)
    programme_ref: Mapped[str] = mapped_column(String(60), default="")
    referral_agency: Mapped[str] = mapped_column(String(120), default="")
    support_notes: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StoreCredit(db.Model):  # type: ignore[name-defined,misc]
    """A member's store credit: dividends paid as credit (positive) and spending at the till (negative)."""

    __tablename__ = "store_credits"
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # dividend, sale, refund
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
