"""VAT: which rate a line takes, and how much VAT a VAT-inclusive amount contains.

Prices are VAT-inclusive and rates are integer basis points (2000 = 20 %). VAT is worked out per
rate band on the band's total, never per line, so a receipt's VAT does not depend on how the lines
were split.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bakery.domain.money import Pence, largest_remainder, round_half_up

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


def line_vat_shares(
    lines: Sequence[tuple[int, Pence]], band_vat: Mapping[int, Pence] | None = None
) -> list[Pence]:
    """Split each band's VAT over the band's `(rate_bp, gross)` lines; one share per line, in order.

    Rule: a band's VAT is `vat_in_gross` of the band's summed gross (or `band_vat[rate]` when the
    receipt recorded its own, as a refund does, where a band of free lines has none); it is spread
    over the band's lines pro rata to their gross by largest remainder, equal remainders to the
    earlier line. So the lines' VAT adds
    up exactly to the receipt's band VAT and their net (`gross - share`) to the band's net. The
    lines of one band all have the same sign (a sale's are ≥ 0, a refund's ≤ 0); mixed signs are
    refused with `ValueError`.
    """
    by_band: dict[int, list[int]] = {}
    for index, (rate_bp, _gross) in enumerate(lines):
        _check_rate(rate_bp)
        by_band.setdefault(rate_bp, []).append(index)
    shares = [0] * len(lines)
    for rate_bp, indexes in by_band.items():
        grosses = [lines[i][1] for i in indexes]
        if any(g > 0 for g in grosses) and any(g < 0 for g in grosses):
            raise ValueError("The lines of one VAT band must all be sales or all be refunds.")
        band_gross = sum(grosses)
        if band_vat is None:
            vat = vat_in_gross(band_gross, rate_bp)
        elif rate_bp in band_vat:
            vat = band_vat[rate_bp]
        elif band_gross == 0:
            vat = 0  # a band of free lines (discounted to nothing) is not on the receipt: no VAT
        else:
            raise ValueError("The receipt records no VAT for a band it sells in.")
        if abs(vat) > abs(band_gross) or (vat and (vat < 0) != (band_gross < 0)):
            raise ValueError("A band's VAT must lie between zero and the band's gross.")
        for index, share in zip(indexes, largest_remainder(vat, [abs(g) for g in grosses]), strict=True):
            shares[index] = share
    return shares


def line_nets(lines: Sequence[tuple[int, Pence]], band_vat: Mapping[int, Pence] | None = None) -> list[Pence]:
    """Each `(rate_bp, gross)` line's net of VAT: its gross less its share of its band's VAT.

    Rule: see `line_vat_shares`; per band, the nets add up to the band's gross less its VAT.
    """
    return [
        gross - share for (_rate, gross), share in zip(lines, line_vat_shares(lines, band_vat), strict=True)
    ]


def bands_of_lines(lines: Iterable[tuple[int, Pence, Pence]]) -> list[VatBand]:
    """A receipt's VAT bands from its `(rate_bp, gross, vat share)` lines, one per rate, by rate.

    Rule: a band's gross and VAT are the sums of its lines' gross and stored VAT shares (the
    shares of `line_vat_shares`, kept on each sale line), so the bands printed on a receipt, a
    Z report's bands and the net that patronage counts (`total - vat_total`) are one figure;
    bands whose gross sums to zero are left out unless every band is zero.
    """
    totals: dict[int, tuple[Pence, Pence]] = {}
    for rate_bp, gross, vat in lines:
        _check_rate(rate_bp)
        before = totals.get(rate_bp, (0, 0))
        totals[rate_bp] = (before[0] + gross, before[1] + vat)
    bands = [VatBand(rate, gross, vat, gross - vat) for rate, (gross, vat) in sorted(totals.items())]
    non_zero = [band for band in bands if band.gross != 0]
    return non_zero if non_zero else bands


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
