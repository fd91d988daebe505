"""In a real browser: the till fits every screen. With 1, 12 or 30 lines in the basket the total,
the quick tenders, Cash and Card stay on screen without scrolling, and after Pay so do the change
due, Print receipt, No receipt, Show QR and New order; the page never scrolls sideways, and the PIN
pad's and the clock pad's 0 and OK are on screen."""

from __future__ import annotations

import pytest

from bakery.extensions import db
from bakery.models import Basket, BasketLine, Product, Till, User
from bakery.services import demo
from bakery.services.audit import Actor
from bakery.services.till import baskets, cash
from bakery.services.till.tills import pair_device

pytestmark = pytest.mark.browser

SIZES = [(1280, 800), (800, 1280), (1024, 768), (390, 844)]
LINE_COUNTS = [1, 12, 30]

MEASURE = """() => {
  const box = (selector) => {
    const element = document.querySelector(selector);
    if (!element) return null;
    const r = element.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height};
  };
  const cash = [...document.querySelectorAll('.pay-buttons button')].find((b) => b.textContent.trim() === 'Cash');
  const card = [...document.querySelectorAll('.pay-buttons button')].find((b) => b.textContent.trim() === 'Card');
  const boxOf = (element) => { const r = element.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height}; };
  return {
    width: innerWidth, height: innerHeight,
    scrollWidth: document.documentElement.scrollWidth, scrollHeight: document.documentElement.scrollHeight,
    lines: document.querySelectorAll('#basket .line').length,
    total: box('#basket-grand'), tenders: [...document.querySelectorAll('.quick .tender')].map(boxOf),
    cash: cash && boxOf(cash), card: card && boxOf(card), discount: box('.basket-foot .btn'),
    removes: [...document.querySelectorAll('#basket .line > .qty')].slice(0, 3).map(boxOf),
    products: box('#products .product'),
  };
}"""


def fill_basket(till_id: int, user_id: int, count: int) -> None:
    """Give the till's open basket `count` separate lines (written straight to the database)."""
    products = db.session.query(Product).filter_by(active=True).order_by(Product.id).all()
    simple = [p for p in products if not p.variants and not p.modifier_groups] or products
    basket = db.session.query(Basket).filter_by(till_id=till_id, status="open").one_or_none()
    if basket is None:
        basket = baskets.add_line(till_id, simple[0].id, Actor(user_id, till_id))
    basket.lines.clear()
    db.session.flush()
    for i in range(count):
        basket.lines.append(BasketLine(product_id=simple[i % len(simple)].id, qty=1 + i % 3, option_ids=""))
    db.session.commit()
    db.session.remove()  # hold no SQLite lock while the browser reads


def assert_on_screen(what: str, box: dict | None, width: int, height: int) -> None:
    """The element is there, has a size, and lies wholly inside the viewport."""
    assert box is not None, f"{what} is missing"
    assert box["width"] > 0 and box["height"] > 0, f"{what} is not shown"
    assert box["top"] >= 0 and box["bottom"] <= height + 0.5, f"{what} is off screen vertically: {box}"
    assert box["left"] >= 0 and box["right"] <= width + 0.5, f"{what} is off screen sideways: {box}"


def test_the_till_fits_every_screen_with_1_12_and_30_lines(page, live_server, live_app):
    demo.load_demo_data()
    till = db.session.query(Till).filter_by(name="Counter").one()
    ada = db.session.query(User).filter_by(display_name="Ada Baker").one()
    till_id, ada_id = till.id, ada.id
    for product in db.session.query(Product).all():
        product.on_hand = 10_000  # every size and count below is also paid for
    db.session.commit()
    token = pair_device(till_id, "browser", Actor(user_id=ada_id))
    cash.open_session(till_id, 5000, Actor(ada_id, till_id))
    db.session.remove()
    page.context.add_cookies([{"name": "bakery_till", "value": token, "url": live_server}])

    # The PIN pad: 0 and OK on screen at every size, as the names page shows it; the clock pad too.
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server + "/till/clock")
        page.get_by_role("link", name="Ben").click()
        page.locator("#clock-pad .key-go, #clock-pad button[type=submit]").last.wait_for()
        for selector in ('#clock-pad .key[data-key="0"]', "#clock-pad button[type=submit]"):
            box = page.locator(selector).last.evaluate(
                "(e) => { const r = e.getBoundingClientRect();"
                " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height}; }"
            )
            assert_on_screen(f"{selector} at {width}x{height}", box, width, height)
        page.goto(live_server + "/till/")
        page.get_by_role("link", name="Ada").click()
        page.locator("#pin-pad .key-go").wait_for()
        page.wait_for_timeout(50)
        for selector in ('#pin-pad .key[data-key="0"]', "#pin-pad .key-go"):
            box = page.locator(selector).evaluate(
                "(e) => { const r = e.getBoundingClientRect();"
                " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height}; }"
            )
            assert_on_screen(f"{selector} at {width}x{height}", box, width, height)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    for digit in "1111":
        page.locator(f'.key[data-key="{digit}"]').click()
    page.get_by_role("button", name="OK").click()
    page.wait_for_url("**/till/sell")

    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for count in LINE_COUNTS:
            fill_basket(till_id, ada_id, count)
            page.goto(live_server + "/till/sell")
            page.wait_for_load_state("load")
            seen = page.evaluate(MEASURE)
            where = f"{count} lines at {width}x{height}"
            assert seen["lines"] == count, where
            assert seen["scrollWidth"] <= width, f"the page scrolls sideways with {where}"
            assert seen["scrollHeight"] <= height, f"the page scrolls with {where}"
            assert_on_screen(f"the total with {where}", seen["total"], width, height)
            assert seen["tenders"], where
            for tender in seen["tenders"]:
                assert_on_screen(f"a quick tender with {where}", tender, width, height)
            assert_on_screen(f"Cash with {where}", seen["cash"], width, height)
            assert_on_screen(f"Card with {where}", seen["card"], width, height)
            assert_on_screen(f"Discount with {where}", seen["discount"], width, height)
            assert_on_screen(f"the first product with {where}", seen["products"], width, height)
            for remove in seen["removes"]:
                assert remove["right"] <= width, f"a line's remove button is cut off with {where}"

            # After Pay: the change due, the receipt choice and New order on screen, no scrolling.
            page.get_by_role("button", name="Card").click()
            page.locator("#change-due").wait_for()
            assert page.evaluate("document.documentElement.scrollHeight") <= height, f"paid, {where}"
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"paid, {where}"
            for name in ("Print receipt", "No receipt", "Show QR", "New order"):
                box = page.get_by_role("button", name=name).bounding_box()
                assert box is not None and box["height"] >= 44, f"{name} is too small, paid, {where}"
                box = {**box, "top": box["y"], "left": box["x"]}
                box |= {"bottom": box["y"] + box["height"], "right": box["x"] + box["width"]}
                assert_on_screen(f"{name} after Pay with {where}", box, width, height)
            assert_on_screen(
                f"the change due with {where}",
                page.evaluate(
                    "(() => { const r = document.querySelector('#change-due').getBoundingClientRect();"
                    " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height}; })()"
                ),
                width,
                height,
            )
