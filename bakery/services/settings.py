"""The shop's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name

from bakery.extensions import db
from bakery.models import ShopSettings
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.race_safety import Mechanism, locked, race_safe

EDITABLE = (
    "shop_name",
    "address",
    "vat_number",
    "currency",
    "locale",
    "timezone",
    "receipt_footer",
    "till_idle_seconds",
)


def current_settings() -> ShopSettings:
    """The settings row, or unsaved defaults if the shop has none yet (reading never writes)."""
    found = db.session.get(ShopSettings, 1)
    if found is not None:
        return found
    return ShopSettings(
        id=1,
        shop_name="Our Bakery Co-op",
        address="",
        vat_number="",
        currency="GBP",
        locale="en_GB",
        timezone="Europe/London",
        receipt_footer="",
        till_idle_seconds=180,
    )


def validate_settings(values: dict[str, Any]) -> dict[str, Any]:
    """Check settings: a real currency code, locale and timezone; an idle time of 30 s to 1 h."""
    cleaned = dict(values)
    cleaned["shop_name"] = " ".join(str(values.get("shop_name", "")).split())
    if not cleaned["shop_name"] or len(cleaned["shop_name"]) > 80:
        raise ServiceError("The shop name must be 1 to 80 characters.")
    currency = str(values.get("currency", "")).strip().upper()
    try:
        if len(currency) != 3 or get_currency_name(currency, locale="en") == currency:
            raise ServiceError(f"{currency or 'That'} is not a currency code (e.g. GBP, EUR, CAD).")
    except (ValueError, LookupError) as exc:
        raise ServiceError("That is not a currency code (e.g. GBP, EUR, CAD).") from exc
    cleaned["currency"] = currency
    try:
        Locale.parse(str(values.get("locale", "")).strip())
    except (ValueError, UnknownLocaleError) as exc:
        raise ServiceError("That is not a locale (e.g. en_GB, it_IT, fr_CA).") from exc
    cleaned["locale"] = str(values.get("locale")).strip()
    try:
        ZoneInfo(str(values.get("timezone", "")).strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ServiceError("That is not a timezone (e.g. Europe/London).") from exc
    cleaned["timezone"] = str(values.get("timezone")).strip()
    idle = values.get("till_idle_seconds")
    if not isinstance(idle, int) or not 30 <= idle <= 3600:
        raise ServiceError("The till idle lock must be between 30 and 3600 seconds.")
    for field, limit in (("address", 400), ("vat_number", 30), ("receipt_footer", 400)):
        text = str(values.get(field) or "").strip()
        if len(text) > limit:
            raise ServiceError(f"The {field.replace('_', ' ')} can be at most {limit} characters.")
        cleaned[field] = text
    return cleaned


@race_safe(Mechanism.ROW_LOCK, guards="the settings row (audit shows the true before)")
def update_settings(values: dict[str, Any], actor: Actor, now: datetime | None = None) -> ShopSettings:
    """Save the settings and audit what changed (before and after)."""
    cleaned = validate_settings(values)
    row = locked(ShopSettings, 1)
    if row is None:
        row = current_settings()
        db.session.add(row)
    changes = {
        key: {"from": getattr(row, key), "to": cleaned[key]}
        for key in EDITABLE
        if getattr(row, key) != cleaned[key]
    }
    for key in EDITABLE:
        setattr(row, key, cleaned[key])
    row.updated_at = now or utcnow()
    audit.record("settings.changed", actor, target="settings", details=changes, now=now)
    db.session.commit()
    return row
