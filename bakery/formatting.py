"""Display helpers registered as template filters: money and local time."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_datetime
from babel.numbers import format_currency, format_percent
from flask import Flask, g

from bakery.domain.clock import to_local
from bakery.domain.money import format_plain


def _shop() -> tuple[str, str, str]:
    shop = getattr(g, "shop", None)
    if shop is None:
        return "GBP", "en_GB", "Europe/London"
    return shop.currency, shop.locale, shop.timezone


def money(pence: int | None) -> str:
    """Format integer pence in the shop's currency and locale (£3.40, -£1.20, 3,40 €)."""
    if pence is None:
        return ""
    if not isinstance(pence, int) or isinstance(pence, bool):
        raise TypeError("money() takes integer pence")
    currency, locale, _ = _shop()
    return _money(pence, currency, locale)


@lru_cache(maxsize=8192)
def _money(pence: int, currency: str, locale: str) -> str:
    """One amount in one currency and locale, formatted once per process (a page shows the same
    few prices many times, and Babel's formatting is the dearest step of a basket fragment)."""
    # Babel takes a Decimal-free exact string in major units; pence stay integers up to here.
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return format_currency(f"{sign}{whole}.{part:02d}", currency, locale=locale)


def rate(basis_points: int | None) -> str:
    """Show a VAT rate held in basis points as a percentage in the shop's locale (12.5%, 20%)."""
    if basis_points is None:
        return ""
    _, locale, _ = _shop()
    return _rate(basis_points, locale)


@lru_cache(maxsize=1024)
def _rate(basis_points: int, locale: str) -> str:
    # Decimal division by a power of ten is exact: a display edge, never money arithmetic.
    return format_percent(Decimal(basis_points).scaleb(-4), format="#,##0.##%", locale=locale)


def local_time(moment: datetime | None, pattern: str = "d MMM yyyy HH:mm") -> str:
    """Show a UTC time in the shop's timezone."""
    if moment is None:
        return ""
    _, locale, timezone = _shop()
    return format_datetime(to_local(moment, timezone), pattern, locale=locale)


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(money, "money")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(dict_without, "dict_without")
    app.add_template_filter(format_plain, "pence_plain")
    app.add_template_filter(rate, "rate")
    app.add_template_filter(has_long_word, "has_long_word")
    app.add_template_global(fresh_key, "fresh_key")
    from bakery.charts import split_chart  # charts formats money with this module

    app.add_template_global(split_chart, "split_chart")


def fresh_key() -> str:
    """A new key for a form that must act once however often it is sent (a tender, a paid-out)."""
    return uuid.uuid4().hex


def dict_without(values: dict[str, str], *keys: str) -> dict[str, str]:
    """A copy of a mapping without some keys (for building pager links from query args)."""
    return {k: v for k, v in values.items() if k not in keys}


LONG_WORD = 11


def has_long_word(text: str | None, longest: int = LONG_WORD) -> bool:
    """True when one word of the text is longer than `longest` letters (a tile shows it smaller)."""
    return any(len(word) > longest for word in (text or "").split())
