"""Financial periods, surplus allocations (proposed, then approved and locked) and payouts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow


class FinancialPeriod(db.Model):  # type: ignore[name-defined,misc]
    """A trading period (usually a year) whose surplus is allocated once the general meeting approves."""

    __tablename__ = "financial_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # inclusive
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, proposed, approved
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Allocation(db.Model):  # type: ignore[name-defined,misc]
    """A surplus allocation: the frozen inputs and rules (with their hash), the result, who proposed
    and who approved it, and the general meeting's resolution. Approved allocations never change;
    a correction is a new allocation that names the one it adjusts."""

    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("financial_periods.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="proposed")  # proposed, approved, withdrawn
    scenario_json: Mapped[str] = mapped_column(Text)  # rules, period figures and members' patronage
    inputs_hash: Mapped[str] = mapped_column(String(64))
    result_json: Mapped[str] = mapped_column(Text)
    surplus: Mapped[int | None] = mapped_column(Integer)  # the scenario's surplus; negative: a loss
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_ref: Mapped[str | None] = mapped_column(String(60))
    resolution_date: Mapped[date | None] = mapped_column(Date)
    adjusts_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id"))

    period: Mapped[FinancialPeriod] = relationship()
    lines: Mapped[list[AllocationLine]] = relationship(
        back_populates="allocation", order_by="AllocationLine.id"
    )


class AllocationLine(db.Model):  # type: ignore[name-defined,misc]
    """One member's figures in an allocation, kept so statements explain them."""

    __tablename__ = "allocation_lines"
    __table_args__ = (UniqueConstraint("allocation_id", "member_id", name="uq_allocation_lines_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    class_name: Mapped[str] = mapped_column(String(40))
    measure: Mapped[str] = mapped_column(String(12))
    patronage: Mapped[int] = mapped_column(Integer)
    class_pool: Mapped[int] = mapped_column(Integer)
    class_patronage: Mapped[int] = mapped_column(Integer)
    allocation_amount: Mapped[int] = mapped_column(Integer)
    carried_in: Mapped[int] = mapped_column(Integer, default=0)
    payable: Mapped[int] = mapped_column(Integer)
    paid: Mapped[int] = mapped_column(Integer)
    carried_out: Mapped[int] = mapped_column(Integer)

    allocation: Mapped[Allocation] = relationship(back_populates="lines")


class Payout(db.Model):  # type: ignore[name-defined,misc]
    """How a member's dividend was paid: cash, store credit or added to their shares."""

    __tablename__ = "payouts"
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("allocation_lines.id"), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))  # cash, credit, shares
    amount: Mapped[int] = mapped_column(Integer)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OpeningImport(db.Model):  # type: ignore[name-defined,misc]
    """An import of opening patronage from a co-op's old till or spreadsheet into a period: the
    file as uploaded (kept, with its hash), its totals, who uploaded and who confirmed it. Staged
    when its preview is shown; active once confirmed (its rows then count); replaced when a later
    import for the period explicitly replaces it."""

    __tablename__ = "opening_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("financial_periods.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="staged")  # staged, active, replaced
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    member_count: Mapped[int] = mapped_column(Integer)
    total_purchases: Mapped[int] = mapped_column(Integer)  # pence, net of VAT
    total_minutes: Mapped[int] = mapped_column(Integer)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("opening_imports.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    period: Mapped[FinancialPeriod] = relationship()


class OpeningPatronage(db.Model):  # type: ignore[name-defined,misc]
    """One row of an opening import: a member's purchases (net of VAT) and approved minutes on a
    day before the co-op used this system. Counted in patronage while its import is active."""

    __tablename__ = "opening_patronage"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("opening_imports.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    purchases: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[int] = mapped_column(Integer)
    source_row: Mapped[int] = mapped_column(Integer)  # the row of the file it came from
