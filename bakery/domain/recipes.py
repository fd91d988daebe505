"""Recipes: what one unit of a product or a sub-recipe is made of, through any depth of nesting.

A recipe yields `yield_qty` of its yield unit (10,000 g of dough; 24 loaves). Each of its parts is
a stock item in that item's base unit, or another recipe in that recipe's yield unit (900 g of
dough). Everything a product needs, costs and contains is derived from here, never typed twice:
the ingredients a bake or a made-to-order sale consumes, the cost per unit, the allergens and the
full ingredient list on a PPDS label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from bakery.domain import allergens as allergen_rules
from bakery.domain.money import round_half_up
from bakery.domain.stock import MICRO


@dataclass(frozen=True)
class ItemFacts:
    """What recipes need to know of a stock item."""

    id: int
    name: str
    base_unit: str
    unit_cost: int = 0  # millionths of a penny per base unit
    allergens: frozenset[str] = frozenset()
    may_contain: frozenset[str] = frozenset()
    declared: str = ""  # the supplier's own ingredient list, shown in brackets after the name
    grams_each: int | None = None  # the weight of one, for counted items on an ingredient list


@dataclass(frozen=True)
class Part:
    """One line of a recipe: `qty` base units of a stock item, or `qty` yield units of a recipe."""

    qty: int
    item_id: int | None = None
    recipe_id: int | None = None


@dataclass(frozen=True)
class RecipeFacts:
    """A recipe: its name, what it yields, and its parts."""

    id: int
    name: str
    yield_qty: int
    yield_unit: str
    parts: tuple[Part, ...] = ()


class RecipeError(ValueError):
    """A recipe that cannot be used as it stands: a cycle, a missing part, no yield."""


Recipes = Mapping[int, RecipeFacts]
Items = Mapping[int, ItemFacts]


def find_cycle(recipes: Recipes, start: int) -> list[str] | None:
    """The names along a loop of recipes reached from `start` (dough in bread in dough), or None.

    Rule: a recipe may use other recipes to any depth, but never itself through any of them.
    """
    path: list[int] = []
    done: set[int] = set()

    def visit(recipe_id: int) -> list[int] | None:
        if recipe_id in path:
            return [*path[path.index(recipe_id) :], recipe_id]
        if recipe_id in done or recipe_id not in recipes:
            return None
        path.append(recipe_id)
        for part in recipes[recipe_id].parts:
            if part.recipe_id is not None:
                loop = visit(part.recipe_id)
                if loop:
                    return loop
        path.pop()
        done.add(recipe_id)
        return None

    loop = visit(start)
    return [recipes[r].name for r in loop] if loop else None


def per_unit(recipe_id: int, recipes: Recipes) -> dict[int, Fraction]:
    """The base units of each stock item in ONE yield unit of the recipe, through every sub-recipe,
    exactly (as fractions: rounding happens once, when whole units are consumed).

    Rule: a part that is a recipe contributes its own per-unit needs times the part's quantity;
    a loop of recipes or a missing recipe is refused; a recipe that yields nothing is refused.
    """
    loop = find_cycle(recipes, recipe_id)
    if loop:
        raise RecipeError(f"These recipes use each other in a loop: {' → '.join(loop)}.")
    memo: dict[int, dict[int, Fraction]] = {}

    def needs(rid: int) -> dict[int, Fraction]:
        if rid in memo:
            return memo[rid]
        recipe = recipes.get(rid)
        if recipe is None:
            raise RecipeError("A recipe uses another recipe that no longer exists.")
        if recipe.yield_qty <= 0:
            raise RecipeError(f"The recipe {recipe.name} yields nothing: give it a yield.")
        total: dict[int, Fraction] = {}
        for part in recipe.parts:
            if part.item_id is not None:
                total[part.item_id] = total.get(part.item_id, Fraction(0)) + part.qty
            elif part.recipe_id is not None:
                for item_id, qty in needs(part.recipe_id).items():
                    total[item_id] = total.get(item_id, Fraction(0)) + qty * part.qty
        memo[rid] = {item_id: qty / recipe.yield_qty for item_id, qty in total.items()}
        return memo[rid]

    return dict(needs(recipe_id))


def consumption(recipe_id: int, recipes: Recipes, units: int) -> dict[int, int]:
    """Whole base units of each item that making `units` yield units consumes (half up per item,
    once over the whole batch, so 24 loaves use 24 x 900 g of dough's flour, not 24 roundings).
    Items that round to nothing are left out."""
    exact = per_unit(recipe_id, recipes)
    whole = {item_id: round_half_up(qty.numerator * units, qty.denominator) for item_id, qty in exact.items()}
    return {item_id: qty for item_id, qty in sorted(whole.items()) if qty}


def unit_cost(recipe_id: int, recipes: Recipes, items: Items) -> int:
    """What one yield unit costs in ingredients, in millionths of a penny (half up, once)."""
    value = sum(
        (qty * items[item_id].unit_cost for item_id, qty in per_unit(recipe_id, recipes).items()),
        Fraction(0),
    )
    return round_half_up(value.numerator, value.denominator)


def unit_cost_pence(recipe_id: int, recipes: Recipes, items: Items) -> int:
    """What one yield unit costs in ingredients, to the penny (half up)."""
    return round_half_up(unit_cost(recipe_id, recipes, items), MICRO)


def allergens_of(recipe_id: int, recipes: Recipes, items: Items) -> tuple[frozenset[str], frozenset[str]]:
    """(contains, may contain) of a recipe: every allergen of every item reached through its
    sub-recipes; "may contain" keeps only what it does not certainly contain."""
    contains: set[str] = set()
    may: set[str] = set()
    for item_id in per_unit(recipe_id, recipes):
        contains |= items[item_id].allergens
        may |= items[item_id].may_contain
    return frozenset(contains), frozenset(may - contains)


@dataclass(frozen=True)
class Ingredient:
    """One entry of an ingredient list: a name, its weight in the recipe, its own allergens, and
    for a compound ingredient (a sub-recipe, or an item with a declared list) what is in it."""

    name: str
    weight: Fraction
    allergens: frozenset[str] = frozenset()
    parts: tuple[Ingredient, ...] = field(default=())
    declared: str = ""


def ingredient_list(recipe_id: int, recipes: Recipes, items: Items) -> tuple[Ingredient, ...]:
    """The recipe's ingredients in descending order of weight, compound ones with theirs inside.

    Rule (the Food Information Regulations): ingredients in descending order of weight as used;
    a compound ingredient (a sub-recipe) is named and followed by its own ingredients in brackets,
    in their own descending order. Grams and millilitres count as weight one for one; a counted
    item weighs `grams_each` (or nothing, and so comes last). The same item used twice directly
    in one recipe is one entry.
    """
    per_unit(recipe_id, recipes)  # refuses loops and missing recipes first

    def weight_of_unit(rid: int) -> Fraction:
        recipe = recipes[rid]
        if recipe.yield_unit in ("g", "ml"):
            return Fraction(1)
        total = sum((w for w in _weights(rid).values()), Fraction(0))
        return total / recipe.yield_qty

    def _weights(rid: int) -> dict[tuple[str, int], Fraction]:
        weights: dict[tuple[str, int], Fraction] = {}
        for part in recipes[rid].parts:
            if part.item_id is not None:
                item = items[part.item_id]
                each = Fraction(item.grams_each or 0) if item.base_unit == "each" else Fraction(1)
                key = ("item", part.item_id)
                weights[key] = weights.get(key, Fraction(0)) + part.qty * each
            elif part.recipe_id is not None:
                key = ("recipe", part.recipe_id)
                weights[key] = weights.get(key, Fraction(0)) + part.qty * weight_of_unit(part.recipe_id)
        return weights

    def build(rid: int) -> tuple[Ingredient, ...]:
        entries: list[Ingredient] = []
        for (kind, ref), weight in _weights(rid).items():
            if kind == "item":
                item = items[ref]
                entries.append(Ingredient(item.name, weight, item.allergens, declared=item.declared))
            else:
                entries.append(Ingredient(recipes[ref].name, weight, parts=build(ref)))
        return tuple(sorted(entries, key=lambda e: (-e.weight, e.name.lower())))

    return build(recipe_id)


Segments = list[tuple[str, bool]]


def label_text(ingredients: tuple[Ingredient, ...]) -> Segments:
    """The ingredient list as (text, emphasised) pieces: "Dough (Wheat flour, Water), Butter (milk)",
    each allergen emphasised inside the list where it occurs."""
    pieces: Segments = []
    for index, ingredient in enumerate(ingredients):
        if index:
            pieces.append((", ", False))
        if ingredient.parts:
            pieces.append((ingredient.name, False))
            pieces.append((" (", False))
            pieces.extend(label_text(ingredient.parts))
            pieces.append((")", False))
        elif ingredient.declared:
            pieces.extend(allergen_rules.emphasise(ingredient.name, ()))
            pieces.append((" (", False))
            pieces.extend(allergen_rules.emphasise(ingredient.declared, ingredient.allergens))
            pieces.append((")", False))
        else:
            pieces.extend(allergen_rules.emphasise(ingredient.name, ingredient.allergens))
    return allergen_rules.joined(pieces)


def plain(segments: Segments) -> str:
    """The pieces as one plain string."""
    return "".join(text for text, _ in segments)
