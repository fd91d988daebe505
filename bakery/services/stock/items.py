"""Stock items, the units they are bought in, suppliers, and the partners food is donated to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from bakery.domain import allergens as allergen_rules
from bakery.domain.stock import BASE_UNITS, MAX_BASE_QTY
from bakery.extensions import db
from bakery.models import Partner, PurchaseUnit, StockItem, StockItemMovement, Supplier
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, locked, race_safe
from bakery.services.text import optional_text, printable_name

#: Kinds of partner unsold food is given to.
PARTNER_KINDS = ("food bank", "shelter", "hostel", "community fridge", "other")

#: The heaviest a counted item may be said to weigh, for ingredient lists (a 25 kg sack).
MAX_GRAMS_EACH = 25_000


def _quantity(value: Any, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_BASE_QTY:
        raise ServiceError(f"Enter the {field} as a quantity of zero or more.")
    return value


def _flush(clash: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise ServiceError(clash) from exc


def _supplier_id(supplier_id: int | None) -> int | None:
    if supplier_id is None:
        return None
    if db.session.get(Supplier, supplier_id) is None:
        raise ServiceError("Choose a supplier from the list: that one does not exist.")
    return supplier_id


def _check_item(
    item_id: int | None,
    *,
    name: str,
    base_unit: str,
    reorder_level: int,
    par_level: int,
    location: str,
    supplier_id: int | None,
    allergens: Iterable[str],
    may_contain: Iterable[str],
    declared: str,
    grams_each: int | None,
    active: bool,
) -> dict[str, Any]:
    if base_unit not in BASE_UNITS:
        raise ServiceError("Choose grams, millilitres or each as the unit this item is kept in.")
    try:
        contains = allergen_rules.read_codes(allergens)
        may = allergen_rules.read_codes(may_contain) - contains
    except allergen_rules.AllergenError as wrong:
        raise ServiceError(str(wrong)) from wrong
    values: dict[str, Any] = {
        "name": printable_name(name, "stock item name", 80),
        "base_unit": base_unit,
        "reorder_level": _quantity(reorder_level, "reorder level"),
        "par_level": _quantity(par_level, "par level"),
        "location": optional_text(location, "storage location", 40),
        "supplier_id": _supplier_id(supplier_id),
        "allergens": allergen_rules.stored(contains),
        "may_contain": allergen_rules.stored(may),
        "declared": optional_text(declared, "ingredients as declared", 500),
        "grams_each": None,
        "active": bool(active),
    }
    if values["par_level"] and values["par_level"] < values["reorder_level"]:
        raise ServiceError("The par level (what a full shelf holds) cannot be below the reorder level.")
    if base_unit == "each" and grams_each is not None:
        if (
            not isinstance(grams_each, int)
            or isinstance(grams_each, bool)
            or not 0 < grams_each <= MAX_GRAMS_EACH
        ):
            raise ServiceError(f"The weight of one must be between 1 g and {MAX_GRAMS_EACH} g, or blank.")
        values["grams_each"] = grams_each
    holder = db.session.scalar(select(StockItem.id).where(StockItem.name == values["name"]))
    if holder is not None and holder != item_id:
        raise ServiceError(f"There is already a stock item called {values['name']}.")
    return values


@race_safe(Mechanism.UNIQUE_KEY, guards="one item per name (unique)")
def create_item(*, actor: Actor, now: datetime | None = None, **fields: Any) -> StockItem:
    """Add a stock item kept in grams, millilitres or each, starting with nothing on hand.

    Rule: a unique printable name (up to 80); reorder and par levels in base units, par not below
    reorder; allergens and "may contain" from the 14 (what it contains is never also "may
    contain"); a weight per one only for counted items. Stock arrives by deliveries and counts.
    """
    values = _check_item(None, **fields)
    item = StockItem(**values, on_hand=0, unit_cost=0)
    db.session.add(item)
    _flush(f"There is already a stock item called {values['name']}.")
    audit.record(
        "stock.item_created", actor, target=f"stock_item:{item.id}", details={"unit": item.base_unit}, now=now
    )
    db.session.commit()
    return item


@race_safe(Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="the item being changed (row lock); unique names")
def update_item(item_id: int, *, actor: Actor, now: datetime | None = None, **fields: Any) -> StockItem:
    """Change a stock item; the same rules as adding one, and the unit it is kept in cannot change
    once anything has moved (every past movement is in that unit)."""
    item = locked(StockItem, item_id)
    if item is None:
        raise NotFound("That stock item does not exist.")
    values = _check_item(item_id, **fields)
    if values["base_unit"] != item.base_unit and db.session.scalar(
        select(exists().where(StockItemMovement.stock_item_id == item_id))
    ):
        raise ServiceError(
            f"{item.name} already has movements in {BASE_UNITS[item.base_unit]}; "
            "add a new item to keep it in another unit."
        )
    changed = sorted(key for key, value in values.items() if getattr(item, key) != value)
    for key, value in values.items():
        setattr(item, key, value)
    _flush(f"There is already a stock item called {values['name']}.")
    if changed:
        audit.record(
            "stock.item_changed", actor, target=f"stock_item:{item.id}", details={"fields": changed}, now=now
        )
    db.session.commit()
    return item


@race_safe(Mechanism.ROW_LOCK, guards="the item's list of units (item row)")
def add_purchase_unit(
    item_id: int, *, name: str, base_qty: int, actor: Actor, supplier_id: int | None = None
) -> PurchaseUnit:
    """Add a unit the item is bought in (a 16 kg sack is 16,000 g): a name, and a whole number of
    base units more than zero; names are unique per item."""
    item = locked(StockItem, item_id)
    if item is None:
        raise NotFound("That stock item does not exist.")
    label = printable_name(name, "purchase unit", 40)
    if not isinstance(base_qty, int) or isinstance(base_qty, bool) or not 0 < base_qty <= MAX_BASE_QTY:
        raise ServiceError("Say how much one holds, more than zero.")
    if any(unit.name.lower() == label.lower() for unit in item.purchase_units):
        raise ServiceError(f"{item.name} already has a unit called {label}.")
    unit = PurchaseUnit(
        stock_item_id=item.id, name=label, base_qty=base_qty, supplier_id=_supplier_id(supplier_id)
    )
    db.session.add(unit)
    db.session.flush()
    audit.record(
        "stock.unit_added",
        actor,
        target=f"stock_item:{item.id}",
        details={"unit": label, "base_qty": base_qty},
    )
    db.session.commit()
    return unit


@race_safe(Mechanism.UNIQUE_KEY, guards="one supplier per name (unique)")
def save_supplier(
    supplier_id: int | None, *, name: str, contact: str, active: bool, actor: Actor
) -> Supplier:
    """Add (no id) or change a supplier: a unique printable name, contact details as free text."""
    supplier = Supplier() if supplier_id is None else locked(Supplier, supplier_id)
    if supplier is None:
        raise NotFound("That supplier does not exist.")
    label = printable_name(name, "supplier name", 80)
    holder = db.session.scalar(select(Supplier.id).where(Supplier.name == label))
    if holder is not None and holder != supplier_id:
        raise ServiceError(f"There is already a supplier called {label}.")
    supplier.name, supplier.contact, supplier.active = (
        label,
        optional_text(contact, "contact", 200),
        bool(active),
    )
    db.session.add(supplier)
    _flush(f"There is already a supplier called {label}.")
    audit.record("stock.supplier_saved", actor, target=f"supplier:{supplier.id}")
    db.session.commit()
    return supplier


@race_safe(Mechanism.UNIQUE_KEY, guards="one partner per name (unique)")
def save_partner(partner_id: int | None, *, name: str, kind: str, active: bool, actor: Actor) -> Partner:
    """Add (no id) or change a partner unsold food is donated to: a unique name and a kind."""
    partner = Partner() if partner_id is None else locked(Partner, partner_id)
    if partner is None:
        raise NotFound("That partner does not exist.")
    if kind not in PARTNER_KINDS:
        raise ServiceError(f"Choose what kind of partner this is: {', '.join(PARTNER_KINDS)}.")
    label = printable_name(name, "partner name", 80)
    holder = db.session.scalar(select(Partner.id).where(Partner.name == label))
    if holder is not None and holder != partner_id:
        raise ServiceError(f"There is already a partner called {label}.")
    partner.name, partner.kind, partner.active = label, kind, bool(active)
    db.session.add(partner)
    _flush(f"There is already a partner called {label}.")
    audit.record("stock.partner_saved", actor, target=f"partner:{partner.id}")
    db.session.commit()
    return partner
