"""Bake plans: the quantities a baker accepted for a day, which become that day's production list."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow


class BakePlan(db.Model):  # type: ignore[name-defined,misc]
    """The accepted plan for one day's bake: one per day, and one per accept form (`key`)."""

    __tablename__ = "bake_plans"
    __table_args__ = (CheckConstraint("weeks BETWEEN 1 AND 12", name="weeks_in_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    weeks: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lines: Mapped[list[BakePlanLine]] = relationship(
        back_populates="plan", order_by="BakePlanLine.id", cascade="all, delete-orphan"
    )


class BakePlanLine(db.Model):  # type: ignore[name-defined,misc]
    """One product of an accepted plan: what was suggested, what the baker accepted, and why.

    `demand` and `left` are the expected demand and the units left in date when it was accepted;
    `qty` is the units to bake (whole batches of `batch_size`, or what the baker typed).
    """

    __tablename__ = "bake_plan_lines"
    __table_args__ = (
        UniqueConstraint("plan_id", "product_id", name="one_line_per_product"),
        CheckConstraint("qty >= 0 AND suggested >= 0", name="not_negative"),
        CheckConstraint("batch_size > 0", name="batch_makes_something"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("bake_plans.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    suggested: Mapped[int] = mapped_column(Integer)
    qty: Mapped[int] = mapped_column(Integer)
    batch_size: Mapped[int] = mapped_column(Integer)
    demand: Mapped[int] = mapped_column(Integer)
    left: Mapped[int] = mapped_column(Integer)

    plan: Mapped[BakePlan] = relationship(back_populates="lines")
