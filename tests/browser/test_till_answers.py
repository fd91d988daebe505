"""In a real browser, the till answers where the cashier is looking."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bakery.extensions import db
from bakery.services import demo

pytestmark = pytest.mark.browser


def _signed_in_till(page, live_server) -> None:  # type: ignore[no-untyped-def]
    from bakery.models import Till, User
    from bakery.services.audit import Actor
    from bakery.services.till import cash
    from bakery.services.till.tills import pair_device

    demo.load_demo_data()
    till = db.session.query(Till).filter_by(name="Counter").one()
    ada = db.session.query(User).filter_by(display_name="Ada Baker").one()
    token = pair_device(till.id, "browser", Actor(user_id=ada.id))
    cash.open_session(till.id, 5000, Actor(ada.id, till.id))
    page.context.add_cookies([{"name": "bakery_till", "value": token, "url": live_server}])
    page.goto(live_server + "/till/")
    page.get_by_role("link", name="Ada").click()
    for digit in "1111":
        page.locator(f'.key[data-key="{digit}"]').click()
    page.get_by_role("button", name="OK").click()
    page.wait_for_url("**/till/sell")
    page.wait_for_load_state("load")  # htmx and our JS are deferred


def _in_viewport(page, locator) -> bool:  # type: ignore[no-untyped-def]
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_a_bad_amount_on_a_long_order_shows_beside_the_amount_in_view_and_keeps_the_typing(
    page, live_server, live_app
):
    _signed_in_till(page, live_server)
    for category in page.locator("#categories a").all():
        category.click()
        page.wait_for_timeout(200)
        for product in page.locator("#products button.product[hx-post]").all():
            lines = page.locator("#basket .line").count()
            product.click()
            expect(page.locator("#basket .line")).to_have_count(lines + 1)
    assert page.locator("#basket .line").count() >= 8

    page.get_by_label("Other amount").fill("3.4.0")
    page.get_by_label("Card ref. (optional)").fill("T-77")
    page.locator("#basket").get_by_role("button", name="Card", exact=True).click()
    error = page.get_by_role("alert").filter(has_text="amount")
    error.wait_for()
    page.wait_for_timeout(300)  # htmx scrolls after the swap settles
    assert _in_viewport(page, error)
    assert _in_viewport(page, page.get_by_label("Other amount"))
    assert page.get_by_label("Other amount").input_value() == "3.4.0"
    assert page.get_by_label("Card ref. (optional)").input_value() == "T-77"
    assert page.locator("#basket-error").count() == 0


def test_member_lookup_by_name_shows_a_pick_list(page, live_server, live_app):
    _signed_in_till(page, live_server)
    page.get_by_role("link", name="Viennoiserie").click()
    page.get_by_role("button", name="Croissant").click()
    page.locator("#basket").get_by_text("Croissant").wait_for()

    page.get_by_label("Member number or name").fill("mem")
    page.locator("#basket").get_by_role("button", name="Member", exact=True).click()
    found = page.get_by_role("group", name="Members found")
    found.wait_for()
    assert found.get_by_role("button").count() == 2
    assert "@" not in found.inner_text()
    found.get_by_role("button", name="Noor Member").click()
    page.locator("#basket").get_by_text("M-0102").wait_for()

    page.get_by_role("button", name="Remove member").click()
    page.get_by_label("Member number or name").fill("mi")
    page.locator("#basket").get_by_role("button", name="Member", exact=True).click()
    page.get_by_role("alert").filter(has_text="at least 3 letters").wait_for()


def test_clearing_the_search_brings_back_the_category(page, live_server, live_app):
    _signed_in_till(page, live_server)
    page.get_by_role("link", name="Viennoiserie").click()
    page.get_by_role("button", name="Croissant").wait_for()
    before = page.locator("#products button.product").count()
    search = page.get_by_label("Search products")
    search.fill("latte")
    page.get_by_role("button", name="Latte").wait_for()
    search.fill("")
    page.get_by_role("button", name="Croissant").wait_for()
    assert page.locator("#products button.product").count() == before
    assert page.get_by_role("button", name="Latte").count() == 0


def test_after_pay_the_receipt_shows_its_qr_as_an_image(page, live_server, live_app):
    _signed_in_till(page, live_server)
    page.get_by_role("link", name="Viennoiserie").click()
    page.get_by_role("button", name="Croissant").click()
    page.locator("#basket").get_by_text("Croissant").wait_for()
    page.get_by_role("button", name="£5.00").click()
    page.locator("#change-due").wait_for()
    qr = page.locator("#receipt-preview").get_by_role("img", name="QR code")
    qr.wait_for()
    assert qr.locator("svg").bounding_box()["width"] > 50
    assert "[QR:" not in page.locator("#receipt-preview").inner_text()
    page.get_by_role("button", name="Show QR").click()
    big = page.get_by_role("img", name="QR code for the digital receipt")
    big.wait_for()
    assert big.locator("svg").bounding_box()["width"] >= 200  # scannable from a phone
    page.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="No receipt").click()
    page.get_by_text("Tap a product to start an order.").wait_for()
