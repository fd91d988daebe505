"""A product's allergens on the till: an info button on each tile and in the line options, loaded
only when opened, derived through the recipes (an allergen in a sub-recipe's ingredient shows)."""

from __future__ import annotations

import re

import pytest

from bakery.extensions import db
from bakery.models import Product
from bakery.services import stock
from tests.app.sql_watch import watching
from tests.app.stock.kitchen import item, make_kitchen
from tests.app.till.helpers import open_till_for
from tests.factories import make_user, post


@pytest.fixture
def kitchen(app):
    return make_kitchen(make_user("manager").id)


def strong(html: str) -> list[str]:
    return re.findall(r"<strong>([^<]*)</strong>", html)


def test_each_tile_has_an_allergen_button_beside_the_button_that_adds(client, kitchen):
    open_till_for(client)
    html = client.get("/till/sell").get_data(as_text=True)

    tiles = re.findall(r'<div class="product-tile">(.*?)</div>', html, re.S)
    assert len(tiles) == 3
    for tile in tiles:
        assert tile.count("<button") == 2
        assert 'aria-label="Allergens"' in tile
        assert re.search(r'hx-get="/till/products/\d+/allergens"', tile)


def test_the_grid_and_a_tap_read_no_recipe_or_stock_item(client, kitchen):
    open_till_for(client)
    with watching(db.engine) as grid:
        client.get(f"/till/categories/{kitchen.loaf.category_id}", headers={"HX-Request": "true"})
    with watching(db.engine) as tap:
        post(client, "/till/lines", {"product_id": str(kitchen.bottle.id)}, htmx=True)
    for watch in (grid, tap):
        sql = " ".join(statement.sql for statement in watch.statements)
        assert not re.search(r"(FROM|JOIN) (recipes|recipe_parts|stock_items)\b", sql)


def test_the_info_panel_shows_what_a_baked_product_contains_through_its_sub_recipe(client, kitchen):
    open_till_for(client)
    response = client.get(f"/till/products/{kitchen.loaf.id}/allergens", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="allergen-panel"' in html
    assert "Allergens: Sourdough" in html
    assert "Cereals containing gluten" in strong(html)
    # The flour is in the dough, a sub-recipe; its ingredient list is in brackets, flour first.
    assert "Sourdough dough (Strong white flour" in re.sub(r"</?strong>", "", html)
    assert "Nothing declared" in html


def test_may_contain_is_listed_apart_and_each_allergen_word_is_emphasised(client, kitchen):
    open_till_for(client)
    actor = kitchen.actor
    nuts = item(
        "Chocolate chips",
        "g",
        actor,
        allergens=("milk", "soya"),
        may_contain=("nuts",),
        declared="cocoa mass, sugar, milk powder, soya lecithin",
    )
    recipe = stock.create_recipe(name="Cookie", yield_qty=1, yield_unit="each", actor=actor)
    stock.update_recipe(
        recipe.id,
        name="Cookie",
        yield_qty=1,
        yield_unit="each",
        parts=[(kitchen.flour.id, None, 40), (nuts.id, None, 15)],
        actor=actor,
    )
    cookie = Product(
        name="Cookie",
        category_id=kitchen.loaf.category_id,
        tax_category_id=kitchen.loaf.tax_category_id,
        price=150,
    )
    db.session.add(cookie)
    db.session.commit()
    stock.set_making(cookie.id, make="to_order", recipe_id=recipe.id, actor=actor)

    html = client.get(f"/till/products/{cookie.id}/allergens").get_data(as_text=True)

    assert "Cereals containing gluten, Milk, Soya" in strong(html)
    assert re.search(r'class="may-contain">Tree nuts<', html)
    assert {"milk", "soya"} <= {s.lower() for s in strong(html)}


def test_a_product_not_linked_to_stock_says_its_allergens_are_not_recorded(client, kitchen):
    open_till_for(client)
    plain = Product(
        name="Mystery bun",
        category_id=kitchen.loaf.category_id,
        tax_category_id=kitchen.loaf.tax_category_id,
        price=100,
    )
    db.session.add(plain)
    db.session.commit()

    html = client.get(f"/till/products/{plain.id}/allergens").get_data(as_text=True)

    assert "not recorded" in html
    assert "None of the 14" not in html


def test_a_bought_in_product_shows_its_stock_item(client, kitchen):
    open_till_for(client)
    html = client.get(f"/till/products/{kitchen.bottle.id}/allergens").get_data(as_text=True)
    assert "Apple juice bottle" in html
    assert "None of the 14 allergens" in html


def test_the_line_options_open_the_allergens_of_the_line(client, kitchen):
    open_till_for(client)
    post(client, "/till/lines", {"product_id": str(kitchen.latte.id)}, htmx=True)
    line_id = re.search(r"/till/lines/(\d+)/options", client.get("/till/sell").get_data(as_text=True)).group(
        1
    )

    options = client.get(f"/till/lines/{line_id}/options", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert f'hx-get="/till/products/{kitchen.latte.id}/allergens?part=facts"' in options

    facts = client.get(f"/till/products/{kitchen.latte.id}/allergens?part=facts").get_data(as_text=True)
    assert facts.lstrip().startswith('<div class="allergen-facts">')
    assert "Milk" in strong(facts)
    assert "Close" not in facts


@pytest.mark.parametrize("path", ["/till/products/999999/allergens", "/till/products/abc/allergens"])
def test_an_unknown_product_is_answered_with_not_found(client, kitchen, path):
    open_till_for(client)
    assert client.get(path).status_code == 404


def test_an_inactive_product_is_not_shown(client, kitchen):
    open_till_for(client)
    kitchen.bottle.active = False
    db.session.commit()
    assert client.get(f"/till/products/{kitchen.bottle.id}/allergens").status_code == 404


def test_the_allergens_need_a_signed_in_till(client, kitchen):
    assert client.get(f"/till/products/{kitchen.loaf.id}/allergens").status_code in (302, 403)
