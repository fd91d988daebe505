"""The catalogue managers keep: tax categories, categories, products, variants and modifiers.

Every public function validates everything first, then writes, audits and commits once; on bad
input it raises `ServiceError` and nothing is changed. Prices arrive as integer pence and VAT rates
as integer basis points (the forms read what a person typed at the edge).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bakery.domain.money import MAX_AMOUNT, format_plain
from bakery.extensions import db
from bakery.models import (
    Basket,
    BasketLine,
    Category,
    ModifierGroup,
    ModifierOption,
    Product,
    TaxCategory,
    Variant,
)
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, locked, race_safe
from bakery.services.text import clean_name

#: 100 % in basis points: no VAT rate is higher.
MAX_RATE_BP = 10_000
MAX_SORT_ORDER = 9_999
#: More choices than this in one modifier group is a typo, not a menu.
MAX_CHOICES = 20
#: Baskets in these states are finished; any other state may still be paid for.
CLOSED_BASKETS = ("paid", "voided")

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
CODE = re.compile(r"[A-Za-z0-9_.\-]{1,30}")
#: PLUs and barcodes: printable ASCII without spaces (what a keypad or a scanner types).
SCAN_CODE = re.compile(r"[!-~]+")

M = TypeVar("M")


# --- shared checks ---------------------------------------------------------------------------


def _text(value: str, field: str, limit: int) -> str:
    """Trim and collapse spaces; refuse empty, over-long text and control characters."""
    cleaned = clean_name(value, field, limit)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in cleaned):
        raise ServiceError(f"The {field} contains characters that cannot be printed.")
    return cleaned


def _colour(value: str | None, field: str, *, required: bool) -> str | None:
    """A colour written as #rrggbb, stored in lower case; blank is allowed only when optional."""
    text = (value or "").strip()
    if not text:
        if required:
            raise ServiceError(f"Choose a {field}, written like #f1ece4.")
        return None
    if not HEX_COLOUR.fullmatch(text):
        raise ServiceError(f"The {field} must be written like #f1ece4 (a # and six hex digits).")
    return text.lower()


def _whole(value: Any, field: str, low: int, high: int) -> int:
    """An integer between low and high inclusive."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ServiceError(f"Enter the {field} as a whole number.")
    if not low <= value <= high:
        raise ServiceError(f"The {field} must be between {low} and {high}.")
    return value


def _rate(value: Any, field: str) -> int:
    """A VAT rate in basis points: 0 to 10000 (0 % to 100 %)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ServiceError(f"Enter the {field} as a percentage like 20 or 12.5.")
    if value < 0:
        raise ServiceError(f"The {field} cannot be negative.")
    if value > MAX_RATE_BP:
        raise ServiceError(f"The {field} cannot be more than 100%.")
    return value


def _pence(value: Any, field: str, *, allow_negative: bool = False) -> int:
    """An amount in pence: an integer, not negative unless allowed, within MAX_AMOUNT."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ServiceError(f"Enter the {field} like 3.40.")
    if value < 0 and not allow_negative:
        raise ServiceError(f"The {field} cannot be negative.")
    if abs(value) > MAX_AMOUNT:
        raise ServiceError(f"The {field} cannot be more than {format_plain(MAX_AMOUNT)}.")
    return value


def _scan_code(value: str | None, field: str, limit: int) -> str | None:
    """An optional PLU or barcode: blank means none; otherwise no spaces, printable ASCII."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > limit:
        raise ServiceError(f"The {field} can be at most {limit} characters.")
    if not SCAN_CODE.fullmatch(text):
        raise ServiceError(f"The {field} may hold only letters, digits and symbols, without spaces.")
    return text


def _get(model: type[M], row_id: int, what: str) -> M:
    """The row being changed (its id came from the address): missing is a 404."""
    row = locked(model, row_id)
    if row is None:
        raise NotFound(f"That {what} does not exist.")
    return row


def _pick(model: type[M], row_id: int | None, what: str) -> M:
    """A row chosen in a form: missing is bad input (422), with a message naming what to choose."""
    row = db.session.get(model, row_id) if isinstance(row_id, int) and not isinstance(row_id, bool) else None
    if row is None:
        raise ServiceError(f"Choose a {what} from the list: that one does not exist.")
    return row


def _flush(clash: str) -> None:
    """Send the writes; a unique clash that raced past the checks becomes the same clear message."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise ServiceError(clash) from exc


def _changes(row: object, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set attributes and return what changed, as {field: {"from": old, "to": new}} for the audit."""
    changed = {}
    for key, new in values.items():
        old = getattr(row, key)
        if old != new:
            changed[key] = {"from": old, "to": new}
            setattr(row, key, new)
    return changed


def _next_sort(column: Any, *where: Any) -> int:
    """One past the highest sort order in a list, so new rows go to the end."""
    highest = db.session.scalar(select(func.max(column)).where(*where))
    return min(int(highest or 0) + 1, MAX_SORT_ORDER)


# --- tax categories --------------------------------------------------------------------------


def _check_tax_category(
    code: str, name: str, takeaway_bp: int, eat_in_bp: int, tax_id: int | None
) -> dict[str, Any]:
    code = (code or "").strip()
    if not code:
        raise ServiceError("Enter a code for the tax category, like cold or std.")
    if not CODE.fullmatch(code):
        raise ServiceError("A tax category code is up to 30 letters, digits, dots, dashes or underscores.")
    clash = db.session.scalar(select(TaxCategory.id).where(func.lower(TaxCategory.code) == code.lower()))
    if clash and clash != tax_id:
        raise ServiceError(f"There is already a tax category with the code {code}.")
    return {
        "code": code,
        "name": _text(name, "tax category name", 60),
        "takeaway_bp": _rate(takeaway_bp, "takeaway rate"),
        "eat_in_bp": _rate(eat_in_bp, "eat-in rate"),
    }


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def create_tax_category(
    code: str,
    name: str,
    takeaway_bp: int,
    eat_in_bp: int,
    hot: bool,
    actor: Actor,
    now: datetime | None = None,
) -> TaxCategory:
    """Add a tax category.

    Rule: the code is unique (ignoring case); both rates are whole basis points from 0 to 10000
    (0 % to 100 %); `hot` marks hot food, which takes the eat-in rate even when taken away.
    """
    values = _check_tax_category(code, name, takeaway_bp, eat_in_bp, None)
    tax = TaxCategory(**values, hot=bool(hot))
    db.session.add(tax)
    _flush(f"There is already a tax category with the code {values['code']}.")
    audit.record(
        "tax_category.created",
        actor,
        target=f"tax_category:{tax.id}",
        details={**values, "hot": tax.hot},
        now=now,
    )
    db.session.commit()
    return tax


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def update_tax_category(
    tax_id: int,
    code: str,
    name: str,
    takeaway_bp: int,
    eat_in_bp: int,
    hot: bool,
    actor: Actor,
    now: datetime | None = None,
) -> TaxCategory:
    """Change a tax category; the same rules as adding one.

    Rule: completed sales keep the rate they were sold at (each sale line stores it), so a new
    rate applies from the next sale on.
    """
    tax = _get(TaxCategory, tax_id, "tax category")
    values = _check_tax_category(code, name, takeaway_bp, eat_in_bp, tax.id)
    changed = _changes(tax, {**values, "hot": bool(hot)})
    if changed:
        _flush(f"There is already a tax category with the code {values['code']}.")
        audit.record("tax_category.changed", actor, target=f"tax_category:{tax.id}", details=changed, now=now)
        db.session.commit()
    return tax


# --- categories ------------------------------------------------------------------------------


def _check_category(name: str, colour: str, sort_order: int, category_id: int | None) -> dict[str, Any]:
    name = _text(name, "category name", 60)
    clash = db.session.scalar(select(Category.id).where(func.lower(Category.name) == name.lower()))
    if clash and clash != category_id:
        raise ServiceError(f"There is already a category called {name}.")
    return {
        "name": name,
        "colour": _colour(colour, "category colour", required=True),
        "sort_order": _whole(sort_order, "sort order", 0, MAX_SORT_ORDER),
    }


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def create_category(
    name: str,
    colour: str,
    sort_order: int,
    active: bool,
    actor: Actor,
    now: datetime | None = None,
) -> Category:
    """Add a category of products for the till.

    Rule: the name is unique (ignoring case), 1 to 60 characters; the colour is #rrggbb; the
    sort order is 0 to 9999 (lower comes first on the till).
    """
    values = _check_category(name, colour, sort_order, None)
    category = Category(**values, active=bool(active))
    db.session.add(category)
    _flush(f"There is already a category called {values['name']}.")
    audit.record(
        "category.created",
        actor,
        target=f"category:{category.id}",
        details={**values, "active": category.active},
        now=now,
    )
    db.session.commit()
    return category


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def update_category(
    category_id: int,
    name: str,
    colour: str,
    sort_order: int,
    active: bool,
    actor: Actor,
    now: datetime | None = None,
) -> Category:
    """Change a category; the same rules as adding one.

    Rule: a category is deactivated (hidden from the till), never deleted, because products and
    their past sales belong to it.
    """
    category = _get(Category, category_id, "category")
    values = _check_category(name, colour, sort_order, category.id)
    changed = _changes(category, {**values, "active": bool(active)})
    if changed:
        _flush(f"There is already a category called {values['name']}.")
        audit.record("category.changed", actor, target=f"category:{category.id}", details=changed, now=now)
        db.session.commit()
    return category


# --- products --------------------------------------------------------------------------------


def _check_product(
    product_id: int | None,
    *,
    name: str,
    category_id: int | None,
    tax_category_id: int | None,
    price: int,
    plu: str | None,
    barcode: str | None,
    colour: str | None,
    active: bool,
    sort_order: int,
    track_stock: bool,
    allow_negative: bool,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": _text(name, "product name", 80),
        "category_id": _pick(Category, category_id, "category").id,
        "tax_category_id": _pick(TaxCategory, tax_category_id, "tax category").id,
        "price": _pence(price, "price"),
        "plu": _scan_code(plu, "PLU", 20),
        "barcode": _scan_code(barcode, "barcode", 32),
        "colour": _colour(colour, "button colour", required=False),
        "active": bool(active),
        "sort_order": _whole(sort_order, "sort order", 0, MAX_SORT_ORDER),
        "track_stock": bool(track_stock),
        "allow_negative": bool(allow_negative),
    }
    for key, label in (("plu", "PLU"), ("barcode", "barcode")):
        if values[key] is None:
            continue
        column = getattr(Product, key)
        holder = db.session.execute(select(Product.id, Product.name).where(column == values[key])).first()
        if holder and holder.id != product_id:
            raise ServiceError(f"The {label} {values[key]} is already used by {holder.name}.")
    return values


CODE_CLASH = "That PLU or barcode was just given to another product. Choose another one."


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def create_product(
    *,
    name: str,
    category_id: int | None,
    tax_category_id: int | None,
    price: int,
    actor: Actor,
    plu: str | None = None,
    barcode: str | None = None,
    colour: str | None = None,
    active: bool = True,
    sort_order: int = 0,
    track_stock: bool = False,
    allow_negative: bool = True,
    now: datetime | None = None,
) -> Product:
    """Add a product at a VAT-inclusive price in pence.

    Rule: name 1 to 80 characters (any script); an existing category and tax category; a price
    from 0 to MAX_AMOUNT pence; PLU (up to 20) and barcode (up to 32) optional but unique; the
    button colour blank (the category's) or #rrggbb. A new product starts with nothing on hand.
    """
    values = _check_product(
        None,
        name=name,
        category_id=category_id,
        tax_category_id=tax_category_id,
        price=price,
        plu=plu,
        barcode=barcode,
        colour=colour,
        active=active,
        sort_order=sort_order,
        track_stock=track_stock,
        allow_negative=allow_negative,
    )
    product = Product(**values, on_hand=0)
    db.session.add(product)
    _flush(CODE_CLASH)
    audit.record("product.created", actor, target=f"product:{product.id}", details=values, now=now)
    db.session.commit()
    return product


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def update_product(
    product_id: int,
    *,
    name: str,
    category_id: int | None,
    tax_category_id: int | None,
    price: int,
    actor: Actor,
    plu: str | None = None,
    barcode: str | None = None,
    colour: str | None = None,
    active: bool = True,
    sort_order: int = 0,
    track_stock: bool = False,
    allow_negative: bool = True,
    now: datetime | None = None,
) -> Product:
    """Change a product; the same rules as adding one. Price changes are audited from and to.

    Rule: a product is deactivated, never deleted (sales and stock movements refer to it). Stock
    on hand is not edited here (stock moves, never jumps), so forbidding negative stock is refused
    while the product is tracked and already below zero: record a count first.
    """
    product = _get(Product, product_id, "product")
    values = _check_product(
        product.id,
        name=name,
        category_id=category_id,
        tax_category_id=tax_category_id,
        price=price,
        plu=plu,
        barcode=barcode,
        colour=colour,
        active=active,
        sort_order=sort_order,
        track_stock=track_stock,
        allow_negative=allow_negative,
    )
    if values["track_stock"] and not values["allow_negative"] and product.on_hand < 0:
        raise ServiceError(
            f"{product.name} has {product.on_hand} on hand. Record a stock count before "
            "forbidding negative stock."
        )
    changed = _changes(product, values)
    if changed:
        _flush(CODE_CLASH)
        audit.record("product.changed", actor, target=f"product:{product.id}", details=changed, now=now)
        db.session.commit()
    return product


# --- variants --------------------------------------------------------------------------------


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def add_variant(product_id: int, name: str, price: int, actor: Actor, now: datetime | None = None) -> Variant:
    """Add a size or version of a product at its own price (it goes to the end of the list).

    Rule: name 1 to 40 characters, unique within the product (ignoring case); price 0 to
    MAX_AMOUNT pence.
    """
    product = _get(Product, product_id, "product")
    name = _text(name, "variant name", 40)
    price = _pence(price, "variant price")
    if any(v.name.lower() == name.lower() for v in product.variants):
        raise ServiceError(f"{product.name} already has a variant called {name}.")
    variant = Variant(
        product_id=product.id,
        name=name,
        price=price,
        sort_order=_next_sort(Variant.sort_order, Variant.product_id == product.id),
    )
    db.session.add(variant)
    db.session.flush()
    audit.record(
        "product.variant_added",
        actor,
        target=f"product:{product.id}",
        details={"variant": variant.id, "name": name, "price": price},
        now=now,
    )
    db.session.commit()
    return variant


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def remove_variant(variant_id: int, actor: Actor, now: datetime | None = None) -> Product:
    """Remove a variant and return its product.

    Rule: refused while a basket that is not yet paid or voided holds it (the till would lose the
    line's price). Lines of finished baskets let go of it (their sale lines keep the description
    and price that were sold), so past sales are untouched.
    """
    variant = _get(Variant, variant_id, "variant")
    product = variant.product
    in_use = db.session.scalar(
        select(func.count())
        .select_from(BasketLine)
        .join(Basket, Basket.id == BasketLine.basket_id)
        .where(BasketLine.variant_id == variant.id, Basket.status.not_in(CLOSED_BASKETS))
    )
    if in_use:
        raise ServiceError(
            f"{product.name} ({variant.name}) is in a basket that is still open or parked. "
            "Finish or void that basket first."
        )
    details = {"variant": variant.id, "name": variant.name, "price": variant.price}
    db.session.execute(
        update(BasketLine)
        .where(BasketLine.variant_id == variant.id)
        .values(variant_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(variant)
    _flush(f"{product.name} ({variant.name}) was just added to a basket. Finish or void it first.")
    audit.record("product.variant_removed", actor, target=f"product:{product.id}", details=details, now=now)
    db.session.commit()
    return product


# --- modifier groups -------------------------------------------------------------------------


def _check_group(name: str, min_choices: int, max_choices: int, group_id: int | None) -> dict[str, Any]:
    name = _text(name, "modifier group name", 40)
    clash = db.session.scalar(select(ModifierGroup.id).where(func.lower(ModifierGroup.name) == name.lower()))
    if clash and clash != group_id:
        raise ServiceError(f"There is already a modifier group called {name}.")
    low = _whole(min_choices, "least number of choices", 0, MAX_CHOICES)
    high = _whole(max_choices, "most number of choices", 1, MAX_CHOICES)
    if low > high:
        raise ServiceError(f"The least number of choices ({low}) cannot be more than the most ({high}).")
    return {"name": name, "min_choices": low, "max_choices": high}


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def create_modifier_group(
    name: str, min_choices: int, max_choices: int, actor: Actor, now: datetime | None = None
) -> ModifierGroup:
    """Add a modifier group (milk, extra shots).

    Rule: name 1 to 40 characters, unique (ignoring case); 0 <= min_choices <= max_choices, and
    1 <= max_choices <= 20.
    """
    values = _check_group(name, min_choices, max_choices, None)
    group = ModifierGroup(**values)
    db.session.add(group)
    _flush(f"There is already a modifier group called {values['name']}.")
    audit.record(
        "modifier_group.created", actor, target=f"modifier_group:{group.id}", details=values, now=now
    )
    db.session.commit()
    return group


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def update_modifier_group(
    group_id: int,
    name: str,
    min_choices: int,
    max_choices: int,
    actor: Actor,
    now: datetime | None = None,
) -> ModifierGroup:
    """Change a modifier group; the same rules as adding one."""
    group = _get(ModifierGroup, group_id, "modifier group")
    values = _check_group(name, min_choices, max_choices, group.id)
    changed = _changes(group, values)
    if changed:
        _flush(f"There is already a modifier group called {values['name']}.")
        audit.record(
            "modifier_group.changed", actor, target=f"modifier_group:{group.id}", details=changed, now=now
        )
        db.session.commit()
    return group


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def add_modifier_option(
    group_id: int, name: str, price_delta: int, actor: Actor, now: datetime | None = None
) -> ModifierOption:
    """Add an option to a modifier group with what it adds to the price (oat milk +40p).

    Rule: name 1 to 40 characters, unique within the group (ignoring case); the price change is
    in pence and may be negative (no milk -10p), at most MAX_AMOUNT either way.
    """
    group = _get(ModifierGroup, group_id, "modifier group")
    name = _text(name, "option name", 40)
    price_delta = _pence(price_delta, "price change", allow_negative=True)
    if any(o.name.lower() == name.lower() for o in group.options):
        raise ServiceError(f"{group.name} already has an option called {name}.")
    option = ModifierOption(
        group_id=group.id,
        name=name,
        price_delta=price_delta,
        sort_order=_next_sort(ModifierOption.sort_order, ModifierOption.group_id == group.id),
    )
    db.session.add(option)
    db.session.flush()
    audit.record(
        "modifier_group.option_added",
        actor,
        target=f"modifier_group:{group.id}",
        details={"option": option.id, "name": name, "price_delta": price_delta},
        now=now,
    )
    db.session.commit()
    return option


def _open_lines_with_option(option_id: int) -> int:
    """How many lines of unfinished baskets chose this option (option ids are kept as "3,12")."""
    lists = db.session.scalars(
        select(BasketLine.option_ids)
        .join(Basket, Basket.id == BasketLine.basket_id)
        .where(Basket.status.not_in(CLOSED_BASKETS), BasketLine.option_ids != "")
    )
    wanted = str(option_id)
    return sum(1 for ids in lists if wanted in ids.split(","))


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def remove_modifier_option(option_id: int, actor: Actor, now: datetime | None = None) -> ModifierGroup:
    """Remove an option from its group and return the group.

    Rule: refused while a basket that is not yet paid or voided has a line with that option
    (the till would lose the line's price); completed sales keep their own description and price.
    """
    option = _get(ModifierOption, option_id, "option")
    group = option.group
    if _open_lines_with_option(option.id):
        raise ServiceError(
            f"{option.name} is chosen in a basket that is still open or parked. "
            "Finish or void that basket first."
        )
    details = {"option": option.id, "name": option.name, "price_delta": option.price_delta}
    db.session.delete(option)
    db.session.flush()
    audit.record(
        "modifier_group.option_removed", actor, target=f"modifier_group:{group.id}", details=details, now=now
    )
    db.session.commit()
    return group


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def set_product_modifier_groups(
    product_id: int, group_ids: Iterable[int], actor: Actor, now: datetime | None = None
) -> Product:
    """Choose which modifier groups a product offers on the till (replacing the previous choice).

    Rule: every id must name an existing modifier group; none at all is allowed (no options).
    """
    product = _get(Product, product_id, "product")
    wanted = sorted(set(group_ids))
    groups = list(db.session.scalars(select(ModifierGroup).where(ModifierGroup.id.in_(wanted))))
    if len(groups) != len(wanted):
        raise ServiceError("Choose modifier groups from the list: one of them does not exist.")
    before = sorted(g.id for g in product.modifier_groups)
    if before != wanted:
        product.modifier_groups = sorted(groups, key=lambda g: g.name.lower())
        db.session.flush()
        audit.record(
            "product.modifier_groups_set",
            actor,
            target=f"product:{product.id}",
            details={"from": before, "to": wanted},
            now=now,
        )
        db.session.commit()
    return product
