"""The catalogue managers keep: tax categories, categories, products, variants and modifiers.

Every public function validates everything first, then writes, audits and commits once; on bad
input it raises `ServiceError` and nothing is changed. Prices arrive as integer pence and VAT rates
as integer basis points (the forms read what a person typed at the edge).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bakery.domain.money import MAX_AMOUNT, format_plain
from bakery.extensions import db
from bakery.models import (
    Category,
    TaxCategory,
)
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, locked, race_safe
from bakery.services.text import printable_name

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
    return printable_name(value, field, limit)


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


# --- variants --------------------------------------------------------------------------------


# --- modifier groups -------------------------------------------------------------------------
