"""In a real browser: sell two croissants, then refund one with the manager's PIN."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bakery.extensions import db
from bakery.services import demo

pytestmark = pytest.mark.browser


def test_refund_one_croissant_with_the_manager_pin_and_see_the_refund_total(page, live_server, live_app):
    from playwright.sync_api import expect

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

    page.get_by_role("link", name="Viennoiserie").click()
    page.locator("#products").get_by_role("button", name="Croissant").click()
    expect(page.locator("#basket-total")).to_have_text("£2.50")
    page.locator("#products").get_by_role("button", name="Croissant").click()
    expect(page.locator("#basket-total")).to_have_text("£5.00")
    page.get_by_role("button", name="£10.00").click()
    expect(page.locator("#change-due")).to_contain_text("£5.00")

    page.get_by_role("link", name="Refunds").click()
    page.get_by_role("heading", name="Refunds").wait_for()
    page.locator("#today-sales a").first.click()
    page.get_by_role("heading", name="Refund from receipt 1").wait_for()
    page.wait_for_load_state("load")  # htmx is deferred: a tap before it has loaded does nothing
    quantity = page.get_by_label("How many Croissant come back")
    expect(quantity).to_have_value("0")
    page.get_by_role("button", name="One more Croissant").click()
    expect(quantity).to_have_value("1")

    # The refund screen fits a phone too, with touch-sized steppers.
    page.set_viewport_size({"width": 390, "height": 844})
    form = page.locator("#refund-form").bounding_box()
    assert form is not None and form["x"] >= 0 and form["x"] + form["width"] <= 390
    stepper = page.get_by_role("button", name="One more Croissant").bounding_box()
    assert stepper is not None and stepper["height"] >= 48 and stepper["width"] >= 48
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_label("Reason").fill("Dropped on the floor")
    page.get_by_label("Authorised by").select_option(label="Marek Manager")
    keypad = page.locator('[data-keypad-for="manager-pin"]')
    for digit in "8080":
        keypad.locator(f'.key[data-key="{digit}"]').click()
    expect(page.get_by_label("Manager PIN")).to_have_value("8080")
    keypad.get_by_role("button", name="Refund").click()

    expect(page.locator("#refund-total")).to_have_text("-£2.50")
    expect(page.locator("#refund-back")).to_have_text("Give back £2.50 in cash")
    expect(page.locator("#receipt-preview")).to_contain_text("REFUND")
    hosts = {urlsplit(url).hostname for url in page.requested}
    assert hosts == {"127.0.0.1"}
