"""Stock takes: a count sheet per storage location, one line per thing counted, approved once.

Each line keeps what was counted and what the system expected at the moment it was counted, so
approval can add the difference (a relative movement) and keep every sale made since.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow


class StockCount(db.Model):  # type: ignore[name-defined,misc]
    """A stock take of one location: open while people count, then approved (or cancelled)."""

    __tablename__ = "stock_counts"
    __table_args__ = (CheckConstraint("status IN ('open', 'approved', 'cancelled')", name="known_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    value: Mapped[int] = mapped_column(Integer, default=0)  # pence: the approved variance at cost

    lines: Mapped[list[StockCountLine]] = relationship(back_populates="count", order_by="StockCountLine.id")


class StockCountLine(db.Model):  # type: ignore[name-defined,misc]
    """One stock item (base units) or finished product (units) counted on a sheet.

    `expected` is the on-hand figure at the moment `counted` was entered; counting again replaces
    both. At approval the difference becomes a movement, linked here.
    """

    __tablename__ = "stock_count_lines"
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (stock_item_id IS NULL)", name="one_product_or_one_item"),
        CheckConstraint("counted >= 0", name="counted_not_negative"),
        UniqueConstraint("count_id", "stock_item_id", name="uq_stock_count_lines_count_item"),
        UniqueConstraint("count_id", "product_id", name="uq_stock_count_lines_count_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id"), index=True)
    stock_item_id: Mapped[int | None] = mapped_column(ForeignKey("stock_items.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    counted: Mapped[int] = mapped_column(BigInteger)
    expected: Mapped[int] = mapped_column(BigInteger)
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    item_movement_id: Mapped[int | None] = mapped_column(ForeignKey("stock_item_movements.id"))
    product_movement_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movements.id"))
    value: Mapped[int] = mapped_column(Integer, default=0)  # pence, signed like the variance

    count: Mapped[StockCount] = relationship(back_populates="lines")
