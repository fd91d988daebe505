"""Recipes and how each product comes to be on the shelf; what a product costs and contains.

Everything is derived from the recipes and the stock items through `bakery.domain.recipes`: a
product's cost, allergens and ingredient list are never typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from bakery.domain import allergens as allergen_rules
from bakery.domain import recipes as rules
from bakery.domain.money import round_half_up
from bakery.domain.stock import BASE_UNITS, MAX_BASE_QTY, MICRO
from bakery.extensions import db
from bakery.models import Product, Recipe, RecipePart, StockItem
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, locked, race_safe, serialise
from bakery.services.text import optional_text, printable_name

#: How a product comes to be on the shelf.
MAKES: dict[str, str] = {
    "": "Not linked to stock",
    "bought": "Bought in (a stock item)",
    "batch": "Baked in batches",
    "to_order": "Made to order",
}

#: The most parts one recipe may have.
MAX_PARTS = 60

#: The longest shelf life a batch can be given, in days.
MAX_SHELF_LIFE = 365


@dataclass(frozen=True)
class Facts:
    """Every recipe and stock item as the recipe rules see them (loaded in three queries)."""

    recipes: dict[int, rules.RecipeFacts]
    items: dict[int, rules.ItemFacts]


def load_facts() -> Facts:
    """All recipes (with their parts) and all stock items, as plain facts for the rules."""
    recipes = {
        r.id: rules.RecipeFacts(
            r.id,
            r.name,
            r.yield_qty,
            r.yield_unit,
            tuple(rules.Part(p.qty, p.stock_item_id, p.sub_recipe_id) for p in r.parts),
        )
        for r in db.session.scalars(select(Recipe).options(selectinload(Recipe.parts)))
    }
    items = {i.id: item_facts(i) for i in db.session.scalars(select(StockItem))}
    return Facts(recipes, items)


def item_facts(item: StockItem) -> rules.ItemFacts:
    """A stock item as the recipe rules see it."""
    return rules.ItemFacts(
        item.id,
        item.name,
        item.base_unit,
        item.unit_cost,
        allergen_rules.from_stored(item.allergens),
        allergen_rules.from_stored(item.may_contain),
        item.declared,
        item.grams_each,
    )


def _check_recipe(
    recipe_id: int | None, name: str, yield_qty: Any, yield_unit: str, method: str
) -> dict[str, Any]:
    if yield_unit not in BASE_UNITS:
        raise ServiceError("Choose what the recipe yields: grams, millilitres or each.")
    if not isinstance(yield_qty, int) or isinstance(yield_qty, bool) or not 0 < yield_qty <= MAX_BASE_QTY:
        raise ServiceError("Say how much the recipe yields, more than zero.")
    values = {
        "name": printable_name(name, "recipe name", 80),
        "yield_qty": yield_qty,
        "yield_unit": yield_unit,
        "method": optional_text(method, "method", 2000),
    }
    holder = db.session.scalar(select(Recipe.id).where(Recipe.name == values["name"]))
    if holder is not None and holder != recipe_id:
        raise ServiceError(f"There is already a recipe called {values['name']}.")
    return values


@race_safe(Mechanism.UNIQUE_KEY, guards="one recipe per name (unique)")
def create_recipe(
    *, name: str, yield_qty: int, yield_unit: str, actor: Actor, method: str = "", now: datetime | None = None
) -> Recipe:
    """Add a recipe: a unique name and what it yields (10,000 g of dough; 24 loaves); its parts are
    set next (`set_parts`)."""
    values = _check_recipe(None, name, yield_qty, yield_unit, method)
    recipe = Recipe(**values)
    db.session.add(recipe)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise ServiceError(f"There is already a recipe called {values['name']}.") from exc
    audit.record("stock.recipe_created", actor, target=f"recipe:{recipe.id}", now=now)
    db.session.commit()
    return recipe


@race_safe(
    Mechanism.SERIALISED,
    guards="recipes change one at a time, so two edits cannot each close half of a loop",
)
def update_recipe(
    recipe_id: int,
    *,
    name: str,
    yield_qty: int,
    yield_unit: str,
    parts: list[tuple[int | None, int | None, int]],
    actor: Actor,
    method: str = "",
    now: datetime | None = None,
) -> Recipe:
    """Change a recipe and set its parts: (stock item id, None, base units) or (None, recipe id,
    yield units of that recipe).

    Rule: at least one part and at most MAX_PARTS; each quantity a whole number more than zero;
    items and recipes that exist; a recipe never uses itself, directly or through any depth of
    sub-recipes (the loop is named); a recipe a product is made from yields "each" (units sold).
    """
    serialise("recipes")
    recipe = locked(Recipe, recipe_id)
    if recipe is None:
        raise NotFound("That recipe does not exist.")
    values = _check_recipe(recipe_id, name, yield_qty, yield_unit, method)
    if not parts:
        raise ServiceError("A recipe needs at least one ingredient.")
    if len(parts) > MAX_PARTS:
        raise ServiceError(f"A recipe can have at most {MAX_PARTS} lines.")
    checked: list[RecipePart] = []
    for item_id, sub_id, qty in parts:
        if not isinstance(qty, int) or isinstance(qty, bool) or not 0 < qty <= MAX_BASE_QTY:
            raise ServiceError("Each line needs a quantity more than zero.")
        if (item_id is None) == (sub_id is None):
            raise ServiceError("Each line uses one stock item or one recipe.")
        if item_id is not None and db.session.get(StockItem, item_id) is None:
            raise ServiceError("Choose a stock item from the list: that one does not exist.")
        if sub_id is not None and db.session.get(Recipe, sub_id) is None:
            raise ServiceError("Choose a recipe from the list: that one does not exist.")
        checked.append(RecipePart(stock_item_id=item_id, sub_recipe_id=sub_id, qty=qty))
    if values["yield_unit"] != "each" and db.session.scalar(
        select(Product.id).where(Product.recipe_id == recipe_id)
    ):
        raise ServiceError("A product is made from this recipe, so it yields units (each).")
    facts = load_facts()
    facts.recipes[recipe_id] = rules.RecipeFacts(
        recipe_id,
        values["name"],
        values["yield_qty"],
        values["yield_unit"],
        tuple(rules.Part(p.qty, p.stock_item_id, p.sub_recipe_id) for p in checked),
    )
    loop = rules.find_cycle(facts.recipes, recipe_id)
    if loop:
        raise ServiceError(f"A recipe cannot use itself: {' → '.join(loop)}.")
    for key, value in values.items():
        setattr(recipe, key, value)
    recipe.parts = checked
    db.session.flush()
    audit.record(
        "stock.recipe_changed", actor, target=f"recipe:{recipe.id}", details={"parts": len(checked)}, now=now
    )
    db.session.commit()
    return recipe


@race_safe(Mechanism.ROW_LOCK, guards="the product being linked (row lock)")
def set_making(
    product_id: int,
    *,
    make: str,
    actor: Actor,
    recipe_id: int | None = None,
    stock_item_id: int | None = None,
    stock_qty: int = 1,
    shelf_life_days: int | None = None,
    now: datetime | None = None,
) -> Product:
    """Say how a product comes to be on the shelf.

    Rule: "bought" names a stock item and how many of its base units one sale takes (its stock is
    the item's, so the product keeps none of its own); "batch" and
    "to_order" name a recipe that yields units (each); a batch product keeps finished stock in
    units (it is tracked from now on); a shelf life, when given, is 1 to 365 days.
    """
    product = locked(Product, product_id)
    if product is None:
        raise NotFound("That product does not exist.")
    if make not in MAKES:
        raise ServiceError("Choose how the product is made: bought in, baked in batches or made to order.")
    product.make = make
    product.recipe_id = product.stock_item_id = None
    product.stock_qty = 1
    if make == "bought":
        item = db.session.get(StockItem, stock_item_id) if isinstance(stock_item_id, int) else None
        if item is None:
            raise ServiceError("Choose the stock item this product is.")
        if not isinstance(stock_qty, int) or isinstance(stock_qty, bool) or not 0 < stock_qty <= MAX_BASE_QTY:
            raise ServiceError("Say how much of the stock item one sale takes, more than zero.")
        product.stock_item_id, product.stock_qty = item.id, stock_qty
        product.track_stock = False  # its stock is the item's: counting it twice would drift apart
    elif make in ("batch", "to_order"):
        recipe = db.session.get(Recipe, recipe_id) if isinstance(recipe_id, int) else None
        if recipe is None:
            raise ServiceError("Choose the recipe this product is made from.")
        if recipe.yield_unit != "each":
            raise ServiceError(
                f"{recipe.name} yields {BASE_UNITS[recipe.yield_unit]}: "
                "a product's recipe yields units (each)."
            )
        product.recipe_id = recipe.id
        if make == "batch":
            product.track_stock = True
    if shelf_life_days is not None and (
        not isinstance(shelf_life_days, int)
        or isinstance(shelf_life_days, bool)
        or not 0 < shelf_life_days <= MAX_SHELF_LIFE
    ):
        raise ServiceError(f"A shelf life is 1 to {MAX_SHELF_LIFE} days, or blank.")
    product.shelf_life_days = shelf_life_days
    audit.record(
        "stock.product_making", actor, target=f"product:{product.id}", details={"make": MAKES[make]}, now=now
    )
    db.session.commit()
    return product


@dataclass(frozen=True)
class ProductFacts:
    """What a product costs to make and what it contains, derived from its recipe or stock item."""

    cost: int | None  # pence per unit, None when nothing says
    allergens: frozenset[str]
    may_contain: frozenset[str]
    ingredients: rules.Segments

    def margin(self, price_ex_vat: int) -> int | None:
        """The share of the price (ex VAT) left after ingredients, in basis points."""
        if self.cost is None or price_ex_vat <= 0:
            return None
        return round_half_up((price_ex_vat - self.cost) * 10_000, price_ex_vat)


def product_facts(product: Product, facts: Facts | None = None) -> ProductFacts:
    """A product's cost per unit, allergens and ingredient list, from how it is made."""
    facts = facts or load_facts()
    if product.make == "bought" and product.stock_item_id in facts.items:
        item = facts.items[product.stock_item_id]
        ingredients = [rules.Ingredient(item.name, Fraction(1), item.allergens, declared=item.declared)]
        return ProductFacts(
            round_half_up(product.stock_qty * item.unit_cost, MICRO),
            item.allergens,
            item.may_contain - item.allergens,
            rules.label_text(tuple(ingredients)),
        )
    if product.make in ("batch", "to_order") and product.recipe_id in facts.recipes:
        try:
            contains, may = rules.allergens_of(product.recipe_id, facts.recipes, facts.items)
            return ProductFacts(
                rules.unit_cost_pence(product.recipe_id, facts.recipes, facts.items),
                contains,
                may,
                rules.label_text(rules.ingredient_list(product.recipe_id, facts.recipes, facts.items)),
            )
        except rules.RecipeError:
            pass
    return ProductFacts(None, frozenset(), frozenset(), [])


@dataclass(frozen=True)
class RecipeSummary:
    """What one yield unit of a recipe costs and contains, or why that cannot be said."""

    cost: int | None  # millionths of a penny per yield unit
    allergens: frozenset[str]
    may_contain: frozenset[str]
    ingredients: rules.Segments
    problem: str = ""


def recipe_unit_cost(recipe_id: int, facts: Facts) -> int:
    """What one yield unit of a recipe costs in ingredients, in millionths of a penny."""
    try:
        return rules.unit_cost(recipe_id, facts.recipes, facts.items)
    except rules.RecipeError as wrong:
        raise ServiceError(str(wrong)) from wrong


def recipe_summary(recipe_id: int, facts: Facts) -> RecipeSummary:
    """A recipe's cost per yield unit, allergens and ingredient list, for its page."""
    if not facts.recipes.get(recipe_id) or not facts.recipes[recipe_id].parts:
        return RecipeSummary(None, frozenset(), frozenset(), [], "Nothing goes into it yet.")
    try:
        contains, may = rules.allergens_of(recipe_id, facts.recipes, facts.items)
        return RecipeSummary(
            rules.unit_cost(recipe_id, facts.recipes, facts.items),
            contains,
            may,
            rules.label_text(rules.ingredient_list(recipe_id, facts.recipes, facts.items)),
        )
    except rules.RecipeError as wrong:
        return RecipeSummary(None, frozenset(), frozenset(), [], str(wrong))
