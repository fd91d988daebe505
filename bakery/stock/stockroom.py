"""The stockroom (managers): stock items, suppliers and partners; the deliveries, recipes, bakes
and waste pages live beside it (`goods_in`, `kitchen`) on the same blueprint."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from bakery.domain import allergens as allergen_rules
from bakery.domain.stock import (
    BASE_UNITS,
)
from bakery.extensions import db
from bakery.models import (
    Partner,
    StockItem,
    StockItemMovement,
)
from bakery.security import actor
from bakery.services import stock
from bakery.services.errors import ServiceError
from bakery.stock.stockroom_base import (
    BadInput,
    Page,
    _chosen_id,
    _items,
    _or_404,
    _quantity,
    _refused,
    _suppliers,
    bp,
)

# --- stock items -----------------------------------------------------------------------------


def _item_fields(form: Any, base_unit: str | None = None) -> dict[str, Any]:
    unit = base_unit or form.get("base_unit", "")
    if unit not in BASE_UNITS:
        raise BadInput("Choose grams, millilitres or each as the unit this item is kept in.")
    grams = (form.get("grams_each") or "").strip()
    return {
        "name": form.get("name", ""),
        "base_unit": unit,
        "reorder_level": _quantity(form.get("reorder_level") or "0", unit, "Reorder level", allow_zero=True),
        "par_level": _quantity(form.get("par_level") or "0", unit, "Par level", allow_zero=True),
        "location": form.get("location", ""),
        "supplier_id": _chosen_id(form, "supplier_id", "supplier"),
        "allergens": form.getlist("allergens"),
        "may_contain": form.getlist("may_contain"),
        "declared": form.get("declared", ""),
        "grams_each": _quantity(grams, "g", "Weight of one") if grams and unit == "each" else None,
        "active": form.get("active") == "y",
    }


def _items_page(error: str | None = None, status: int = 200) -> Page:
    items = _items()
    low = [i for i in items if i.active and i.reorder_level and i.on_hand <= i.reorder_level]
    return (
        render_template(
            "stockroom/items.html",
            items=items,
            low=low,
            suppliers=_suppliers(),
            units=BASE_UNITS,
            allergens=allergen_rules.ALLERGENS,
            error=error,
            typed=request.form if request.method == "POST" else {},
        ),
        status,
    )


@bp.get("/")
def list_items() -> Page:
    """Every stock item with what is on hand, its cost and value; what is low; adding one."""
    return _items_page()


@bp.post("/items")
def create_item() -> Response | Page:
    """Add a stock item."""
    try:
        item = stock.create_item(**_item_fields(request.form), actor=actor())
    except ServiceError as refused:
        return _items_page(_refused(refused), 422)
    flash(f"{item.name} added. Record a delivery or a count to put some in stock.")
    return redirect(url_for("stockroom.edit_item", item_id=item.id))


def _item_page(item: StockItem, error: str | None = None, status: int = 200) -> Page:
    movements = db.session.scalars(
        select(StockItemMovement)
        .where(StockItemMovement.stock_item_id == item.id)
        .order_by(StockItemMovement.id.desc())
        .limit(50)
    ).all()
    return (
        render_template(
            "stockroom/item.html",
            item=item,
            movements=movements,
            suppliers=_suppliers(),
            units=BASE_UNITS,
            allergens=allergen_rules.ALLERGENS,
            contains=allergen_rules.from_stored(item.allergens),
            may=allergen_rules.from_stored(item.may_contain),
            error=error,
        ),
        status,
    )


@bp.get("/items/<int:item_id>")
def edit_item(item_id: int) -> Page:
    """One stock item: its details, the units it is bought in, its latest movements."""
    return _item_page(_or_404(StockItem, item_id, "stock item"))


@bp.post("/items/<int:item_id>")
def update_item(item_id: int) -> Response | Page:
    """Change a stock item."""
    item = _or_404(StockItem, item_id, "stock item")
    try:
        stock.update_item(item_id, **_item_fields(request.form), actor=actor())
    except ServiceError as refused:
        message = _refused(refused)
        return _item_page(_or_404(StockItem, item_id, "stock item"), message, 422)
    flash(f"{item.name} saved.")
    return redirect(url_for("stockroom.edit_item", item_id=item_id))


@bp.post("/items/<int:item_id>/units")
def add_purchase_unit(item_id: int) -> Response | Page:
    """Add a unit the item is bought in (a 16 kg sack)."""
    item = _or_404(StockItem, item_id, "stock item")
    try:
        holds = _quantity(request.form.get("holds", ""), item.base_unit, "How much one holds")
        stock.add_purchase_unit(item_id, name=request.form.get("name", ""), base_qty=holds, actor=actor())
    except ServiceError as refused:
        message = _refused(refused)
        return _item_page(_or_404(StockItem, item_id, "stock item"), message, 422)
    flash("Purchase unit added.")
    return redirect(url_for("stockroom.edit_item", item_id=item_id))


# --- suppliers and partners --------------------------------------------------------------------


def _people_page(error: str | None = None, status: int = 200) -> Page:
    partners = list(db.session.scalars(select(Partner).order_by(Partner.name)))
    return (
        render_template(
            "stockroom/suppliers.html",
            suppliers=_suppliers(),
            partners=partners,
            kinds=stock.PARTNER_KINDS,
            error=error,
        ),
        status,
    )


@bp.get("/suppliers")
def list_suppliers() -> Page:
    """Suppliers the shop buys from, and the partners unsold food is given to."""
    return _people_page()


@bp.post("/suppliers")
def save_supplier() -> Response | Page:
    """Add or change a supplier."""
    try:
        supplier = stock.save_supplier(
            _chosen_id(request.form, "supplier_id", "supplier"),
            name=request.form.get("name", ""),
            contact=request.form.get("contact", ""),
            active=request.form.get("active", "y") == "y",
            actor=actor(),
        )
    except ServiceError as refused:
        return _people_page(_refused(refused), 422)
    flash(f"{supplier.name} saved.")
    return redirect(url_for("stockroom.list_suppliers"))


@bp.post("/partners")
def save_partner() -> Response | Page:
    """Add or change a partner unsold food is donated to."""
    try:
        partner = stock.save_partner(
            _chosen_id(request.form, "partner_id", "partner"),
            name=request.form.get("name", ""),
            kind=request.form.get("kind", ""),
            active=request.form.get("active", "y") == "y",
            actor=actor(),
        )
    except ServiceError as refused:
        return _people_page(_refused(refused), 422)
    flash(f"{partner.name} saved.")
    return redirect(url_for("stockroom.list_suppliers"))


# The other pages register their routes on the same blueprint when imported.
from bakery.stock import goods_in, kitchen  # noqa: E402,F401

__all__ = ["bp"]
