"""What a basket carries beyond its lines: discounts (a manager authorises the large ones), the
member and their store credit, parking and recalling an order, finding a product by name or code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update

from bakery.domain.basket import (
    discount_needs_manager,
    percent_of,
)
from bakery.domain.member_lookup import (
    MAX_MATCHES,
    MIN_NAME_LETTERS,
    MemberQuery,
    number_matches,
    read_member_query,
)
from bakery.domain.tender import CREDIT
from bakery.domain.vat import format_rate
from bakery.extensions import db
from bakery.models import Basket, Member, PendingPayment, Product
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.auth import authorise_manager
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, claimed, lock_till, race_safe
from bakery.services.till.pricing import (
    MEMBER_DISCOUNT,
    _line_in_till,
    _open_or_new,
    open_basket,
    price,
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


def _as_typed(kind: str, value: int, discount: int) -> tuple[int, int]:
    """What to store: (basis points, pence); a percentage is kept as one, so it is worked out
    afresh on the current price at every pricing; nothing is stored for a zero discount."""
    if not discount:
        return 0, 0
    return (value, 0) if kind == "percent" else (0, value)


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

    Rule: the discount is kept as typed (a percentage stays a percentage of the line when its
    quantity changes); it is never more than the line; a zero discount removes it; every discount
    is audited with its reason (and the authorising manager).
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
    line.line_discount_bp, line.line_discount = _as_typed(kind, value, discount)
    line.discount_reason = reason if discount else None
    audit.record(
        "till.line_discount",
        actor,
        target=f"basket:{line.basket_id}",
        details={
            "line": line.id,
            "discount": discount,
            "typed": {"kind": kind, "value": value},
            "reason": reason,
            "authorised_by": manager,
        },
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

    Rule: the discount is kept as typed, so a percentage stays that percentage of the order as
    lines are added; it does not stack with the member's class discount — whichever is larger
    applies when the order is priced, and the till says which (`bakery.domain.basket.order_discount`).
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
    basket.discount_bp, basket.discount = _as_typed(kind, value, discount)
    basket.discount_reason = reason if discount else None
    audit.record(
        "till.basket_discount",
        actor,
        target=f"basket:{basket.id}",
        details={
            "discount": discount,
            "typed": {"kind": kind, "value": value},
            "reason": reason,
            "authorised_by": manager,
        },
        now=at,
    )
    db.session.commit()
    return basket


@dataclass(frozen=True)
class MemberMatch:
    """A member offered on the till to pick from: never contact or safeguarding details."""

    id: int
    number: str
    name: str
    class_name: str


class ChooseMember(ServiceError):
    """The lookup found more than one member (or searched by name): the cashier picks one."""

    status = 200

    def __init__(self, matches: list[MemberMatch]) -> None:
        super().__init__(f"{len(matches)} members match: tap the one you mean.")
        self.matches = matches


def _match(member: Member) -> MemberMatch:
    return MemberMatch(member.id, member.number, member.name, member.member_class.name)


def _members_for(query: MemberQuery) -> list[Member]:
    """Active members the query names, by card code, membership number or part of the name."""
    active = select(Member).where(Member.status == "active")
    if query.kind == "code":
        return list(db.session.scalars(active.where(Member.card_code == query.text)))
    if query.kind == "number":
        digits = max(re.findall(r"[0-9]+", query.text), key=len)
        candidates = db.session.scalars(
            active.where(Member.number.like(f"%{digits}%")).order_by(Member.number)
        )
        return [m for m in candidates if number_matches(m.number, query.text)]
    pattern = "%" + query.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        db.session.scalars(
            active.where(Member.name.ilike(pattern, escape="\\"))
            .order_by(Member.name, Member.number)
            .limit(MAX_MATCHES + 1)
        )
    )


def find_member(code: str, member_id: int | None = None) -> Member:
    """The one active member a card code, membership number or picked id names (reads only).

    Rule: a name (three letters or more) or a number that fits several members raises
    `ChooseMember` with at most eight matches to pick from; fewer letters, or no match, is refused
    with a message saying what to type.
    """
    if member_id is not None:
        member = db.session.get(Member, member_id)
        if member is None or member.status != "active":
            raise ServiceError("That member is no longer active.")
        return member
    text = " ".join((code or "").split())
    if not text or len(text) > 64:
        raise ServiceError("Type or scan a membership number, or three letters of a name.")
    query = read_member_query(text)
    if query.kind == "too_short":
        raise ServiceError(f"Type at least {MIN_NAME_LETTERS} letters of the name, or the membership number.")
    found = _members_for(query)
    if not found:
        if query.kind == "name":
            raise ServiceError(f"No active member is called {text}.")
        raise ServiceError(f"No active member with number {text}.")
    if len(found) > MAX_MATCHES:
        raise ServiceError(f"More than {MAX_MATCHES} members match {text}: type more of the name.")
    if query.kind == "name" or len(found) > 1:
        raise ChooseMember([_match(m) for m in found])
    return found[0]


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket and its tenders (till row)")
def attach_member(till_id: int, code: str, actor: Actor, *, member_id: int | None = None) -> Basket:
    """Attribute the order to a member found by membership number (typed), card code (scanned),
    or picked from the matches of a name (see `find_member`).

    Rule: only active members; the sale then counts towards their patronage and the order gets
    their class's till discount, worked out whenever it is priced (see `price`), so no manager is
    needed and nothing stale is stored. A reissued card's old code matches nobody. The member
    cannot change once store credit was tendered for the order.
    """
    member = find_member(code, member_id)  # a read: a search never waits for the till's lock
    lock_till(till_id)
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
def park_basket(till_id: int, name: str, actor: Actor, now: datetime | None = None) -> None:
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
    audit.record("till.basket_parked", actor, target=f"basket:{basket.id}", details={"name": label}, now=now)
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
def recall_basket(till_id: int, basket_id: int, actor: Actor, now: datetime | None = None) -> Basket:
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
        "till.basket_recalled",
        actor,
        target=f"basket:{basket.id}",
        details={"name": basket.parked_name},
        now=now,
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
