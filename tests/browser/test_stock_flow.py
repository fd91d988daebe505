"""In a real browser: flour comes in, a batch of sourdough is baked, the till sells two loaves,
the rest is written off at the end of the day, and each step shows in the stockroom."""

from __future__ import annotations

import pytest

from bakery.extensions import db
from bakery.services import demo

pytestmark = pytest.mark.browser


def test_delivery_bake_sell_and_waste_the_rest(page, live_server, live_app):
    from playwright.sync_api import expect

    from bakery.models import Product, StockItem, Till, User
    from bakery.services.audit import Actor
    from bakery.services.till import cash
    from bakery.services.till.tills import pair_device

    demo.load_demo_data()
    demo.load_demo_stock()
    till = db.session.query(Till).filter_by(name="Counter").one()
    ada = db.session.query(User).filter_by(display_name="Ada Baker").one()
    token = pair_device(till.id, "browser", Actor(user_id=ada.id))
    cash.open_session(till.id, 5000, Actor(ada.id, till.id))
    flour = db.session.query(StockItem).filter_by(name="Strong white flour").one()
    loaf = db.session.query(Product).filter_by(name="Sourdough loaf").one()
    flour_before, loaves_before = flour.on_hand, loaf.on_hand
    db.session.rollback()  # hold no SQLite lock while the browser goes on

    office = page.context.browser.new_context(
        viewport={"width": 1280, "height": 800}, has_touch=True
    ).new_page()
    office.set_default_timeout(10_000)
    office.goto(live_server + "/sign-in")
    office.get_by_label("Email").fill("manager@demo.bakery.coop")
    office.get_by_label("Password").fill("demo-manager-pass")
    office.get_by_role("button", name="Sign in").click()
    office.get_by_role("button", name="Sign out").wait_for()

    # 1. Goods in: one 16 kg sack of flour.
    office.get_by_role("link", name="Stock", exact=True).click()
    office.get_by_role("link", name="Deliveries").click()
    office.get_by_role("link", name="Record a delivery").click()
    office.get_by_label("Line 1 item").select_option(label="Strong white flour")
    office.get_by_label("Line 1 unit").select_option(label="Strong white flour: 16 kg sack")
    office.get_by_label("Line 1 how many").fill("1")
    office.get_by_label("Line 1 cost").fill("12.90")
    office.get_by_label("Line 1 lot code").fill("SM-2291")
    office.get_by_role("button", name="Put the delivery into stock").click()
    expect(office.get_by_text("1 lines into stock")).to_be_visible()
    expect(office.get_by_role("cell", name="SM-2291")).to_be_visible()

    # 2. A batch of six sourdough loaves: the flour leaves stock, the loaves arrive.
    office.get_by_role("link", name="Bakes").click()
    office.get_by_label("Product", exact=True).select_option(label="Sourdough loaf")
    office.get_by_label("How many baked").fill("6")
    office.get_by_role("button", name="Record the bake").click()
    expect(office.get_by_text("6 Sourdough loaf baked: batch")).to_be_visible()
    # The batch's PPDS label: full ingredients with the allergen emphasised, best-before and batch.
    office.get_by_role("link", name="Print labels for batch").first.click()
    office.get_by_role("heading", name="Labels: Sourdough loaf").wait_for()
    expect(office.locator(".label-preview strong", has_text="Wheat")).to_be_visible()
    office.get_by_role("link", name="Stock", exact=True).click()
    db.session.expire_all()
    flour = db.session.get(StockItem, flour.id)
    assert flour.on_hand == flour_before + 16_000 - 6 * 540
    assert db.session.get(Product, loaf.id).on_hand == loaves_before + 6
    db.session.rollback()

    # 3. The till sells two loaves.
    page.context.add_cookies([{"name": "bakery_till", "value": token, "url": live_server}])
    page.goto(live_server + "/till/")
    page.get_by_role("link", name="Ada").click()
    for digit in "1111":
        page.locator(f'.key[data-key="{digit}"]').click()
    page.get_by_role("button", name="OK").click()
    page.wait_for_url("**/till/sell")
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Breads").click()
    page.locator("#products").get_by_role("button", name="Sourdough loaf").click()
    page.locator("#products").get_by_role("button", name="Sourdough loaf").click()
    expect(page.locator("#basket-total")).to_have_text("£9.00")
    page.get_by_role("button", name="£10.00").click()
    expect(page.locator("#change-due")).to_contain_text("£1.00")
    left = loaves_before + 6 - 2

    # 4. End of day: the rest is unsold and written off; the stockroom shows it.
    office.get_by_role("link", name="Waste and donations").click()
    office.get_by_label("What").select_option(label=f"Sourdough loaf ({left} left)")
    office.get_by_label("How many (or how much)").fill(str(left))
    office.get_by_label("Why it was wasted").select_option(label="Unsold at close")
    office.get_by_role("button", name="Record").click()
    expect(office.get_by_text("Waste recorded.")).to_be_visible()
    expect(office.locator("table").get_by_role("cell", name="Unsold at close")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Product, loaf.id).on_hand == 0
    # 5. Sell-through shows the day: baked, sold and wasted loaves.
    office.goto(live_server + "/office/bake-plan/sell-through")
    row = office.locator(".sell-through-table").first.get_by_role("row", name="Sourdough loaf")
    expect(row.locator("td").nth(1)).to_have_text(str(30))  # this morning's 24 and our 6
    expect(row.locator("td").nth(2)).to_have_text("2")
    expect(row.locator("td").nth(5)).to_have_text(str(left))
    office.get_by_role("link", name="Stock", exact=True).click()
    office.get_by_role("link", name="Stock items").click()
    expect(office.get_by_role("row", name="Strong white flour")).to_contain_text("kg")
    office.context.close()
