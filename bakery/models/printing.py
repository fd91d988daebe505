"""Printers, the print queue, and the links to digital copies of receipts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.catalogue import Category
from bakery.models.types import UTCDateTime, utcnow

printer_categories = Table(
    "printer_categories",
    db.metadata,
    Column("printer_id", ForeignKey("printers.id"), primary_key=True),
    Column("category_id", ForeignKey("categories.id"), primary_key=True),
)


class Printer(db.Model):  # type: ignore[name-defined,misc]
    """A receipt, kitchen or label printer: how to reach it, what it can do, how it is doing.

    `connection_json` is the transport description `printers.transport_from_config` reads;
    `via_agent` printers are printed by an agent beside them (it authenticates with the token
    whose hash is kept here), the others by the app host's worker.
    """

    __tablename__ = "printers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    location: Mapped[str] = mapped_column(String(12), default="counter")  # counter, kitchen, labels
    connection_json: Mapped[str] = mapped_column(Text)
    profile: Mapped[str] = mapped_column(String(40))
    # The till whose receipts (and cash drawer) this printer serves; one receipt printer per till.
    receipt_till_id: Mapped[int | None] = mapped_column(ForeignKey("tills.id"), unique=True)
    via_agent: Mapped[bool] = mapped_column(Boolean, default=False)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(16), default="unknown")  # ok, offline, out_of_paper, error
    last_error: Mapped[str | None] = mapped_column(String(300))
    state_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agent_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    categories: Mapped[list[Category]] = relationship(secondary=printer_categories, order_by="Category.name")


class PrintJob(db.Model):  # type: ignore[name-defined,misc]
    """One document to print, written in the same transaction as what it prints.

    States: queued → claimed → sent → done; or failed (gave up), expired (too late to be
    useful), cancelled (by a person), uncertain (may be on paper: never resent automatically),
    dismissed (an uncertain receipt someone settled on the till without a reprint).
    `dedupe_key` is unique, so the same receipt copy can never be queued twice.
    """

    __tablename__ = "print_jobs"
    __table_args__ = (
        Index("ix_print_jobs_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_print_jobs_printer_id_state", "printer_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"))
    kind: Mapped[str] = mapped_column(String(12))  # receipt, kitchen, drawer, x_report, z_report, test, label
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id"), index=True)
    copy_no: Mapped[int] = mapped_column(Integer, default=0)  # 0 the original, n: DUPLICATE n
    document_json: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    # Set just before the bytes leave: a claim that lapses after this may be on paper.
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    printer: Mapped[Printer] = relationship()


class ReceiptLink(db.Model):  # type: ignore[name-defined,misc]
    """The unguessable token of a sale's digital receipt (the QR on the paper), made at checkout."""

    __tablename__ = "receipt_links"

    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
