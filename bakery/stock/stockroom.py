"""The stockroom (managers): stock items, suppliers and partners, deliveries, recipes, how each
product is made, bake batches, and waste and donations."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from bakery.domain import allergens as allergen_rules
from bakery.domain.clock import business_date
from bakery.domain.money import MoneyError, parse_pence
from bakery.domain.stock import (
    BASE_UNITS,
    QuantityError,
    describe_quantity,
    describe_unit_cost,
    parse_quantity,
)
from bakery.domain.vat import vat_in_gross
from bakery.extensions import db
from bakery.forms import parse_id
from bakery.models import (
    BakeBatch,
    Delivery,
    Partner,
    Product,
    PurchaseUnit,
    Recipe,
    StockItem,
    StockItemMovement,
    Supplier,
    WriteOff,
)
from bakery.models.types import utcnow
from bakery.security import actor
from bakery.services import stock
from bakery.services.errors import NotFound, ServiceError
from bakery.services.settings import current_settings

bp = Blueprint("stockroom", __name__, url_prefix="/office/stock")

Page = tuple[str, int]


@bp.app_template_filter("quantity")
def quantity_filter(amount: int, unit: str) -> str:
    """A quantity in base units as a person reads it (16 kg, 250 g, 12 each)."""
    return describe_quantity(int(amount), unit)


@bp.app_template_filter("unit_cost")
def unit_cost_filter(cost: int, unit: str) -> str:
    """A cost per base unit as a manager reads it (£0.77/kg)."""
    return describe_unit_cost(int(cost), unit)


class BadInput(ServiceError):
    """What was typed could not be read; nothing was changed."""


def _form_key() -> str:
    return uuid.uuid4().hex


def _today() -> date:
    return business_date(utcnow(), current_settings().timezone)


def _quantity(text: str, unit: str, what: str, *, allow_zero: bool = False) -> int:
    try:
        return parse_quantity(text, unit, allow_zero=allow_zero)
    except QuantityError as wrong:
        raise BadInput(f"{what}: {wrong}") from wrong


def _pence(text: str, what: str) -> int:
    try:
        return parse_pence(text)
    except MoneyError as wrong:
        raise BadInput(f"{what}: {wrong}") from wrong


def _date(text: str, what: str, *, required: bool = True) -> date | None:
    text = (text or "").strip()
    if not text:
        if required:
            raise BadInput(f"Enter the {what}.")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as wrong:
        raise BadInput(f"The {what} must be a date like 2026-12-03.") from wrong


def _refused(refused: ServiceError) -> str:
    if isinstance(refused, NotFound):
        raise refused
    db.session.rollback()
    return refused.message


def _or_404(model: Any, row_id: int, what: str) -> Any:
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"That {what} does not exist.")
    return row


def _suppliers() -> list[Supplier]:
    return list(db.session.scalars(select(Supplier).order_by(Supplier.name)))


def _items() -> list[StockItem]:
    return list(db.session.scalars(select(StockItem).order_by(StockItem.name)))


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
        "supplier_id": parse_id(form.get("supplier_id", "")),
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
            parse_id(request.form.get("supplier_id", "")),
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
            parse_id(request.form.get("partner_id", "")),
            name=request.form.get("name", ""),
            kind=request.form.get("kind", ""),
            active=request.form.get("active", "y") == "y",
            actor=actor(),
        )
    except ServiceError as refused:
        return _people_page(_refused(refused), 422)
    flash(f"{partner.name} saved.")
    return redirect(url_for("stockroom.list_suppliers"))


# --- deliveries --------------------------------------------------------------------------------

#: Blank lines offered on a new delivery (blank ones are ignored).
DELIVERY_ROWS = 8


def _delivery_lines(form: Any) -> list[stock.LineIn]:
    """The filled-in lines of the delivery form, read into base units or purchase units and pence."""
    lines: list[stock.LineIn] = []
    for index in range(DELIVERY_ROWS):
        item_id = parse_id(form.get(f"item_{index}", ""))
        qty_text = (form.get(f"qty_{index}") or "").strip()
        if item_id is None and not qty_text:
            continue
        row = f"Line {index + 1}"
        item = db.session.get(StockItem, item_id) if item_id is not None else None
        if item is None:
            raise BadInput(f"{row}: choose what came.")
        unit_id = parse_id(form.get(f"unit_{index}", ""))
        if unit_id is not None:
            try:
                qty = int(qty_text)
            except ValueError as wrong:
                raise BadInput(f"{row}: say how many {item.name} came, as a whole number.") from wrong
        else:
            qty = _quantity(qty_text, item.base_unit, row)
        lines.append(
            stock.LineIn(
                stock_item_id=item.id,
                qty=qty,
                cost=_pence(form.get(f"cost_{index}", ""), f"{row} cost"),
                purchase_unit_id=unit_id,
                lot_code=form.get(f"lot_{index}", ""),
                use_by=_date(form.get(f"use_by_{index}", ""), f"{row} use-by date", required=False),
            )
        )
    return lines


def _new_delivery_page(error: str | None = None, status: int = 200) -> Page:
    units = db.session.scalars(
        select(PurchaseUnit).options(selectinload(PurchaseUnit.item)).order_by(PurchaseUnit.stock_item_id)
    ).all()
    return (
        render_template(
            "stockroom/delivery_new.html",
            suppliers=_suppliers(),
            items=[i for i in _items() if i.active],
            purchase_units=units,
            rows=range(DELIVERY_ROWS),
            typed=request.form if request.method == "POST" else {},
            key=request.form.get("key") if request.method == "POST" else _form_key(),
            today=_today(),
            error=error,
        ),
        status,
    )


@bp.get("/deliveries")
def list_deliveries() -> str:
    """Deliveries, newest first, with their corrections."""
    deliveries = db.session.scalars(
        select(Delivery)
        .where(Delivery.corrects_id.is_(None))
        .options(selectinload(Delivery.lines), selectinload(Delivery.supplier))
        .order_by(Delivery.delivered_on.desc(), Delivery.id.desc())
        .limit(100)
    ).all()
    corrected = set(
        db.session.scalars(select(Delivery.corrects_id).where(Delivery.corrects_id.is_not(None))).all()
    )
    return render_template("stockroom/deliveries.html", deliveries=deliveries, corrected=corrected)


@bp.get("/deliveries/new")
def new_delivery() -> Page:
    """The goods-in form."""
    return _new_delivery_page()


@bp.post("/deliveries")
def record_delivery() -> Response | Page:
    """Record goods in."""
    try:
        delivered_on = _date(request.form.get("delivered_on", ""), "delivery date", required=False)
        delivery = stock.record_delivery(
            supplier_id=parse_id(request.form.get("supplier_id", "")),
            delivered_on=delivered_on or _today(),
            lines=_delivery_lines(request.form),
            reference=request.form.get("reference", ""),
            note=request.form.get("note", ""),
            key=request.form.get("key", ""),
            actor=actor(),
        )
    except ServiceError as refused:
        return _new_delivery_page(_refused(refused), 422)
    flash(f"Delivery of {delivery.delivered_on:%d %b %Y} recorded: {len(delivery.lines)} lines into stock.")
    return redirect(url_for("stockroom.show_delivery", delivery_id=delivery.id))


def _delivery_page(delivery: Delivery, error: str | None = None, status: int = 200) -> Page:
    corrections = db.session.scalars(
        select(Delivery)
        .where(Delivery.corrects_id == delivery.id)
        .options(selectinload(Delivery.lines))
        .order_by(Delivery.id)
    ).all()
    now_held = stock.delivered(delivery.id)
    items = {i.id: i for i in db.session.scalars(select(StockItem).where(StockItem.id.in_(now_held)))}
    return (
        render_template(
            "stockroom/delivery.html",
            delivery=delivery,
            corrections=corrections,
            now_held=now_held,
            items=items,
            key=_form_key(),
            typed=request.form if request.method == "POST" else {},
            error=error,
        ),
        status,
    )


@bp.get("/deliveries/<int:delivery_id>")
def show_delivery(delivery_id: int) -> Page:
    """One delivery, what it now amounts to with its corrections, and correcting it."""
    delivery = _or_404(Delivery, delivery_id, "delivery")
    if delivery.corrects_id is not None:
        return show_delivery(delivery.corrects_id)
    return _delivery_page(delivery)


@bp.post("/deliveries/<int:delivery_id>/corrections")
def correct_delivery(delivery_id: int) -> Response | Page:
    """Put a delivery right with a linked correction (the delivery itself is never edited)."""
    delivery = _or_404(Delivery, delivery_id, "delivery")
    try:
        corrected: dict[int, tuple[int, int]] = {}
        for item_id in stock.delivered(delivery_id):
            item = db.session.get(StockItem, item_id)
            if item is None:
                continue
            qty = _quantity(
                request.form.get(f"qty_{item_id}", ""), item.base_unit, item.name, allow_zero=True
            )
            corrected[item_id] = (qty, _pence(request.form.get(f"cost_{item_id}", ""), f"{item.name} cost"))
        stock.correct_delivery(
            delivery_id,
            corrected=corrected,
            reason=request.form.get("reason", ""),
            key=request.form.get("key", ""),
            actor=actor(),
        )
    except ServiceError as refused:
        message = _refused(refused)
        return _delivery_page(_or_404(Delivery, delivery_id, "delivery"), message, 422)
    flash(f"The delivery of {delivery.delivered_on:%d %b %Y} was corrected.")
    return redirect(url_for("stockroom.show_delivery", delivery_id=delivery_id))


# --- recipes and products --------------------------------------------------------------------


def _recipes() -> list[Recipe]:
    return list(db.session.scalars(select(Recipe).options(selectinload(Recipe.parts)).order_by(Recipe.name)))


@bp.get("/recipes")
def list_recipes() -> Page:
    """Recipes with what one unit costs, and adding one."""
    return _recipes_page()


def _recipes_page(error: str | None = None, status: int = 200) -> Page:
    facts = stock.load_facts()
    costs = {}
    for recipe_id in facts.recipes:
        try:
            costs[recipe_id] = stock.recipe_unit_cost(recipe_id, facts)
        except ServiceError:
            costs[recipe_id] = None
    return (
        render_template(
            "stockroom/recipes.html",
            recipes=_recipes(),
            costs=costs,
            units=BASE_UNITS,
            error=error,
            typed=request.form if request.method == "POST" else {},
        ),
        status,
    )


@bp.post("/recipes")
def create_recipe() -> Response | Page:
    """Add a recipe (its ingredients are set next)."""
    unit = request.form.get("yield_unit", "")
    try:
        if unit not in BASE_UNITS:
            raise BadInput("Choose what the recipe yields: grams, millilitres or each.")
        recipe = stock.create_recipe(
            name=request.form.get("name", ""),
            yield_qty=_quantity(request.form.get("yield_qty", ""), unit, "Yield"),
            yield_unit=unit,
            actor=actor(),
        )
    except ServiceError as refused:
        return _recipes_page(_refused(refused), 422)
    flash(f"{recipe.name} added: now say what goes into it.")
    return redirect(url_for("stockroom.edit_recipe", recipe_id=recipe.id))


#: Ingredient lines offered on a recipe beyond those it has.
SPARE_PARTS = 4


def _recipe_page(recipe: Recipe, error: str | None = None, status: int = 200) -> Page:
    facts = stock.load_facts()
    summary = stock.recipe_summary(recipe.id, facts)
    rows = [
        {
            "component": f"item:{p.stock_item_id}" if p.stock_item_id else f"recipe:{p.sub_recipe_id}",
            "qty": describe_quantity(
                p.qty,
                facts.items[p.stock_item_id].base_unit
                if p.stock_item_id
                else facts.recipes[p.sub_recipe_id].yield_unit,
            ),
        }
        for p in recipe.parts
    ]
    if request.method == "POST":
        rows = [
            {"component": request.form.get(f"component_{i}", ""), "qty": request.form.get(f"qty_{i}", "")}
            for i in range(int(request.form.get("rows", "0") or 0))
        ]
    rows += [{"component": "", "qty": ""} for _ in range(SPARE_PARTS)]
    return (
        render_template(
            "stockroom/recipe.html",
            recipe=recipe,
            rows=rows,
            items=_items(),
            recipes=[r for r in _recipes() if r.id != recipe.id],
            units=BASE_UNITS,
            summary=summary,
            makes=db.session.scalars(select(Product).where(Product.recipe_id == recipe.id)).all(),
            error=error,
        ),
        status,
    )


@bp.get("/recipes/<int:recipe_id>")
def edit_recipe(recipe_id: int) -> Page:
    """One recipe: what it yields, what goes into it, and what that costs and contains."""
    return _recipe_page(_or_404(Recipe, recipe_id, "recipe"))


def _parts(form: Any) -> list[tuple[int | None, int | None, int]]:
    parts: list[tuple[int | None, int | None, int]] = []
    for index in range(min(int(form.get("rows", "0") or 0), 100)):
        component = (form.get(f"component_{index}") or "").strip()
        qty_text = (form.get(f"qty_{index}") or "").strip()
        if not component and not qty_text:
            continue
        kind, _, ident = component.partition(":")
        ref = parse_id(ident)
        row = f"Line {index + 1}"
        if kind == "item" and ref is not None and (item := db.session.get(StockItem, ref)) is not None:
            parts.append((ref, None, _quantity(qty_text, item.base_unit, f"{row} ({item.name})")))
        elif kind == "recipe" and ref is not None and (sub := db.session.get(Recipe, ref)) is not None:
            parts.append((None, ref, _quantity(qty_text, sub.yield_unit, f"{row} ({sub.name})")))
        else:
            raise BadInput(f"{row}: choose a stock item or a recipe.")
    return parts


@bp.post("/recipes/<int:recipe_id>")
def update_recipe(recipe_id: int) -> Response | Page:
    """Change a recipe and what goes into it."""
    recipe = _or_404(Recipe, recipe_id, "recipe")
    unit = request.form.get("yield_unit", "")
    try:
        if unit not in BASE_UNITS:
            raise BadInput("Choose what the recipe yields: grams, millilitres or each.")
        stock.update_recipe(
            recipe_id,
            name=request.form.get("name", ""),
            yield_qty=_quantity(request.form.get("yield_qty", ""), unit, "Yield"),
            yield_unit=unit,
            method=request.form.get("method", ""),
            parts=_parts(request.form),
            actor=actor(),
        )
    except ServiceError as refused:
        message = _refused(refused)
        return _recipe_page(_or_404(Recipe, recipe_id, "recipe"), message, 422)
    flash(f"{recipe.name} saved.")
    return redirect(url_for("stockroom.edit_recipe", recipe_id=recipe_id))


def _products_page(error: str | None = None, status: int = 200, editing: int | None = None) -> Page:
    facts = stock.load_facts()
    products = db.session.scalars(
        select(Product).options(selectinload(Product.tax_category)).order_by(Product.name)
    ).all()
    rows = []
    for product in products:
        made = stock.product_facts(product, facts)
        price_ex = product.price - vat_in_gross(product.price, product.tax_category.takeaway_bp)
        rows.append((product, made, made.margin(price_ex)))
    return (
        render_template(
            "stockroom/products.html",
            rows=rows,
            makes=stock.MAKES,
            recipes=[r for r in _recipes() if r.yield_unit == "each"],
            items=_items(),
            allergen_names=allergen_rules.names,
            editing=editing,
            error=error,
        ),
        status,
    )


@bp.get("/products")
def list_products() -> Page:
    """Every product: how it is made, what it costs, its margin at today's price, its allergens."""
    return _products_page(editing=parse_id(request.args.get("edit", "")))


@bp.post("/products/<int:product_id>")
def set_making(product_id: int) -> Response | Page:
    """Say how a product is made: bought in, baked in batches, or made to order."""
    product = _or_404(Product, product_id, "product")
    make = request.form.get("make", "")
    try:
        stock_qty = 1
        item_id = parse_id(request.form.get("stock_item_id", ""))
        if make == "bought" and item_id is not None:
            item = _or_404(StockItem, item_id, "stock item")
            stock_qty = _quantity(request.form.get("stock_qty") or "1", item.base_unit, "Each sale takes")
        shelf = (request.form.get("shelf_life_days") or "").strip()
        if shelf and not shelf.isdigit():
            raise BadInput("A shelf life is a whole number of days.")
        stock.set_making(
            product_id,
            make=make,
            recipe_id=parse_id(request.form.get("recipe_id", "")),
            stock_item_id=item_id,
            stock_qty=stock_qty,
            shelf_life_days=int(shelf) if shelf else None,
            actor=actor(),
        )
    except ServiceError as refused:
        return _products_page(_refused(refused), 422, editing=product_id)
    flash(f"{product.name}: {stock.MAKES[make].lower()}.")
    return redirect(url_for("stockroom.list_products"))


# --- bakes ---------------------------------------------------------------------------------------


def _bakes_page(error: str | None = None, status: int = 200) -> Page:
    today = _today()
    batches = db.session.execute(
        select(BakeBatch, Product.name)
        .join(Product, Product.id == BakeBatch.product_id)
        .where(BakeBatch.baked_on >= date.fromordinal(today.toordinal() - 6))
        .order_by(BakeBatch.id.desc())
    ).all()
    products = db.session.scalars(
        select(Product).where(Product.make == "batch", Product.active.is_(True)).order_by(Product.name)
    ).all()
    return (
        render_template(
            "stockroom/bakes.html",
            batches=batches,
            products=products,
            key=_form_key(),
            typed=request.form if request.method == "POST" else {},
            today=today,
            error=error,
        ),
        status,
    )


@bp.get("/bakes")
def list_bakes() -> Page:
    """This week's batches, and recording one."""
    return _bakes_page()


@bp.post("/bakes")
def record_bake() -> Response | Page:
    """Record a batch baked."""
    try:
        qty_text = (request.form.get("qty") or "").strip()
        if not qty_text.isdigit():
            raise BadInput("Say how many were baked, as a whole number.")
        batch = stock.record_bake(
            parse_id(request.form.get("product_id", "")) or 0,
            int(qty_text),
            best_before=_date(request.form.get("best_before", ""), "best-before date", required=False),
            note=request.form.get("note", ""),
            key=request.form.get("key", ""),
            actor=actor(),
        )
    except ServiceError as refused:
        return _bakes_page(_refused(refused), 422)
    product = db.session.get(Product, batch.product_id)
    best = f", best before {batch.best_before:%d %b}" if batch.best_before else ""
    flash(f"{batch.qty} {product.name if product else ''} baked: batch {batch.code}{best}.")
    return redirect(url_for("stockroom.list_bakes"))


# --- waste and donations -----------------------------------------------------------------------


def _waste_page(error: str | None = None, status: int = 200) -> Page:
    today = _today()
    records = db.session.execute(
        select(WriteOff, Product.name, StockItem.name, Partner.name)
        .outerjoin(Product, Product.id == WriteOff.product_id)
        .outerjoin(StockItem, StockItem.id == WriteOff.stock_item_id)
        .outerjoin(Partner, Partner.id == WriteOff.partner_id)
        .where(WriteOff.day >= date.fromordinal(today.toordinal() - 6))
        .order_by(WriteOff.id.desc())
    ).all()
    products = db.session.scalars(
        select(Product).where(Product.track_stock.is_(True), Product.active.is_(True)).order_by(Product.name)
    ).all()
    partners = db.session.scalars(
        select(Partner).where(Partner.active.is_(True)).order_by(Partner.name)
    ).all()
    return (
        render_template(
            "stockroom/waste.html",
            records=records,
            products=products,
            items=[i for i in _items() if i.active],
            partners=partners,
            reasons=stock.WASTE_REASONS,
            key=_form_key(),
            typed=request.form if request.method == "POST" else {},
            error=error,
        ),
        status,
    )


@bp.get("/waste")
def list_waste() -> Page:
    """This week's waste and donations, and recording them (end of day)."""
    return _waste_page()


@bp.post("/waste")
def write_off() -> Response | Page:
    """Record waste or a donation of a product's finished units or of a stock item."""
    what = (request.form.get("what") or "").strip()
    kind, _, ident = what.partition(":")
    try:
        ref = parse_id(ident)
        product_id = ref if kind == "product" else None
        item_id = ref if kind == "item" else None
        if ref is None or kind not in ("product", "item"):
            raise BadInput("Choose what is being written off.")
        if item_id is not None:
            item = _or_404(StockItem, item_id, "stock item")
            qty = _quantity(request.form.get("qty", ""), item.base_unit, "Quantity")
        else:
            text = (request.form.get("qty") or "").strip()
            if not text.isdigit():
                raise BadInput("Say how many, as a whole number.")
            qty = int(text)
        record = stock.write_off(
            product_id=product_id,
            stock_item_id=item_id,
            qty=qty,
            kind=request.form.get("kind", ""),
            reason=request.form.get("reason", ""),
            partner_id=parse_id(request.form.get("partner_id", "")),
            note=request.form.get("note", ""),
            key=request.form.get("key", ""),
            actor=actor(),
        )
    except ServiceError as refused:
        return _waste_page(_refused(refused), 422)
    flash(("Donation" if record.kind == "donation" else "Waste") + " recorded.")
    return redirect(url_for("stockroom.list_waste"))
