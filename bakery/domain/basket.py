"""Basket and refund totals: line gross, discounts, and VAT by band, all in integer pence.

A line's gross is VAT-inclusive. Discounts come off the gross before VAT is worked out, so the VAT
bands always describe what the customer actually paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bakery.domain.money import MAX_AMOUNT, Pence, largest_remainder, round_half_up
from bakery.domain.vat import FULL_RATE_BP, VatBand, vat_bands, vat_in_gross

#: The quantities a single sale line may take.
MIN_QTY = 1
MAX_QTY = 999


class BasketError(ValueError):
    """Raised when a basket cannot be priced; the message says what to fix."""


class RefundError(ValueError):
    """Raised when a refund asks for more than can still be refunded, or makes no sense."""


def _is_int(value: object) -> bool:
    # bool is an int subclass; True pence or True units would be a bug upstream, not a price.
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class LineInput:
    """One basket line as the till sends it to be priced.

    `unit_price` is the VAT-inclusive price of one unit with its chosen variant; `modifiers_price`
    is the sum of the chosen modifier options per unit (may be negative, "no milk -10p");
    `line_discount` is pence off the whole line. Rule (checked by `price_basket`): 1 ≤ qty ≤ 999,
    unit_price ≥ 0, unit_price + modifiers_price ≥ 0, 0 ≤ line_discount ≤ the line's gross.
    """

    unit_price: Pence
    modifiers_price: Pence
    qty: int
    rate_bp: int
    line_discount: Pence = 0


@dataclass(frozen=True, slots=True)
class LineTotal:
    """A priced line.

    Rule: `gross == gross_before_discount - line_discount - basket_discount_share`; `vat` is this
    line's VAT for display only (the receipt's VAT is per band, see `BasketTotals.bands`).
    """

    gross_before_discount: Pence
    line_discount: Pence
    basket_discount_share: Pence
    gross: Pence
    vat: Pence
    rate_bp: int


@dataclass(frozen=True, slots=True)
class BasketTotals:
    """A priced basket.

    Rule: `subtotal` is before any discount; `discount_total` is line discounts plus the basket
    discount; `total == subtotal - discount_total == sum of line gross == sum of band gross`.
    """

    lines: tuple[LineTotal, ...]
    subtotal: Pence
    discount_total: Pence
    total: Pence
    bands: tuple[VatBand, ...]

    @property
    def vat_total(self) -> Pence:
        """The receipt's VAT: the sum of the band VAT (not of the line VAT)."""
        return sum(band.vat for band in self.bands)


def percent_of(amount: Pence, bp: int) -> Pence:
    """Return `bp` basis points of `amount` in whole pence (1000 bp = 10 %).

    Rule: rounded half away from zero, e.g. 10 % of 1015p is 102p.
    """
    return round_half_up(amount * bp, FULL_RATE_BP)


def discount_pence(base: Pence, bp: int, amount: Pence) -> Pence:
    """The pence a discount takes off `base`, worked out afresh at every pricing.

    Rule: a discount is stored as it was typed: a percentage (`bp` basis points, 0 to 100 %) stays
    that percentage of the current price, so adding lines to a 10 % order keeps it at 10 %; an
    amount (`amount` pence) stays that amount, but never more than the price it comes off.
    Raises `BasketError` for a rate outside 0 to 100 % or a negative amount.
    """
    if not _is_int(bp) or not 0 <= bp <= FULL_RATE_BP:
        raise BasketError("A percentage discount must be between 0% and 100%.")
    if not _is_int(amount) or amount < 0:
        raise BasketError("A discount cannot be negative.")
    if bp:
        return percent_of(max(base, 0), bp)
    return min(amount, max(base, 0))


@dataclass(frozen=True, slots=True)
class OrderDiscount:
    """The one discount taken off the whole order, and the one that was passed over.

    `amount` is what comes off; `member` says whether it is the member's class discount;
    `staff` and `member_amount` are what each candidate would have taken off, so the till can say
    which applies and why.
    """

    amount: Pence
    member: bool = False
    staff: Pence = 0
    member_amount: Pence = 0

    @property
    def passed_over(self) -> bool:
        """Both a staff and a member discount were offered and one was not applied."""
        return self.staff > 0 and self.member_amount > 0


def order_discount(
    lines: Sequence[LineInput], manual: Pence, member_bp: int, manual_bp: int = 0
) -> OrderDiscount:
    """Choose the order discount: the member's class discount or the staff's one, never both.

    Rule: both are worked out afresh whenever the basket is priced, on the order after line
    discounts: the member discount is `member_bp` of it, the staff discount `manual_bp` of it when
    typed as a percentage, else `manual` pence (at most the order). They do not stack: the larger
    applies, and a tie goes to the member discount (which needs no reason and no manager). Lines
    added after the member was attached are discounted too, and taking the member off brings the
    staff discount back. Line discounts are separate and always apply first.
    Raises `BasketError` for a rate outside 0 to 100 % or a negative discount.
    """
    if not _is_int(member_bp) or not 0 <= member_bp <= FULL_RATE_BP:
        raise BasketError("A member discount must be between 0% and 100%.")
    if not _is_int(manual) or manual < 0:
        raise BasketError("A discount cannot be negative.")
    base = sum((line.unit_price + line.modifiers_price) * line.qty - line.line_discount for line in lines)
    staff = discount_pence(base, manual_bp, manual)
    member = percent_of(max(base, 0), member_bp)
    if member > 0 and member >= staff:
        return OrderDiscount(member, member=True, staff=staff, member_amount=member)
    return OrderDiscount(staff, staff=staff, member_amount=member)


def explain_order_discount(chosen: OrderDiscount, member_label: str, staff_label: str) -> str:
    """Say which order discount applies and, when one was passed over, why.

    Rule: e.g. "Member 5% (staff discount 3% not applied: the larger applies)"; the labels name
    each candidate as typed ("Member 5%", "staff discount 3%"). Empty when no discount applies.
    """
    if not chosen.amount:
        return ""
    applied, other = (member_label, staff_label) if chosen.member else (staff_label, member_label)
    applied = applied[:1].upper() + applied[1:]
    if not chosen.passed_over:
        return applied
    return f"{applied} ({other[:1].lower() + other[1:]} not applied: the larger applies)"


def _check_line(number: int, line: LineInput) -> Pence:
    """Validate one sale line and return its gross before discount."""
    where = f"Line {number}"
    for field in ("unit_price", "modifiers_price", "qty", "rate_bp", "line_discount"):
        if not _is_int(getattr(line, field)):
            raise BasketError(f"{where}: {field.replace('_', ' ')} must be a whole number.")
    if not MIN_QTY <= line.qty <= MAX_QTY:
        raise BasketError(f"{where}: the quantity must be between {MIN_QTY} and {MAX_QTY}.")
    if line.unit_price < 0:
        raise BasketError(f"{where}: the price cannot be negative.")
    if line.unit_price > MAX_AMOUNT or abs(line.modifiers_price) > MAX_AMOUNT:
        raise BasketError(f"{where}: the price is too large.")
    if line.unit_price + line.modifiers_price < 0:
        raise BasketError(f"{where}: the options cannot make the price negative.")
    if not 0 <= line.rate_bp <= FULL_RATE_BP:
        raise BasketError(f"{where}: the VAT rate must be between 0% and 100%.")
    if line.line_discount < 0:
        raise BasketError(f"{where}: a discount cannot be negative.")
    gross = (line.unit_price + line.modifiers_price) * line.qty
    if line.line_discount > gross:
        raise BasketError(f"{where}: the discount cannot be more than the line.")
    return gross


def price_basket(lines: Sequence[LineInput], basket_discount: Pence = 0) -> BasketTotals:
    """Price a basket: each line's gross, the discounts, the total and the VAT bands.

    Rule: line gross = (unit_price + modifiers_price) * qty - line_discount; the basket discount
    is then spread over the lines pro rata to their gross by largest remainder (ties to the
    earlier line), so no line goes below zero and the VAT bands reflect the discount; the total is
    the sum of the line gross, and VAT is computed per band on the band's gross.
    Raises `BasketError` for a bad quantity, price or discount.
    """
    if not _is_int(basket_discount):
        raise BasketError("The basket discount must be a whole number of pence.")
    if basket_discount < 0:
        raise BasketError("A discount cannot be negative.")
    before = [_check_line(number, line) for number, line in enumerate(lines, start=1)]
    after_line_discount = [gross - line.line_discount for gross, line in zip(before, lines, strict=True)]
    remaining = sum(after_line_discount)
    if basket_discount > remaining:
        raise BasketError("The basket discount cannot be more than the total still to pay.")
    shares = largest_remainder(basket_discount, after_line_discount)
    totals: list[LineTotal] = []
    for line, gross_before, net_of_line, share in zip(
        lines, before, after_line_discount, shares, strict=True
    ):
        gross = net_of_line - share
        totals.append(
            LineTotal(
                gross_before_discount=gross_before,
                line_discount=line.line_discount,
                basket_discount_share=share,
                gross=gross,
                vat=vat_in_gross(gross, line.rate_bp),
                rate_bp=line.rate_bp,
            )
        )
    subtotal = sum(before)
    discount_total = sum(line.line_discount for line in lines) + basket_discount
    return BasketTotals(
        lines=tuple(totals),
        subtotal=subtotal,
        discount_total=discount_total,
        total=subtotal - discount_total,
        bands=tuple(vat_bands((t.rate_bp, t.gross) for t in totals)),
    )


# --- refunds ---------------------------------------------------------------------------------


def refundable_gross(line_gross: Pence, line_qty: int, already_refunded_qty: int, refund_qty: int) -> Pence:
    """Return the gross (positive pence) to give back for `refund_qty` more units of a sold line.

    Rule: once k of the line's n units have been refunded, the refunded gross in total is
    floor(gross * k / n), whatever parts the refunds came in; so partial refunds never exceed the
    line, and the last unit refunded takes the remainder: a full refund is exactly the line's gross.
    Raises `RefundError` for more units than remain.
    """
    for name, value in (
        ("line gross", line_gross),
        ("line quantity", line_qty),
        ("refunded quantity", already_refunded_qty),
        ("refund quantity", refund_qty),
    ):
        if not _is_int(value):
            raise RefundError(f"The {name} must be a whole number.")
    if line_gross < 0:
        raise RefundError("Only a sale line can be refunded, not a refund.")
    if line_qty < 1:
        raise RefundError("The sold quantity must be at least 1.")
    if not 0 <= already_refunded_qty <= line_qty:
        raise RefundError("The quantity already refunded does not match the sale.")
    if refund_qty < 0:
        raise RefundError("Enter how many to refund as a positive number.")
    left = line_qty - already_refunded_qty
    if refund_qty > left:
        raise RefundError(f"Only {left} of {line_qty} can still be refunded on this line.")
    return _refunded_so_far(line_gross, line_qty, already_refunded_qty + refund_qty) - (
        _refunded_so_far(line_gross, line_qty, already_refunded_qty)
    )


def _refunded_so_far(line_gross: Pence, line_qty: int, refunded_qty: int) -> Pence:
    return line_gross * refunded_qty // line_qty


@dataclass(frozen=True, slots=True)
class SoldLine:
    """A line of the original sale as it was charged, and how many of it were refunded before.

    `gross` is what the customer paid for the whole line (after its discounts and its share of
    the basket discount), `qty` the units sold.
    """

    gross: Pence
    qty: int
    rate_bp: int
    refunded_qty: int = 0


@dataclass(frozen=True, slots=True)
class RefundLine:
    """A refund line: the mirror of part of a sold line, so `qty`, `gross` and `vat` are ≤ 0.

    `source` is the position of the sold line it refunds; `vat` is for display.
    """

    source: int
    qty: int
    gross: Pence
    vat: Pence
    rate_bp: int


@dataclass(frozen=True, slots=True)
class RefundTotals:
    """A priced refund: its lines, its (negative) total, and its VAT bands.

    Rule: `total == sum of line gross == sum of band gross`.
    """

    lines: tuple[RefundLine, ...]
    total: Pence
    bands: tuple[VatBand, ...]

    @property
    def vat_total(self) -> Pence:
        """The refund's VAT: the sum of the band VAT."""
        return sum(band.vat for band in self.bands)


def refund_lines(sold: Sequence[SoldLine], refund_qtys: Sequence[int]) -> tuple[RefundLine, ...]:
    """Mirror the sold lines for the quantities to refund now (one count per sold line).

    Rule: each refunded line's gross is `-refundable_gross(...)`; lines with nothing to refund
    are left out; a line's VAT is the change in the VAT of its refunded-so-far gross, so that the
    parts of a full refund add up to exactly the sale line's VAT. Raises `RefundError`.
    """
    if len(sold) != len(refund_qtys):
        raise RefundError("Say how many to refund for each line of the sale.")
    result: list[RefundLine] = []
    for index, (line, qty) in enumerate(zip(sold, refund_qtys, strict=True)):
        if not _is_int(line.rate_bp) or not 0 <= line.rate_bp <= FULL_RATE_BP:
            raise RefundError("The sale line's VAT rate is not valid.")
        gross = refundable_gross(line.gross, line.qty, line.refunded_qty, qty)
        if qty == 0:
            continue
        before = _refunded_so_far(line.gross, line.qty, line.refunded_qty)
        after = before + gross
        vat = vat_in_gross(-after, line.rate_bp) - vat_in_gross(-before, line.rate_bp)
        result.append(RefundLine(source=index, qty=-qty, gross=-gross, vat=vat, rate_bp=line.rate_bp))
    if not result:
        raise RefundError("Choose at least one item to refund.")
    return tuple(result)


def price_refund(sold: Sequence[SoldLine], refund_qtys: Sequence[int]) -> RefundTotals:
    """Price a refund of `refund_qtys` units of the sold lines: the mirror of the sale.

    Rule: the lines are those of `refund_lines`; each band's VAT is the change in the VAT of the
    band's refunded-so-far gross (a first refund is simply VAT on its band gross). Refunding
    everything, at once or in parts, gives back exactly minus (the sale's band gross and band VAT).
    """
    lines = refund_lines(sold, refund_qtys)
    refunding = {line.source: -line.qty for line in lines}
    before: dict[int, Pence] = {}
    after: dict[int, Pence] = {}
    for index, line in enumerate(sold):
        prior = _refunded_so_far(line.gross, line.qty, line.refunded_qty)
        now = _refunded_so_far(line.gross, line.qty, line.refunded_qty + refunding.get(index, 0))
        before[line.rate_bp] = before.get(line.rate_bp, 0) - prior
        after[line.rate_bp] = after.get(line.rate_bp, 0) - now
    # The bands are those of a plain receipt, with the VAT replaced by the difference of the
    # cumulative VAT: per-refund rounding would otherwise leave pennies of VAT behind when a sale
    # is refunded in several parts, and VAT reports would not net a fully refunded sale to zero.
    bands = tuple(
        _refund_band(band, after, before) for band in vat_bands((line.rate_bp, line.gross) for line in lines)
    )
    return RefundTotals(lines=lines, total=sum(line.gross for line in lines), bands=bands)


def _refund_band(band: VatBand, after: dict[int, Pence], before: dict[int, Pence]) -> VatBand:
    rate = band.rate_bp
    vat = vat_in_gross(after[rate], rate) - vat_in_gross(before[rate], rate)
    return VatBand(rate_bp=rate, gross=band.gross, vat=vat, net=band.gross - vat)


def discount_needs_manager(discount: Pence, base: Pence, threshold_bp: int) -> bool:
    """A discount needs a manager when it is more than `threshold_bp` of the price it comes off.

    Rule: compared in integers (discount * 10000 > base * threshold), so 20.00% of a price is
    allowed at a 20% threshold and a penny more is not.
    """
    if discount <= 0:
        return False
    if base <= 0:
        return True
    return discount * 10_000 > base * threshold_bp
