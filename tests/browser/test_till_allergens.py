"""In a real browser: a product's allergens open from the info button on its tile (by touch and by
keyboard) and from the line options, without adding the product; the tile still adds when tapped."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from bakery.extensions import db
from bakery.models import Product, User
from bakery.services import demo, stock
from bakery.services.audit import Actor
from tests.browser.test_till_phone import PHONE, _signed_in_till

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("BAKERY_SCREENSHOTS")


def link_seeded_rye() -> None:
    """Seeded rye made to its recipe: rye flour (gluten), water, seeds that may carry nuts."""
    demo.load_demo_data()
    manager = db.session.query(User).filter_by(role="manager").first() or db.session.query(User).first()
    actor = Actor(manager.id)

    def item(name: str, unit: str, **extra):  # type: ignore[no-untyped-def]
        fields = {
            "reorder_level": 0, "par_level": 0, "location": "", "supplier_id": None, "allergens": (),
            "may_contain": (), "declared": "", "grams_each": None, "active": True,
        }  # fmt: skip
        fields.update(extra)
        return stock.create_item(actor=actor, name=name, base_unit=unit, **fields)

    rye = item("Rye flour", "g", allergens=("gluten",))
    water = item("Water", "ml")
    seeds = item("Sesame seeds", "g", allergens=("sesame",), may_contain=("nuts",))
    recipe = stock.create_recipe(name="Seeded rye", yield_qty=1, yield_unit="each", actor=actor)
    stock.update_recipe(
        recipe.id, name="Seeded rye", yield_qty=1, yield_unit="each",
        parts=[(rye.id, None, 500), (water.id, None, 350), (seeds.id, None, 40)], actor=actor,
    )  # fmt: skip
    product = db.session.query(Product).filter_by(name="Seeded rye").one()
    stock.set_making(product.id, make="batch", recipe_id=recipe.id, actor=actor)
    product.on_hand = 10_000
    db.session.commit()
    db.session.remove()


def tile(page, name: str):  # type: ignore[no-untyped-def]
    return page.locator("#products .product-tile").filter(has=page.get_by_role("button", name=name))


def test_the_info_button_shows_allergens_without_adding_and_the_tile_still_adds(page, live_server, live_app):
    link_seeded_rye()
    _signed_in_till(page, live_server)
    page.get_by_role("link", name="Breads", exact=True).click()
    rye = tile(page, "Seeded rye")
    info = rye.get_by_role("button", name="Allergens")
    expect(info).to_be_visible()
    box = info.bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44
    total = page.locator("#basket-grand").inner_text() if page.locator("#basket-grand").count() else ""

    info.click()
    panel = page.get_by_role("dialog", name="Allergens: Seeded rye")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Cereals containing gluten, Sesame")
    expect(panel).to_contain_text("May contain")
    expect(panel).to_contain_text("Tree nuts")
    expect(panel).to_contain_text("Rye flour, Water, Sesame seeds")
    expect(panel.locator(".ingredients strong", has_text="Rye")).to_be_visible()
    expect(panel.locator("strong", has_text="Sesame").first).to_be_visible()
    if SHOTS:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=f"{SHOTS}/till-allergens-1280x800.png")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(200)
        page.screenshot(path=f"{SHOTS}/till-allergens-390x844.png")
        page.set_viewport_size({"width": 1280, "height": 800})
    assert (
        page.locator("#basket-grand").inner_text() if page.locator("#basket-grand").count() else ""
    ) == total
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_have_count(0)

    # By keyboard: the info button takes Enter; the panel's Close has the focus.
    info.focus()
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel).to_have_count(0)

    # The tile itself still adds the loaf.
    rye.get_by_role("button", name="Seeded rye").click()
    expect(page.locator("#basket .line-name", has_text="Seeded rye")).to_have_count(1)


def test_the_line_options_show_the_lines_allergens(page, live_server, live_app):
    link_seeded_rye()
    _signed_in_till(page, live_server)
    page.get_by_role("link", name="Breads", exact=True).click()
    tile(page, "Seeded rye").get_by_role("button", name="Seeded rye").click()
    page.locator("#basket .line-name", has_text="Seeded rye").click()
    page.get_by_role("button", name="Allergens and ingredients").click()
    facts = page.locator("#line-allergens")
    expect(facts).to_contain_text("Cereals containing gluten, Sesame")
    expect(facts).to_contain_text("Tree nuts")


def test_a_product_without_a_recipe_says_its_allergens_are_not_recorded(page, live_server, live_app):
    _signed_in_till(page, live_server)
    page.get_by_role("link", name="Breads", exact=True).click()
    tile(page, "Baguette").get_by_role("button", name="Allergens").click()
    expect(page.get_by_role("dialog", name="Allergens: Baguette")).to_contain_text("not recorded")


def test_end_of_day_takes_half_off_the_baked_loaf_with_one_tap(page, live_server, live_app):
    link_seeded_rye()
    _signed_in_till(page, live_server)
    page.get_by_role("link", name="Breads", exact=True).click()
    tile(page, "Seeded rye").get_by_role("button", name="Seeded rye").click()
    expect(page.locator("#basket .line-name", has_text="Seeded rye")).to_have_count(1)
    page.get_by_role("button", name="End of day").click()
    expect(page.locator("#basket")).to_contain_text("end-of-day reduction 50%")
    expect(page.locator("#basket-grand")).to_contain_text("2.10")
