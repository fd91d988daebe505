"""In a real browser: when the till server does not answer (the shop's network dropped), the till
says so, nothing is half-done, and the next tap once it answers again carries on."""

from __future__ import annotations

import pytest

from bakery.extensions import db
from bakery.models import Sale, Till, User
from bakery.services import demo
from bakery.services.audit import Actor
from bakery.services.till import cash
from bakery.services.till.tills import pair_device

pytestmark = pytest.mark.browser


def test_a_dropped_connection_is_said_and_the_till_carries_on_when_it_is_back(page, live_server, live_app):
    demo.load_demo_data()
    till = db.session.query(Till).filter_by(name="Counter").one()
    ada = db.session.query(User).filter_by(display_name="Ada Baker").one()
    token = pair_device(till.id, "browser", Actor(user_id=ada.id))
    cash.open_session(till.id, 5000, Actor(ada.id, till.id))
    db.session.commit()
    page.context.add_cookies([{"name": "bakery_till", "value": token, "url": live_server}])

    page.goto(live_server + "/till/")
    page.get_by_role("link", name="Ada").click()
    for digit in "1111":
        page.locator(f'.key[data-key="{digit}"]').click()
    page.get_by_role("button", name="OK").click()
    page.wait_for_url("**/till/sell")
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Viennoiserie").click()
    page.get_by_role("button", name="Croissant").click()
    page.locator("#basket").get_by_text("Croissant").wait_for()

    page.context.set_offline(True)  # the shop's Wi-Fi drops
    page.get_by_role("button", name="£5.00").click()
    page.get_by_role("alert").filter(has_text="No connection to the till server").wait_for()
    assert page.locator("#basket").get_by_text("Croissant").is_visible()
    assert db.session.query(Sale).count() == 0
    db.session.rollback()  # never hold SQLite's write lock while the browser works

    page.context.set_offline(False)  # back: the next tap goes through, and so does Pay
    page.get_by_role("button", name="One more Croissant").click()
    page.locator("#basket-total", has_text="£5.00").wait_for()
    page.get_by_role("button", name="Exact £5.00").click()
    page.locator("#change-due").wait_for()
    assert page.locator("#connection-lost").count() == 0
    db.session.rollback()
    assert db.session.query(Sale).count() == 1
