"""Cash sessions, paid in/out, receipt counters and each till's ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow


class TillCounter(db.Model):  # type: ignore[name-defined,misc]
    """The last receipt and Z numbers of a till, advanced with UPDATE ... RETURNING (no gaps)."""

    __tablename__ = "till_counters"

    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"), primary_key=True)
    last_receipt_no: Mapped[int] = mapped_column(Integer, default=0)
    last_z_no: Mapped[int] = mapped_column(Integer, default=0)


class CashSession(db.Model):  # type: ignore[name-defined,misc]
    """From opening float to Z report: the cash a till is answerable for."""

    __tablename__ = "cash_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"), index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opening_float: Mapped[int] = mapped_column(Integer)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The open session of a till; NULL once closed, so "one open session per till" is a unique key.
    open_till_id: Mapped[int | None] = mapped_column(ForeignKey("tills.id"), unique=True)


class CashMovement(db.Model):  # type: ignore[name-defined,misc]
    """Cash paid into or out of the drawer outside a sale, with a reason."""

    __tablename__ = "cash_movements"
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)  # positive in, negative out
    reason: Mapped[str] = mapped_column(String(120))
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The key of the paid in/out form: a double-tapped or retried form moves the cash once.
    key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class ZReport(db.Model):  # type: ignore[name-defined,misc]
    """The numbered close of a cash session: counted against expected, totals; read-only."""

    __tablename__ = "z_reports"
    __table_args__ = (UniqueConstraint("till_id", "z_no", name="uq_z_reports_till_z"),)
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"), index=True)
    z_no: Mapped[int] = mapped_column(Integer)
    session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), unique=True)
    counted_cash: Mapped[int] = mapped_column(Integer)
    expected_cash: Mapped[int] = mapped_column(Integer)
    variance: Mapped[int] = mapped_column(Integer)
    totals_json: Mapped[str] = mapped_column(Text)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LedgerEntry(db.Model):  # type: ignore[name-defined,misc]
    """One link of a till's hash chain: a completed sale, refund or Z report."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("till_id", "seq", name="uq_ledger_entries_till_seq"),
        # A sale's or Z report's own link (receipts print its tag), without reading the till's chain.
        Index("ix_ledger_entries_till_id_kind_ref_id", "till_id", "kind", "ref_id"),
    )
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    ref_id: Mapped[int] = mapped_column(Integer)
    record_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
