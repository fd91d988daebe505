"""Finding (or starting) and pricing a till's open basket: each line's price, VAT decision and
discounts, the member's discount and store credit, quick tenders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bakery.domain.basket import (
    BasketError,
    BasketTotals,
    LineInput,
    discount_pence,
    explain_order_discount,
    order_discount,
    price_basket,
)
from bakery.domain.tender import CREDIT, quick_tenders
from bakery.domain.vat import TaxCategory as VatCategory
from bakery.domain.vat import VatDecision, decide_vat, format_rate
from bakery.extensions import db
from bakery.formatting import money
from bakery.models import Basket, BasketLine, PendingPayment, Product
from bakery.services.catalogue import Catalogue, ProductView, current_catalogue, fresh_catalogue
from bakery.services.errors import NotFound, ServiceError
from bakery.services.members import store_credit_balance

MEMBER_DISCOUNT = "member discount"


@dataclass(frozen=True)
class PricedLine:
    """A basket line as the till shows it and as checkout records it."""

    line: BasketLine
    product: ProductView
    description: str
    unit_price: int
    modifiers_price: int
    eat_in: bool
    vat: VatDecision
    gross: int
    #: The line's own discount in pence at this pricing, and how it was typed ("10% staff discount").
    discount: int = 0
    discount_label: str = ""


@dataclass(frozen=True)
class PricedBasket:
    """A basket with its prices worked out by the domain rules (templates do no arithmetic)."""

    basket: Basket | None
    lines: tuple[PricedLine, ...]
    totals: BasketTotals
    pending: tuple[PendingPayment, ...]
    paid_so_far: int
    still_due: int
    quick_tenders: tuple[int, ...]
    #: The discount on the whole order as applied (the member's or the manual one, see
    #: `bakery.domain.basket.order_discount`) and its reason.
    order_discount: int = 0
    order_discount_reason: str | None = None
    #: Which order discount applies and why, as the till shows it
    #: ("Member 5% (staff discount 3% not applied: the larger applies)").
    order_discount_note: str = ""
    #: The member's store credit still free to spend on this order: their balance less the
    #: credit already tendered for it (0 without a member).
    store_credit: int = 0

    @property
    def empty(self) -> bool:
        """No lines yet."""
        return not self.lines


def open_basket(till_id: int) -> Basket | None:
    """The till's open basket, if it has one. Reads only."""
    return (
        db.session.scalars(
            select(Basket)
            .where(Basket.till_id == till_id, Basket.status == "open")
            .order_by(Basket.id.desc())
            .options(joinedload(Basket.lines))  # every caller prices or changes its lines
        )
        .unique()
        .first()
    )


def _open_or_new(till_id: int, user_id: int) -> Basket:
    basket = open_basket(till_id)
    if basket is None:
        basket = Basket(
            key=str(uuid.uuid4()), till_id=till_id, created_by_id=user_id, status="open", lines=[]
        )
        db.session.add(basket)
        db.session.flush()
    return basket


def _line_in_till(line_id: int, till_id: int) -> BasketLine:
    line = db.session.get(BasketLine, line_id)
    if line is None or line.basket.till_id != till_id or line.basket.status != "open":
        raise NotFound("That line is no longer in the basket.")
    return line


def _catalogue_with(product_ids: set[int], option_ids: set[int]) -> Catalogue:
    """The request's catalogue, read again from the database if it lacks one of these (a product
    or option added since this process last read the catalogue and not yet announced)."""
    catalogue = current_catalogue()
    if product_ids <= catalogue.products.keys() and option_ids <= catalogue.options.keys():
        return catalogue
    return fresh_catalogue()


def vat_category(product: Product | ProductView) -> VatCategory:
    """The domain's view of a product's tax category."""
    tax = product.tax_category
    return VatCategory(tax.code, tax.name, tax.takeaway_bp, tax.eat_in_bp, tax.hot)


def price(basket: Basket | None) -> PricedBasket:
    """Price a basket with the domain rules; an absent basket prices as empty."""
    if basket is None:
        totals = price_basket([])
        return PricedBasket(None, (), totals, (), 0, 0, ())
    option_ids = {int(i) for line in basket.lines for i in line.option_ids.split(",") if i}
    catalogue = _catalogue_with({line.product_id for line in basket.lines}, option_ids)
    products, options = catalogue.products, catalogue.options
    staged = []
    for line in basket.lines:
        product = products[line.product_id]
        variant = next((v for v in product.variants if v.id == line.variant_id), None)
        chosen = [options[int(i)] for i in line.option_ids.split(",") if i]
        eat_in = basket.eat_in if line.eat_in is None else line.eat_in
        decision = decide_vat(vat_category(product), eat_in=eat_in)
        unit = variant.price if variant else product.price
        extra = sum(o.price_delta for o in chosen)
        parts = [product.name] + ([variant.name] if variant else []) + [o.name for o in chosen]
        staged.append((line, product, " · ".join(parts), unit, extra, eat_in, decision))
    try:
        line_discounts = [
            discount_pence((unit + extra) * line.qty, line.line_discount_bp, line.line_discount)
            for line, _, _, unit, extra, _, _ in staged
        ]
        inputs = [
            LineInput(unit, extra, line.qty, d.rate_bp, off)
            for (line, _, _, unit, extra, _, d), off in zip(staged, line_discounts, strict=True)
        ]
        member = basket.member
        member_bp = member.member_class.till_discount_bp if member and member.status == "active" else 0
        applied = order_discount(inputs, basket.discount, member_bp, manual_bp=basket.discount_bp)
        totals = price_basket(inputs, applied.amount)
    except BasketError as exc:
        raise ServiceError(str(exc)) from exc
    reason = MEMBER_DISCOUNT if applied.member else basket.discount_reason if applied.amount else None
    note = explain_order_discount(
        applied,
        f"{MEMBER_DISCOUNT} {format_rate(member_bp)}",
        _typed(basket.discount_reason or "discount", basket.discount_bp, basket.discount),
    )
    lines = tuple(
        PricedLine(
            line,
            product,
            text,
            unit,
            extra,
            eat_in,
            decision,
            total.gross,
            discount=off,
            discount_label=_typed(line.discount_reason or "discount", line.line_discount_bp, off)
            if off
            else "",
        )
        for (line, product, text, unit, extra, eat_in, decision), total, off in zip(
            staged, totals.lines, line_discounts, strict=True
        )
    )
    pending = tuple(
        db.session.scalars(
            select(PendingPayment).where(PendingPayment.basket_id == basket.id).order_by(PendingPayment.id)
        )
    )
    paid = sum(p.amount for p in pending)
    due = max(totals.total - paid, 0)
    credit = 0
    if member is not None:
        tendered = sum(p.amount for p in pending if p.method == CREDIT)
        credit = max(store_credit_balance(member.id) - tendered, 0)
    return PricedBasket(
        basket,
        lines,
        totals,
        pending,
        paid,
        due,
        tuple(quick_tenders(due)) if due else (),
        order_discount=applied.amount,
        order_discount_reason=reason,
        order_discount_note=note,
        store_credit=credit,
    )


def _typed(reason: str, bp: int, amount: int) -> str:
    """A discount named as it was typed: "staff discount 10%" or "damaged item £0.50"."""
    return f"{reason} {format_rate(bp) if bp else money(amount)}"
