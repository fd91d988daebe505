"""The shop's settings."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from babel import Locale
from babel.numbers import get_currency_name
from flask import g, has_request_context

from bakery.domain.money import MAX_AMOUNT
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
    "void_manager_above",
    "receipt_after_pay",
    "markdown_bp",
    "week_hours_limit",
    "impact_threshold_bp",
)

#: What happens to a sale's paper receipt at Pay, as the Settings page offers it. "ask" is a new
#: shop's default: the change-due screen offers Print receipt, No receipt and Show QR, and nothing
#: prints until Print is chosen. A shop that always prints chooses "always" (the receipt is queued
#: with the sale); a paperless shop "never" (Show QR only; Reprint still prints on request).
RECEIPT_CHOICES = {
    "ask": "Ask after each sale: Print receipt, No receipt or Show QR",
    "always": "Always print the receipt at Pay (Show QR still offered)",
    "never": "Never print at Pay: offer the QR only (Reprint prints one on request)",
}


#: The currencies a shop may choose: those of the countries the co-op's sister shops trade in.
CURRENCIES = ("GBP", "EUR", "CAD", "USD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK")
#: Locales for numbers, money and dates on screens and receipts.
LOCALES = (
    "en_GB", "cy_GB", "en_IE", "ga_IE", "en_CA", "fr_CA", "en_US", "en_AU", "en_NZ",
    "fr_FR", "fr_BE", "nl_NL", "nl_BE", "de_DE", "de_AT", "de_CH", "it_IT", "es_ES",
    "ca_ES", "pt_PT", "sv_SE", "nb_NO", "da_DK", "pl_PL", "cs_CZ",
)  # fmt: skip
_REGIONS = ("Europe", "America", "Africa", "Asia", "Atlantic", "Australia", "Indian", "Pacific")


@cache
def timezones() -> tuple[str, ...]:
    """The timezones a shop may choose: every Region/City zone (no aliases such as GB or US/Eastern)."""
    return tuple(sorted(z for z in available_timezones() if z.split("/", 1)[0] in _REGIONS and "/" in z))


def currency_choices() -> list[tuple[str, str]]:
    """Each currency with its name, for a list to choose from."""
    return [(code, f"{code} · {get_currency_name(code, locale='en')}") for code in CURRENCIES]


def locale_choices() -> list[tuple[str, str]]:
    """Each locale with its name in English, for a list to choose from."""
    return [(code, f"{Locale.parse(code).get_display_name('en')} · {code}") for code in LOCALES]


def timezone_choices() -> dict[str, list[tuple[str, str]]]:
    """The timezones grouped by region (Europe first), each shown by its city."""
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in _REGIONS}
    for zone in timezones():
        region, _, place = zone.partition("/")
        groups[region].append((zone, place.replace("_", " ").replace("/", " · ")))
    return groups


def current_settings() -> ShopSettings:
    """The settings row, or unsaved defaults if the shop has none yet (reading never writes).

    Within a request, the row the request loaded first (`g.shop`) is the answer while it is in
    the session: money and times are formatted many times a page without reading it again.
    """
    if has_request_context():
        shop = g.get("shop")
        if shop is not None and shop in db.session:
            return shop  # type: ignore[no-any-return]
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
        void_manager_above=2000,
        receipt_after_pay="ask",
        markdown_bp=5000,
        week_hours_limit=48,
        impact_threshold_bp=3000,
    )


def validate_settings(values: dict[str, Any]) -> dict[str, Any]:
    """Check settings: a currency, locale, timezone and receipt choice from the lists; an idle time
    of 30 s to 1 h; a void threshold in whole pence; an end-of-day markdown of 1 % to 100 %; a
    week's hours limit of 1 to 80 hours; an impact threshold of 0 % to 100 %."""
    cleaned = dict(values)
    cleaned["shop_name"] = " ".join(str(values.get("shop_name", "")).split())
    if not cleaned["shop_name"] or len(cleaned["shop_name"]) > 80:
        raise ServiceError("The shop name must be 1 to 80 characters.")
    currency = str(values.get("currency", "")).strip().upper()
    if currency not in CURRENCIES:
        raise ServiceError(f"Choose a currency code from the list ({', '.join(CURRENCIES[:4])}…).")
    cleaned["currency"] = currency
    locale = str(values.get("locale", "")).strip()
    if locale not in LOCALES:
        raise ServiceError("Choose a locale from the list (e.g. en_GB, it_IT, fr_CA).")
    cleaned["locale"] = locale
    timezone = str(values.get("timezone", "")).strip()
    if timezone not in timezones():
        raise ServiceError("Choose a timezone from the list (e.g. Europe/London).")
    cleaned["timezone"] = timezone
    idle = values.get("till_idle_seconds")
    if not isinstance(idle, int) or not 30 <= idle <= 3600:
        raise ServiceError("The till idle lock must be between 30 and 3600 seconds.")
    void_above = values.get("void_manager_above")
    if not isinstance(void_above, int) or isinstance(void_above, bool) or not 0 <= void_above <= MAX_AMOUNT:
        raise ServiceError("Enter the amount over which a void needs a manager, like 20.00.")
    receipt = str(values.get("receipt_after_pay", "")).strip()
    if receipt not in RECEIPT_CHOICES:
        raise ServiceError("Choose what happens to the receipt after Pay from the list.")
    cleaned["receipt_after_pay"] = receipt
    markdown = values.get("markdown_bp")
    if not isinstance(markdown, int) or isinstance(markdown, bool) or not 100 <= markdown <= 10000:
        raise ServiceError("The end-of-day markdown must be between 1% and 100%, like 50%.")
    week_limit = values.get("week_hours_limit", 48)
    if not isinstance(week_limit, int) or isinstance(week_limit, bool) or not 1 <= week_limit <= 80:
        raise ServiceError("The most hours in a week on the rota must be between 1 and 80.")
    threshold = values.get("impact_threshold_bp", 3000)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 0 <= threshold <= 10000:
        raise ServiceError("The impact threshold must be between 0% and 100%, like 30%.")
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
