"""The shop's own settings, one row, edited by an admin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow


class ShopSettings(db.Model):  # type: ignore[name-defined,misc]
    """Name, address, VAT number, currency, locale, timezone, receipt footer, till idle time."""

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
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
