"""The kitchen (managers): recipes, how each product is made, bakes, and waste and donations."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from bakery.domain import allergens as allergen_rules
from bakery.domain.stock import (
    BASE_UNITS,
    describe_quantity,
)
from bakery.domain.vat import vat_in_gross
from bakery.extensions import db
from bakery.forms import parse_id
from bakery.models import (
    BakeBatch,
    Partner,
    Product,
    Recipe,
    StockItem,
    WriteOff,
)
from bakery.security import actor
from bakery.services import stock
from bakery.services.errors import ServiceError
from bakery.stock.stockroom_base import (
    BadInput,
    Page,
    _chosen_id,
    _date,
    _form_key,
    _items,
    _or_404,
    _quantity,
    _refused,
    _today,
    _whole,
    bp,
)

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


#: The most lines a recipe form may say it has (a recipe holds at most 60).
MAX_ROWS = 100

#: The most finished units one write-off may take (a typo guard).
MAX_WRITE_OFF = 100_000

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
            for i in range(_whole(request.form.get("rows") or "0", "Lines", MAX_ROWS))
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
    for index in range(_whole(form.get("rows") or "0", "Lines", MAX_ROWS)):
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
        item_id = _chosen_id(request.form, "stock_item_id", "stock item")
        if make == "bought" and item_id is not None:
            item = _or_404(StockItem, item_id, "stock item")
            stock_qty = _quantity(request.form.get("stock_qty") or "1", item.base_unit, "Each sale takes")
        shelf = (request.form.get("shelf_life_days") or "").strip()
        stock.set_making(
            product_id,
            make=make,
            recipe_id=_chosen_id(request.form, "recipe_id", "recipe"),
            stock_item_id=item_id,
            stock_qty=stock_qty,
            shelf_life_days=_whole(shelf, "Shelf life in days", 365) if shelf else None,
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
        qty = _whole(request.form.get("qty"), "How many baked", stock.MAX_BATCH)
        batch = stock.record_bake(
            parse_id(request.form.get("product_id", "")) or 0,
            qty,
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
            qty = _whole(request.form.get("qty"), "How many", MAX_WRITE_OFF)
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
