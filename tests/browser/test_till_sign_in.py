"""In a real browser: pair a tablet, PIN in on the keypad, and the idle lock."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bakery.extensions import db
from bakery.services import demo
from bakery.services.settings import current_settings

pytestmark = pytest.mark.browser


def test_pair_a_till_pin_in_idle_lock_and_nothing_leaves_localhost(page, live_server, live_app):
    demo.load_demo_data()
    shop = current_settings()
    shop.till_idle_seconds = 3  # below the form's minimum, so the test need not wait minutes
    db.session.commit()

    page.goto(live_server + "/till/")
    page.get_by_text("This tablet is not a till yet").wait_for()
    page.get_by_role("link", name="Manager sign-in").click()
    page.get_by_label("Email").fill("manager@demo.bakery.coop")
    page.get_by_label("Password").fill("demo-manager-pass")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Tills").wait_for()
    page.locator("tr", has_text="Counter").get_by_role("button", name="Pair this tablet").click()

    page.get_by_role("heading", name="Who is serving?").wait_for()
    page.get_by_role("link", name="Ada").click()
    page.get_by_text("Ada, enter your PIN").wait_for()
    for digit in "1119":
        page.locator(".key", has_text=digit).first.click()
    page.get_by_role("button", name="OK").click()
    page.get_by_text("Wrong PIN").wait_for()

    page.locator(".key", has_text="Clear").click()
    for digit in "1111":
        page.locator(f'.key[data-key="{digit}"]').click()
    page.get_by_role("button", name="OK").click()
    page.wait_for_url("**/till/sell")
    page.wait_for_load_state("load")  # htmx and our JS are deferred
    page.get_by_role("heading", name="Open Counter").wait_for()

    # Left alone, the till locks itself and shows the staff tiles again.
    page.get_by_role("heading", name="Who is serving?").wait_for(timeout=8_000)
    assert page.url.endswith("/till/")

    hosts = {urlsplit(url).hostname for url in page.requested}
    assert hosts == {"127.0.0.1"}


def test_ring_up_with_a_modifier_pay_cash_and_see_the_change(page, live_server, live_app):
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
    page.get_by_role("button", name="Croissant").click()
    page.locator("#basket").get_by_text("Croissant").wait_for()
    assert page.locator("#basket-total").inner_text() == "£2.50"

    page.get_by_role("link", name="Hot drinks").click()
    page.get_by_role("button", name="Latte").click()
    page.get_by_label("Large").check()
    page.get_by_label("Oat milk").check()
    page.get_by_role("button", name="Add to order").click()
    page.locator("#basket").get_by_text("Latte · Large · Oat milk").wait_for()
    assert page.locator("#basket-total").inner_text() == "£6.60"
    assert page.locator("#picker").inner_html().strip() == ""

    # Mia is a customer member: the sale counts for her, with her class's 5% discount.
    page.get_by_label("Member number").fill("M-0101")
    page.locator("#basket").get_by_role("button", name="Member").click()
    page.locator("#basket").get_by_text("Mia Member").wait_for()
    assert page.locator("#basket-total").inner_text() == "£6.27"

    page.get_by_role("button", name="£10.00").click()
    page.locator("#change-due").wait_for()
    assert "£3.73" in page.locator("#change-due").inner_text()
    assert "Chain" in page.locator("#receipt-preview").inner_text()

    page.get_by_role("button", name="New order").click()
    page.get_by_text("Tap a product to start an order.").wait_for()
    hosts = {urlsplit(url).hostname for url in page.requested}
    assert hosts == {"127.0.0.1"}
