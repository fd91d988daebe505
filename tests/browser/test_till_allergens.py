"""In a real browser: a product's allergens open from the info button on its tile (by touch and by
keyboard) and from the line options, without adding the product; the tile still adds when tapped.
The demo's Seeded rye is made of rye dough (rye and wheat flour) and mixed seeds (sesame; may
contain nuts)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from bakery.extensions import db
from bakery.services import demo
from tests.browser.test_till_phone import PHONE, _signed_in_till

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("BAKERY_SCREENSHOTS")


def stocked_till(page, live_server):  # type: ignore[no-untyped-def]
    """The demo shop with its stockroom (recipes, stock items), Ada signed in on the Counter till."""
    demo.load_demo_data()
    demo.load_demo_stock()
    db.session.remove()
    _signed_in_till(page, live_server)


def tile(page, name: str):  # type: ignore[no-untyped-def]
    return page.locator("#products .product-tile").filter(has=page.get_by_role("button", name=name))


def test_the_info_button_shows_allergens_without_adding_and_the_tile_still_adds(page, live_server, live_app):
    stocked_till(page, live_server)
    rye = tile(page, "Seeded rye")
    info = rye.get_by_role("button", name="Allergens")
    expect(info).to_be_visible()
    page.wait_for_load_state("networkidle")
    box = info.bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44
    total = page.locator("#basket-grand").inner_text() if page.locator("#basket-grand").count() else ""

    info.click()
    panel = page.get_by_role("dialog", name="Allergens: Seeded rye")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Cereals containing gluten, Sesame")
    expect(panel).to_contain_text("May contain")
    expect(panel).to_contain_text("Tree nuts")
    expect(panel).to_contain_text("Rye dough (Wholemeal rye flour")
    expect(panel).to_contain_text("Mixed seeds (Sunflower seeds, pumpkin seeds, sesame seeds, linseed)")
    expect(panel.locator(".ingredients strong", has_text="sesame")).to_be_visible()
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
    stocked_till(page, live_server)
    tile(page, "Seeded rye").get_by_role("button", name="Seeded rye").click()
    page.locator("#basket .line-name", has_text="Seeded rye").click()
    page.get_by_role("button", name="Allergens and ingredients").click()
    facts = page.locator("#line-allergens")
    expect(facts).to_contain_text("Cereals containing gluten, Sesame")
    expect(facts).to_contain_text("Tree nuts")


def test_a_product_without_a_recipe_says_its_allergens_are_not_recorded(page, live_server, live_app):
    _signed_in_till(page, live_server)
    page.get_by_role("link", name="Cakes", exact=True).click()
    tile(page, "Carrot cake slice").get_by_role("button", name="Allergens").click()
    expect(page.get_by_role("dialog", name="Allergens: Carrot cake slice")).to_contain_text("not recorded")


def test_end_of_day_takes_half_off_the_baked_loaf_with_one_tap(page, live_server, live_app):
    stocked_till(page, live_server)
    tile(page, "Seeded rye").get_by_role("button", name="Seeded rye").click()
    expect(page.locator("#basket .line-name", has_text="Seeded rye")).to_have_count(1)
    page.get_by_role("button", name="End of day").click()
    expect(page.locator("#basket")).to_contain_text("end-of-day reduction 50%")
    expect(page.locator("#basket-grand")).to_contain_text("2.10")
