"""The shop's own settings, one row, edited by an admin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow


class ShopSettings(db.Model):  # type: ignore[name-defined,misc]
    """Name, address, VAT number, currency, locale, timezone, receipt footer, till idle time, the
    void threshold, what happens to the receipt after Pay, the end-of-day markdown, and the
    catalogue's version."""

    __tablename__ = "shop_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_name: Mapped[str] = mapped_column(String(80), default="Our Bakery Co-op")
    address: Mapped[str] = mapped_column(Text, default="")
    vat_number: Mapped[str] = mapped_column(String(30), default="")
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    locale: Mapped[str] = mapped_column(String(16), default="en_GB")
    timezone: Mapped[str] = mapped_column(String(40), default="Europe/London")
    receipt_footer: Mapped[str] = mapped_column(Text, default="")
    till_idle_seconds: Mapped[int] = mapped_column(Integer, default=180)
    #: Voiding an order whose total is above this (pence) needs a manager's PIN.
    void_manager_above: Mapped[int] = mapped_column(Integer, default=2000)
    #: What happens to a sale's paper receipt at Pay: "ask" (Print, No receipt or QR on the
    #: change-due screen), "always" (printed at once) or "never" (only the QR is offered).
    receipt_after_pay: Mapped[str] = mapped_column(String(10), default="ask")
    #: Moves on with every change to the catalogue (bakery.services.catalogue.snapshot), in the
    #: same transaction: a process whose copy of the catalogue is older builds a new one.
    catalogue_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The end-of-day markdown the till takes off batch-baked products with one tap (basis points).
    markdown_bp: Mapped[int] = mapped_column(Integer, default=5000)
    #: The most hours anyone may be planned on the rota in a week (the Working Time Regulations'
    #: 48-hour average, unless a person's own limit is lower).
    week_hours_limit: Mapped[int] = mapped_column(Integer, default=48, server_default="48")
    #: The share of workers from a supported-employment or resettlement programme the social impact
    #: report is measured against (basis points; 30 % is the Italian social co-operative minimum).
    impact_threshold_bp: Mapped[int] = mapped_column(Integer, default=3000, server_default="3000")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
