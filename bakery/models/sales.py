"""Baskets being rung up, and completed sales (immutable), their lines and payments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.members import Member
from bakery.models.types import UTCDateTime, utcnow


class Basket(db.Model):  # type: ignore[name-defined,misc]
    """An order being rung up; its `key` makes paying for it idempotent."""

    __tablename__ = "baskets"
    # One open basket per till: the till's row lock keeps taps in order, this makes a second one impossible.
    __table_args__ = (
        Index(
            "uq_baskets_open_till",
            "till_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        # The open basket by till, and parked orders oldest first, without reading paid ones.
        Index("ix_baskets_till_id_status", "till_id", "status"),
        Index("ix_baskets_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, parked, paid, voided
    eat_in: Mapped[bool] = mapped_column(Boolean, default=False)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    parked_name: Mapped[str | None] = mapped_column(String(40))
    # The order discount as typed: a percentage (basis points) or, when that is 0, an amount (pence).
    discount: Mapped[int] = mapped_column(Integer, default=0)
    discount_bp: Mapped[int] = mapped_column(Integer, default=0)
    discount_reason: Mapped[str | None] = mapped_column(String(60))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id"))

    lines: Mapped[list[BasketLine]] = relationship(
        back_populates="basket", order_by="BasketLine.id", cascade="all, delete-orphan"
    )
    member: Mapped[Member | None] = relationship()


class BasketLine(db.Model):  # type: ignore[name-defined,misc]
    """A product in a basket with its variant, modifiers, quantity, note and discount."""

    __tablename__ = "basket_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[int] = mapped_column(ForeignKey("baskets.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id"))
    option_ids: Mapped[str] = mapped_column(String(200), default="")  # comma-separated, sorted
    qty: Mapped[int] = mapped_column(Integer, default=1)
    eat_in: Mapped[bool | None] = mapped_column(Boolean)  # None: follow the basket
    note: Mapped[str] = mapped_column(String(140), default="")
    # The line discount as typed: a percentage (basis points) or, when that is 0, an amount (pence).
    line_discount: Mapped[int] = mapped_column(Integer, default=0)
    line_discount_bp: Mapped[int] = mapped_column(Integer, default=0)
    discount_reason: Mapped[str | None] = mapped_column(String(60))

    basket: Mapped[Basket] = relationship(back_populates="lines")


class Sale(db.Model):  # type: ignore[name-defined,misc]
    """A completed sale or refund: numbered per till without gaps, never changed afterwards."""

    __tablename__ = "sales"
    __table_args__ = (
        UniqueConstraint("till_id", "receipt_no", name="uq_sales_till_receipt"),
        # A till's sales of one day, and a member's in a period, without reading the rest of the past.
        Index("ix_sales_till_id_created_at", "till_id", "created_at"),
        Index("ix_sales_member_id_created_at", "member_id", "created_at"),
    )
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"), index=True)
    receipt_no: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # sale, refund
    refund_of_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id"), index=True)
    cash_session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    authorised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    eat_in: Mapped[bool] = mapped_column(Boolean, default=False)
    subtotal: Mapped[int] = mapped_column(Integer)
    discount_total: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer)
    vat_total: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    lines: Mapped[list[SaleLine]] = relationship(order_by="SaleLine.id", viewonly=True)
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.id", viewonly=True)


class SaleLine(db.Model):  # type: ignore[name-defined,misc]
    """What was sold, at what price and VAT rate, and why that rate (kept with the line)."""

    __tablename__ = "sale_lines"
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(140), default="")
    qty: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    modifiers_price: Mapped[int] = mapped_column(Integer, default=0)
    line_discount: Mapped[int] = mapped_column(Integer, default=0)
    basket_discount_share: Mapped[int] = mapped_column(Integer, default=0)
    gross: Mapped[int] = mapped_column(Integer)
    rate_bp: Mapped[int] = mapped_column(Integer)
    # The line's share of its band's VAT (bakery.domain.vat.line_vat_shares): the lines of a
    # receipt add up to its band VAT and its vat_total, so receipts, Z reports and patronage agree.
    vat: Mapped[int] = mapped_column(Integer, default=0)
    vat_reason: Mapped[str] = mapped_column(String(80))
    eat_in: Mapped[bool] = mapped_column(Boolean)
    refund_of_line_id: Mapped[int | None] = mapped_column(ForeignKey("sale_lines.id"), index=True)


class Payment(db.Model):  # type: ignore[name-defined,misc]
    """Money taken or paid back: cash (with tendered and change) or card (with a reference)."""

    __tablename__ = "payments"
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(Integer)
    tendered: Mapped[int] = mapped_column(Integer, default=0)
    change: Mapped[int] = mapped_column(Integer, default=0)
    reference: Mapped[str | None] = mapped_column(String(40))
    #: The key of the tender form that took it: a retried tender is one payment.
    tender_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class PendingPayment(db.Model):  # type: ignore[name-defined,misc]
    """A tender entered for a basket before the sale completes (split tender); can be cancelled."""

    __tablename__ = "pending_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[int] = mapped_column(ForeignKey("baskets.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(40))
    key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class StockMovement(db.Model):  # type: ignore[name-defined,misc]
    """Every change of a product's stock, with who, when and why; on_hand is their running sum."""

    __tablename__ = "stock_movements"
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # sale, refund, delivery, production, waste, count...
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("bake_batches.id"))
    write_off_id: Mapped[int | None] = mapped_column(ForeignKey("write_offs.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
