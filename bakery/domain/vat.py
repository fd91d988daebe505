"""VAT: which rate a line takes, and how much VAT a VAT-inclusive amount contains.

Prices are VAT-inclusive and rates are integer basis points (2000 = 20 %). VAT is worked out per
rate band on the band's total, never per line, so a receipt's VAT does not depend on how the lines
were split.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from bakery.domain.money import Pence, round_half_up

#: 100 % in basis points.
FULL_RATE_BP = 10_000


def _check_rate(rate_bp: int) -> None:
    if isinstance(rate_bp, bool) or not isinstance(rate_bp, int):
        raise ValueError("A VAT rate is a whole number of basis points.")
    if not 0 <= rate_bp <= FULL_RATE_BP:
        raise ValueError("A VAT rate must be between 0% and 100%.")


@dataclass(frozen=True, slots=True)
class TaxCategory:
    """A product's tax category: its takeaway and eat-in VAT rates in basis points.

    Rule: `hot` marks hot food, which is standard-rated even when taken away (UK); rates lie
    between 0 and 10000 basis points.
    """

    code: str
    name: str
    takeaway_bp: int
    eat_in_bp: int
    hot: bool = False

    def __post_init__(self) -> None:
        _check_rate(self.takeaway_bp)
        _check_rate(self.eat_in_bp)


@dataclass(frozen=True, slots=True)
class VatDecision:
    """The VAT rate chosen for a line and why.

    `reason` is the short text recorded on the sale line ("hot drinks · hot takeaway · 20%"); the other
    fields are the facts the decision was made from.
    """

    rate_bp: int
    reason: str
    category_code: str
    eat_in: bool
    hot: bool


def decide_vat(category: TaxCategory, *, eat_in: bool) -> VatDecision:
    """Choose the VAT rate for a product of `category`, eaten in or taken away.

    Rule: eaten in → the category's eat-in rate; taken away → its takeaway rate, except hot food,
    which takes the eat-in (standard) rate even to take away.
    """
    if eat_in:
        rate, reason = category.eat_in_bp, f"eat-in · {format_rate(category.eat_in_bp)}"
    elif category.hot:
        rate = category.eat_in_bp
        reason = f"{category.name} · hot takeaway · {format_rate(rate)}"
    else:
        rate = category.takeaway_bp
        reason = f"{category.name} · takeaway · {format_rate(rate)}"
    return VatDecision(
        rate_bp=rate,
        reason=reason,
        category_code=category.code,
        eat_in=eat_in,
        hot=category.hot,
    )


def vat_in_gross(gross: Pence, rate_bp: int) -> Pence:
    """Return the VAT contained in a VAT-inclusive amount.

    Rule: `round_half_up(gross * rate / (10000 + rate))`, halves away from zero, so that
    `vat_in_gross(-g, r) == -vat_in_gross(g, r)` and a refund's VAT mirrors the sale's.
    """
    _check_rate(rate_bp)
    return round_half_up(gross * rate_bp, FULL_RATE_BP + rate_bp)


@dataclass(frozen=True, slots=True)
class VatBand:
    """One VAT rate's share of a receipt: gross (VAT-inclusive), the VAT in it, and net.

    Rule: `net == gross - vat`.
    """

    rate_bp: int
    gross: Pence
    vat: Pence
    net: Pence


def vat_bands(lines: Iterable[tuple[int, Pence]]) -> list[VatBand]:
    """Group `(rate_bp, gross)` lines into VAT bands, one per rate, sorted by rate.

    Rule: the VAT of a band is computed once on the band's summed gross (not per line); bands
    whose gross sums to zero are left out, unless every band is zero (then all are shown).
    """
    totals: dict[int, Pence] = {}
    for rate_bp, gross in lines:
        _check_rate(rate_bp)
        totals[rate_bp] = totals.get(rate_bp, 0) + gross
    bands = [_band(rate_bp, gross) for rate_bp, gross in sorted(totals.items())]
    non_zero = [band for band in bands if band.gross != 0]
    return non_zero if non_zero else bands


def _band(rate_bp: int, gross: Pence) -> VatBand:
    vat = vat_in_gross(gross, rate_bp)
    return VatBand(rate_bp=rate_bp, gross=gross, vat=vat, net=gross - vat)


def format_rate(bp: int) -> str:
    """Format a rate in basis points as a percentage without needless zeros.

    Rule: 2000 → "20%", 1250 → "12.5%", 555 → "5.55%", 0 → "0%".
    """
    sign = "-" if bp < 0 else ""
    whole, part = divmod(abs(bp), 100)
    if part == 0:
        return f"{sign}{whole}%"
    return f"{sign}{whole}.{f'{part:02d}'.rstrip('0')}%"


RATE_TEXT = re.compile(r"-?[0-9]{1,6}(\.[0-9]{1,6})?")


def parse_rate_bp(text: str) -> int:
    """Read a VAT rate typed as a percentage ("20", "12.5", "5 %") and return basis points.

    Rule: ASCII digits with at most one decimal point (a comma, other digits, underscores and
    spaces inside are refused); 0 to 100 inclusive, at most two decimal places (12.345 % is
    refused, never rounded).
    """
    cleaned = (text or "").strip().removesuffix("%").strip()
    if not cleaned:
        raise ValueError("Enter a rate like 20 or 12.5.")
    if "," in cleaned:
        raise ValueError("Write a rate with a point, not a comma, like 12.5.")
    if not RATE_TEXT.fullmatch(cleaned):
        raise ValueError("Enter a rate like 20 or 12.5 (a percentage).")
    value = Decimal(cleaned)
    if value < 0:
        raise ValueError("A rate cannot be negative.")
    if value > 100:
        raise ValueError("A rate cannot be more than 100%.")
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise ValueError("A rate has at most two decimal places, like 12.5 or 17.25.")
    return int(scaled)
