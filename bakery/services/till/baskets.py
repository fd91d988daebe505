"""Ringing up a basket on a till: lines, variants, modifiers, quantities, eat-in or takeaway."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from bakery.domain.basket import (
    BasketError,
    BasketTotals,
    LineInput,
    discount_needs_manager,
    order_discount,
    percent_of,
    price_basket,
)
from bakery.domain.tender import CREDIT, quick_tenders
from bakery.domain.vat import TaxCategory as VatCategory
from bakery.domain.vat import VatDecision, decide_vat, format_rate
from bakery.extensions import db
from bakery.models import Basket, BasketLine, Member, ModifierOption, PendingPayment, Product, Variant
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.auth import authorise_manager
from bakery.services.errors import NotFound, ServiceError
from bakery.services.members import store_credit_balance
from bakery.services.race_safety import Mechanism, claimed, lock_till, race_safe

MAX_QTY = 999
MEMBER_DISCOUNT = "member discount"


@dataclass(frozen=True)
class PricedLine:
    """A basket line as the till shows it and as checkout records it."""

    line: BasketLine
    product: Product
    description: str
    unit_price: int
    modifiers_price: int
    eat_in: bool
    vat: VatDecision
    gross: int


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
    #: The member's store credit still free to spend on this order: their balance less the
    #: credit already tendered for it (0 without a member).
    store_credit: int = 0

    @property
    def empty(self) -> bool:
        """No lines yet."""
        return not self.lines


def open_basket(till_id: int) -> Basket | None:
    """The till's open basket, if it has one. Reads only."""
    return db.session.scalar(
        select(Basket).where(Basket.till_id == till_id, Basket.status == "open").order_by(Basket.id.desc())
    )


def _open_or_new(till_id: int, user_id: int) -> Basket:
    basket = open_basket(till_id)
    if basket is None:
        basket = Basket(key=str(uuid.uuid4()), till_id=till_id, created_by_id=user_id, status="open")
        db.session.add(basket)
        db.session.flush()
    return basket


def _options(ids: list[int]) -> list[ModifierOption]:
    if not ids:
        return []
    found = list(db.session.scalars(select(ModifierOption).where(ModifierOption.id.in_(ids))))
    if len(found) != len(set(ids)):
        raise ServiceError("That option is not on the menu any more.")
    return sorted(found, key=lambda o: (o.group_id, o.sort_order, o.id))


def check_choices(
    product: Product, variant_id: int | None, option_ids: list[int]
) -> tuple[Variant | None, list[ModifierOption]]:
    """A variant must belong to the product (and one is required when it has variants); options
    must come from the product's modifier groups, within each group's minimum and maximum."""
    variant = None
    if product.variants:
        variant = next((v for v in product.variants if v.id == variant_id), None)
        if variant is None:
            raise ServiceError(f"Choose a size for {product.name}.")
    elif variant_id is not None:
        raise ServiceError(f"{product.name} has no sizes.")
    options = _options(option_ids)
    allowed = {g.id: g for g in product.modifier_groups}
    for option in options:
        if option.group_id not in allowed:
            raise ServiceError(f"{option.name} is not an option for {product.name}.")
    for group in allowed.values():
        chosen = sum(1 for o in options if o.group_id == group.id)
        if chosen < group.min_choices:
            raise ServiceError(f"Choose {group.name} for {product.name}.")
        if chosen > group.max_choices:
            raise ServiceError(f"Choose at most {group.max_choices} of {group.name}.")
    return variant, options


@race_safe(Mechanism.ROW_LOCK, guards="one open basket per till and every tap counted (till row)")
def add_line(
    till_id: int,
    product_id: int,
    actor: Actor,
    *,
    variant_id: int | None = None,
    option_ids: list[int] | None = None,
    qty: int = 1,
) -> Basket:
    """Add a product to the till's open basket (starting one if needed).

    Rule: only active products; the same product with the same choices and no note or discount
    adds to the existing line's quantity; a line holds 1 to 999.
    """
    lock_till(till_id)
    product = db.session.get(Product, product_id)
    if product is None or not product.active or not product.category.active:
        raise ServiceError("That product is not on sale.")
    if not 1 <= qty <= MAX_QTY:
        raise ServiceError(f"The quantity must be between 1 and {MAX_QTY}.")
    _, options = check_choices(product, variant_id, option_ids or [])
    if actor.user_id is None:
        raise ServiceError("Sign in on the till first.")
    basket = _open_or_new(till_id, actor.user_id)
    key = ",".join(str(o.id) for o in options)
    same = next(
        (
            line
            for line in basket.lines
            if line.product_id == product.id
            and line.variant_id == variant_id
            and line.option_ids == key
            and not line.note
            and not line.line_discount
            and line.eat_in is None
        ),
        None,
    )
    if same is not None:
        if same.qty + qty > MAX_QTY:
            raise ServiceError(f"A line can hold at most {MAX_QTY}.")
        same.qty += qty
    else:
        basket.lines.append(BasketLine(product_id=product.id, variant_id=variant_id, option_ids=key, qty=qty))
    db.session.commit()
    return basket


def _line_in_till(line_id: int, till_id: int) -> BasketLine:
    line = db.session.get(BasketLine, line_id)
    if line is None or line.basket.till_id != till_id or line.basket.status != "open":
        raise NotFound("That line is no longer in the basket.")
    return line


@race_safe(Mechanism.ROW_LOCK, guards="the line's quantity (till row)")
def change_qty(till_id: int, line_id: int, delta: int) -> Basket:
    """Step a line's quantity up or down; stepping below 1 removes the line."""
    lock_till(till_id)
    line = _line_in_till(line_id, till_id)
    basket = line.basket
    new_qty = line.qty + delta
    if new_qty > MAX_QTY:
        raise ServiceError(f"A line can hold at most {MAX_QTY}.")
    if new_qty < 1:
        basket.lines.remove(line)
    else:
        line.qty = new_qty
    db.session.commit()
    return basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket (till row)")
def remove_line(till_id: int, line_id: int) -> Basket:
    """Take a line out of the basket."""
    lock_till(till_id)
    line = _line_in_till(line_id, till_id)
    basket = line.basket
    basket.lines.remove(line)
    db.session.commit()
    return basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket (till row)")
def set_line_note(till_id: int, line_id: int, note: str) -> Basket:
    """A note for the kitchen on one line (at most 140 characters)."""
    lock_till(till_id)
    line = _line_in_till(line_id, till_id)
    text = " ".join((note or "").split())
    if len(text) > 140:
        raise ServiceError("A note can be at most 140 characters.")
    line.note = text
    db.session.commit()
    return line.basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket (till row)")
def set_eat_in(till_id: int, eat_in: bool, actor: Actor) -> Basket:
    """Switch the whole basket between eat-in and takeaway (lines with their own choice keep it)."""
    lock_till(till_id)
    if actor.user_id is None:
        raise ServiceError("Sign in on the till first.")
    basket = _open_or_new(till_id, actor.user_id)
    basket.eat_in = eat_in
    db.session.commit()
    return basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket (till row)")
def set_line_eat_in(till_id: int, line_id: int, eat_in: bool | None) -> Basket:
    """Override eat-in/takeaway for one line of a mixed order (None follows the basket)."""
    lock_till(till_id)
    line = _line_in_till(line_id, till_id)
    line.eat_in = eat_in
    db.session.commit()
    return line.basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket (till row)")
def void_basket(till_id: int, actor: Actor, now: datetime | None = None) -> None:
    """Void the open basket (never paid): it is kept as voided, with an audit row."""
    lock_till(till_id)
    basket = open_basket(till_id)
    if basket is None:
        return
    basket.status = "voided"
    for pending in db.session.scalars(select(PendingPayment).where(PendingPayment.basket_id == basket.id)):
        db.session.delete(pending)
    audit.record(
        "till.basket_voided",
        actor,
        target=f"basket:{basket.id}",
        details={"lines": len(basket.lines), "items": sum(line.qty for line in basket.lines)},
        now=now or utcnow(),
    )
    db.session.commit()


def vat_category(product: Product) -> VatCategory:
    """The domain's view of a product's tax category."""
    tax = product.tax_category
    return VatCategory(tax.code, tax.name, tax.takeaway_bp, tax.eat_in_bp, tax.hot)


def price(basket: Basket | None) -> PricedBasket:
    """Price a basket with the domain rules; an absent basket prices as empty."""
    if basket is None:
        totals = price_basket([])
        return PricedBasket(None, (), totals, (), 0, 0, ())
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product)
            .where(Product.id.in_({line.product_id for line in basket.lines}))
            .options(selectinload(Product.variants), joinedload(Product.tax_category))
        )
    }
    option_ids = {int(i) for line in basket.lines for i in line.option_ids.split(",") if i}
    options = (
        {o.id: o for o in db.session.scalars(select(ModifierOption).where(ModifierOption.id.in_(option_ids)))}
        if option_ids
        else {}
    )
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
    inputs = [
        LineInput(unit, extra, line.qty, d.rate_bp, line.line_discount)
        for line, _, _, unit, extra, _, d in staged
    ]
    member = basket.member
    member_bp = member.member_class.till_discount_bp if member and member.status == "active" else 0
    try:
        chosen = order_discount(inputs, basket.discount, member_bp)
        totals = price_basket(inputs, chosen.amount)
    except BasketError as exc:
        raise ServiceError(str(exc)) from exc
    reason = MEMBER_DISCOUNT if chosen.member else basket.discount_reason if chosen.amount else None
    lines = tuple(
        PricedLine(line, product, text, unit, extra, eat_in, decision, total.gross)
        for (line, product, text, unit, extra, eat_in, decision), total in zip(
            staged, totals.lines, strict=True
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
        order_discount=chosen.amount,
        order_discount_reason=reason,
        store_credit=credit,
    )


DISCOUNT_REASONS = (
    "staff discount",
    "end-of-day reduction",
    "manager's discretion",
    "damaged item",
    MEMBER_DISCOUNT,
)


def _discount_pence(base: int, kind: str, value: int) -> int:
    """A discount typed as a percentage (basis points) or an amount (pence), as pence off `base`."""
    if kind == "percent":
        if not 0 <= value <= 10000:
            raise ServiceError("A percentage discount must be between 0 and 100%.")
        return percent_of(base, value)
    if kind == "amount":
        if value < 0:
            raise ServiceError("A discount cannot be negative.")
        if value > base:
            raise ServiceError("The discount is more than the price.")
        return value
    raise ServiceError("Choose a percentage or an amount.")


def _authorise_discount(
    discount: int,
    base: int,
    threshold_bp: int,
    manager_id: int | None,
    manager_pin: str,
    actor: Actor,
    now: datetime,
) -> int | None:
    """Above `threshold_bp` of the price a manager's PIN is needed; returns who authorised it."""
    if discount_needs_manager(discount, base, threshold_bp):
        if not manager_id:
            raise ServiceError(f"A discount above {format_rate(threshold_bp)} needs a manager's PIN.")
        return authorise_manager(manager_id, manager_pin, actor, now).id
    return None


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket; the manager's lock-out (user row)")
def set_line_discount(
    till_id: int,
    line_id: int,
    kind: str,
    value: int,
    reason: str,
    actor: Actor,
    *,
    threshold_bp: int,
    manager_id: int | None = None,
    manager_pin: str = "",
    now: datetime | None = None,
) -> Basket:
    """Take money off one line, with a reason; above the threshold a manager authorises it.

    Rule: a discount is never more than the line; a zero discount removes it; every discount is
    audited with its reason (and the authorising manager).
    """
    lock_till(till_id)
    at = now or utcnow()
    line = _line_in_till(line_id, till_id)
    if value and reason not in DISCOUNT_REASONS:
        raise ServiceError("Choose a reason for the discount.")
    priced = price(line.basket)
    current = next(p for p in priced.lines if p.line.id == line.id)
    base = (current.unit_price + current.modifiers_price) * line.qty
    discount = _discount_pence(base, kind, value)
    manager = _authorise_discount(discount, base, threshold_bp, manager_id, manager_pin, actor, at)
    line.line_discount = discount
    line.discount_reason = reason if discount else None
    audit.record(
        "till.line_discount",
        actor,
        target=f"basket:{line.basket_id}",
        details={"line": line.id, "discount": discount, "reason": reason, "authorised_by": manager},
        now=at,
    )
    db.session.commit()
    return line.basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket; the manager's lock-out (user row)")
def set_basket_discount(
    till_id: int,
    kind: str,
    value: int,
    reason: str,
    actor: Actor,
    *,
    threshold_bp: int,
    manager_id: int | None = None,
    manager_pin: str = "",
    now: datetime | None = None,
) -> Basket:
    """Take money off the whole order (spread over its lines for VAT), with a reason.

    Rule: it does not stack with the member's class discount — whichever is larger applies when
    the order is priced (`bakery.domain.basket.order_discount`).
    """
    lock_till(till_id)
    at = now or utcnow()
    basket = open_basket(till_id)
    if basket is None or not basket.lines:
        raise ServiceError("The basket is empty.")
    if value and reason not in DISCOUNT_REASONS:
        raise ServiceError("Choose a reason for the discount.")
    priced = price(basket)
    base = priced.totals.total + priced.order_discount
    discount = _discount_pence(base, kind, value)
    manager = _authorise_discount(discount, base, threshold_bp, manager_id, manager_pin, actor, at)
    basket.discount = discount
    basket.discount_reason = reason if discount else None
    audit.record(
        "till.basket_discount",
        actor,
        target=f"basket:{basket.id}",
        details={"discount": discount, "reason": reason, "authorised_by": manager},
        now=at,
    )
    db.session.commit()
    return basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket and its tenders (till row)")
def attach_member(till_id: int, code: str, actor: Actor) -> Basket:
    """Attribute the order to a member found by membership number (typed) or card code (scanned).

    Rule: only active members; the sale then counts towards their patronage and the order gets
    their class's till discount, worked out whenever it is priced (see `price`), so no manager is
    needed and nothing stale is stored. A reissued card's old code matches nobody. The member
    cannot change once store credit was tendered for the order.
    """
    lock_till(till_id)
    text = (code or "").strip()
    if not text or len(text) > 64:
        raise ServiceError("Type or scan a membership number.")
    member = db.session.scalar(
        select(Member).where((func.upper(Member.number) == text.upper()) | (Member.card_code == text.lower()))
    )
    if member is None or member.status != "active":
        raise ServiceError(f"No active member with number {text}.")
    if actor.user_id is None:
        raise ServiceError("Sign in on the till first.")
    basket = _open_or_new(till_id, actor.user_id)
    if basket.member_id != member.id:
        _refuse_with_credit_tendered(basket)
    basket.member_id = member.id
    db.session.commit()
    return basket


def _refuse_with_credit_tendered(basket: Basket) -> None:
    tendered = db.session.scalar(
        select(PendingPayment.id).where(
            PendingPayment.basket_id == basket.id, PendingPayment.method == CREDIT
        )
    )
    if tendered is not None:
        raise ServiceError(
            "Store credit was taken for this member: cancel the payments to change the member."
        )


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket and its tenders (till row)")
def detach_member(till_id: int) -> Basket | None:
    """Take the member off the order (and with them their class discount)."""
    lock_till(till_id)
    basket = open_basket(till_id)
    if basket is not None:
        _refuse_with_credit_tendered(basket)
        basket.member_id = None
        db.session.commit()
    return basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket and its tenders (till row)")
def park_basket(till_id: int, name: str, actor: Actor) -> None:
    """Park the open order under a name so another order can be rung up; any till may recall it."""
    lock_till(till_id)
    basket = open_basket(till_id)
    if basket is None or not basket.lines:
        raise ServiceError("There is nothing to park.")
    label = " ".join((name or "").split())
    if not label or len(label) > 40:
        raise ServiceError("Give the parked order a name (at most 40 characters).")
    if db.session.scalar(select(PendingPayment.id).where(PendingPayment.basket_id == basket.id)):
        raise ServiceError("Cancel the payments taken so far before parking the order.")
    basket.status = "parked"
    basket.parked_name = label
    audit.record("till.basket_parked", actor, target=f"basket:{basket.id}", details={"name": label})
    db.session.commit()


def parked_baskets() -> list[Basket]:
    """Orders parked on any till, oldest first."""
    return list(
        db.session.scalars(select(Basket).where(Basket.status == "parked").order_by(Basket.created_at))
    )


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.CONDITIONAL_UPDATE,
    guards="the till's basket (till row); a parked order goes to one till",
)
def recall_basket(till_id: int, basket_id: int, actor: Actor) -> Basket:
    """Bring a parked order to this till; refused while this till has an order in progress."""
    lock_till(till_id)
    current = open_basket(till_id)
    if current is not None and current.lines:
        raise ServiceError("Finish or park the current order first.")
    taken = update(Basket).where(Basket.id == basket_id, Basket.status == "parked")
    if current is not None:
        current.status = "voided"  # an empty basket: nothing to keep
        db.session.flush()  # before the recalled one opens: one open basket per till
    if not claimed(taken.values(status="open", till_id=till_id)):
        db.session.rollback()
        raise NotFound("That order is no longer parked (another till may have recalled it).")
    basket = db.session.get(Basket, basket_id, populate_existing=True)
    assert basket is not None  # noqa: S101  (just claimed)
    audit.record(
        "till.basket_recalled", actor, target=f"basket:{basket.id}", details={"name": basket.parked_name}
    )
    db.session.commit()
    return basket


def find_products(query: str, limit: int = 24) -> list[Product]:
    """Active products whose name contains the text, or whose PLU or barcode is exactly it."""
    text = (query or "").strip()[:64]
    if not text:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.active.is_(True))
            .where(
                or_(Product.name.ilike(pattern, escape="\\"), Product.plu == text, Product.barcode == text)
            )
            .order_by(Product.name)
            .limit(limit)
        )
    )


def product_for_code(code: str) -> Product:
    """The product a scanner or PLU names exactly, or a clear refusal."""
    text = (code or "").strip()[:64]
    product = db.session.scalar(
        select(Product).where(Product.active.is_(True), or_(Product.plu == text, Product.barcode == text))
    )
    if product is None:
        raise ServiceError(f"No product has the code {text or '(empty)'}.")
    return product
