"""Recipes through any depth: what they consume, cost and contain, and the ingredient list."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakery.domain import recipes as rules
from bakery.domain.allergens import emphasise
from bakery.domain.recipes import ItemFacts, Part, RecipeFacts
from bakery.domain.stock import unit_cost_of

FLOUR, WATER, SALT, BUTTER, SESAME, EGG = 1, 2, 3, 4, 5, 6
ITEMS = {
    FLOUR: ItemFacts(FLOUR, "Wheat flour", "g", unit_cost_of(1200, 16000), frozenset({"gluten"})),
    WATER: ItemFacts(WATER, "Water", "ml"),
    SALT: ItemFacts(SALT, "Salt", "g", unit_cost_of(100, 1000)),
    BUTTER: ItemFacts(BUTTER, "Butter", "g", unit_cost_of(800, 1000), frozenset({"milk"})),
    SESAME: ItemFacts(
        SESAME, "Sesame seeds", "g", unit_cost_of(500, 1000), frozenset({"sesame"}), frozenset({"nuts"})
    ),
    EGG: ItemFacts(EGG, "Free-range eggs", "each", unit_cost_of(300, 12), frozenset({"eggs"}), grams_each=50),
}
DOUGH, LOAF, SEEDED, GLAZE = 10, 11, 12, 13
RECIPES = {
    # 10 kg of dough from 6 kg flour, 3.8 l water, 200 g salt
    DOUGH: RecipeFacts(
        DOUGH, "Sourdough dough", 10_000, "g", (Part(6000, FLOUR), Part(3800, WATER), Part(200, SALT))
    ),
    # one loaf: 900 g of dough
    LOAF: RecipeFacts(LOAF, "Sourdough loaf", 1, "each", (Part(900, recipe_id=DOUGH),)),
    # an egg glaze: 2 eggs and 100 g butter make 200 g
    GLAZE: RecipeFacts(GLAZE, "Egg glaze", 200, "g", (Part(2, EGG), Part(100, BUTTER))),
    # 12 seeded loaves: 12 loaves' worth of loaf recipe, 120 g sesame, 60 g glaze
    SEEDED: RecipeFacts(
        SEEDED,
        "Seeded loaf",
        12,
        "each",
        (Part(12, recipe_id=LOAF), Part(120, SESAME), Part(60, recipe_id=GLAZE)),
    ),
}


def test_a_nested_recipe_resolves_to_stock_items_per_unit_exactly():
    per_loaf = rules.per_unit(LOAF, RECIPES)
    assert per_loaf == {FLOUR: Fraction(540), WATER: Fraction(342), SALT: Fraction(18)}


def test_a_batch_consumes_whole_base_units_rounded_once_over_the_batch():
    per_seeded = rules.per_unit(SEEDED, RECIPES)
    assert per_seeded[EGG] == Fraction(60 * 2, 200 * 12)  # 0.05 of an egg each
    used = rules.consumption(SEEDED, RECIPES, units=24)
    assert used == {FLOUR: 12960, WATER: 8208, SALT: 432, BUTTER: 60, SESAME: 240, EGG: 1}


def test_the_cost_of_a_unit_adds_up_through_every_level():
    # 540 g flour at 0.075p/g + 18 g salt at 0.1p/g = 40.5 + 1.8 = 42.3p
    assert rules.unit_cost(LOAF, RECIPES, ITEMS) == 42_300_000
    assert rules.unit_cost_pence(LOAF, RECIPES, ITEMS) == 42


def test_an_allergen_in_a_sub_recipes_ingredient_reaches_the_product():
    contains, may = rules.allergens_of(SEEDED, RECIPES, ITEMS)
    assert contains == {"gluten", "milk", "sesame", "eggs"}
    assert may == {"nuts"}


def test_may_contain_never_repeats_what_it_certainly_contains():
    items = dict(ITEMS)
    items[BUTTER] = ItemFacts(BUTTER, "Butter", "g", 0, frozenset({"milk"}), frozenset({"sesame"}))
    _contains, may = rules.allergens_of(SEEDED, RECIPES, items)
    assert "sesame" not in may


def test_a_recipe_that_uses_itself_through_any_depth_is_refused_and_named():
    loop = dict(RECIPES)
    loop[DOUGH] = RecipeFacts(
        DOUGH, "Sourdough dough", 10_000, "g", (Part(6000, FLOUR), Part(1, recipe_id=SEEDED))
    )
    assert rules.find_cycle(loop, SEEDED) is not None
    with pytest.raises(rules.RecipeError, match=r"loop: .*Sourdough dough"):
        rules.per_unit(SEEDED, loop)
    assert rules.find_cycle(RECIPES, SEEDED) is None


def test_the_ingredient_list_is_in_descending_weight_with_compounds_expanded():
    listed = rules.ingredient_list(SEEDED, RECIPES, ITEMS)
    assert [i.name for i in listed] == ["Sourdough loaf", "Sesame seeds", "Egg glaze"]
    loaf = listed[0]
    assert [i.name for i in loaf.parts] == ["Sourdough dough"]
    assert [i.name for i in loaf.parts[0].parts] == ["Wheat flour", "Water", "Salt"]
    glaze = listed[2]
    assert [i.name for i in glaze.parts] == ["Butter", "Free-range eggs"]  # 100 g vs 2 x 50 g: by name


def test_the_label_emphasises_each_allergen_inside_the_list():
    text = rules.label_text(rules.ingredient_list(SEEDED, RECIPES, ITEMS))
    assert rules.plain(text) == (
        "Sourdough loaf (Sourdough dough (Wheat flour, Water, Salt)), Sesame seeds, "
        "Egg glaze (Butter, Free-range eggs)"
    )
    emphasised = [piece for piece, bold in text if bold]
    assert emphasised == ["Wheat", "Sesame", "Butter", "eggs"]


def test_an_allergen_a_name_does_not_say_is_added_in_brackets():
    assert emphasise("Pesto", {"nuts", "milk"}) == [
        ("Pesto (", False),
        ("milk", True),
        (", ", False),
        ("nuts", True),
        (")", False),
    ]
    assert emphasise("Butter", {"milk"}) == [("Butter", True)]
    assert emphasise("Oat milk", {"gluten", "milk"}) == [("Oat", True), (" ", False), ("milk", True)]


@given(st.integers(1, 500))
def test_a_batch_of_n_consumes_n_times_one_unit_give_or_take_rounding(units):
    used = rules.consumption(LOAF, RECIPES, units)
    assert used[FLOUR] == 540 * units
    assert used[WATER] == 342 * units
