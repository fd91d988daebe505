"""In a real browser: the till on a phone and on tablets. The product grid keeps full-size tiles
with the printer panel open, product names wrap between words (a word is split only when it alone
is wider than its tile), and the top bars keep the till, the person and Lock / Sign out on screen,
with their other links in a Menu that opens by touch and by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bakery.extensions import db
from bakery.models import Printer, Product, Till, User
from bakery.services import demo
from bakery.services.audit import Actor
from bakery.services.till import cash
from bakery.services.till.tills import pair_device
from tests.browser.test_till_layout import SIZES, assert_on_screen, fill_basket

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LONG_NAMES = ("Sourdough loaf", "Wholemeal sourdough sandwich loaf with toasted seeds")
OVERLONG = "Extraordinarilylongproductnamewithoutspaces"

BOX = (
    "(e) => { const r = e.getBoundingClientRect();"
    " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height}; }"
)

# The part of the element one can see and tap: its box clipped by every scrolling ancestor and the
# viewport.
VISIBLE = """(e) => {
  const r = e.getBoundingClientRect();
  let top = r.top, bottom = r.bottom, left = r.left, right = r.right;
  for (let a = e.parentElement; a; a = a.parentElement) {
    const style = getComputedStyle(a);
    if (style.overflowX === "visible" && style.overflowY === "visible") continue;
    const q = a.getBoundingClientRect();
    top = Math.max(top, q.top); bottom = Math.min(bottom, q.bottom);
    left = Math.max(left, q.left); right = Math.min(right, q.right);
  }
  top = Math.max(top, 0); bottom = Math.min(bottom, innerHeight);
  left = Math.max(left, 0); right = Math.min(right, innerWidth);
  const height = Math.max(0, bottom - top), width = Math.max(0, right - left);
  const hit = height && width ? document.elementFromPoint((left + right) / 2, (top + bottom) / 2) : null;
  return {height, width, tappable: !!hit && e.contains(hit)};
}"""

# Each word of the element's text, with how many line boxes it is drawn on (1 unless it was split).
WORD_LINES = """(e) => {
  const words = [];
  const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      words.push({word: match[0], lines: tops.size});
    }
  }
  return words;
}"""


def _signed_in_till(page, live_server, *, names=(), printer_offline=False, lines=0):  # type: ignore[no-untyped-def]
    """Ada signed in on the paired Counter till, with some products renamed and `lines` lines."""
    demo.load_demo_data()
    till = db.session.query(Till).filter_by(name="Counter").one()
    ada = db.session.query(User).filter_by(display_name="Ada Baker").one()
    till_id, ada_id = till.id, ada.id
    products = db.session.query(Product).filter_by(active=True).order_by(Product.id).all()
    simple = [p for p in products if not p.variants and not p.modifier_groups]
    for product in products:
        product.on_hand = 10_000
    for product, name in zip(simple, names, strict=False):
        product.name = name
    if printer_offline:
        for printer in db.session.query(Printer).all():
            printer.state = "offline"
            printer.last_error = "Connection refused (192.168.1.50:9100)"
    db.session.commit()
    token = pair_device(till_id, "browser", Actor(user_id=ada_id))
    cash.open_session(till_id, 5000, Actor(ada_id, till_id))
    db.session.remove()
    if lines:
        fill_basket(till_id, ada_id, lines)
    page.context.add_cookies([{"name": "bakery_till", "value": token, "url": live_server}])
    page.goto(live_server + "/till/")
    page.get_by_role("link", name="Ada").click()
    for digit in "1111":
        page.locator(f'.key[data-key="{digit}"]').click()
    page.get_by_role("button", name="OK").click()
    page.wait_for_url("**/till/sell")
    page.wait_for_load_state("load")


def test_the_product_grid_keeps_full_size_tiles_with_the_printer_panel_open_on_a_phone(
    page, live_server, live_app
):
    page.set_viewport_size(PHONE)
    _signed_in_till(page, live_server, printer_offline=True, lines=12)
    for reload in range(2):
        if reload:
            page.reload()
            page.wait_for_load_state("load")
        panel = page.locator("#printer-status")
        expect(panel).to_have_attribute("open", "")
        expect(panel).to_contain_text("Offline")
        page.wait_for_timeout(200)
        for tile in page.locator("#products .product").all()[:2]:
            seen = tile.evaluate(VISIBLE)
            assert seen["height"] >= 60 and seen["width"] >= 110, f"a tile is squashed or hidden: {seen}"
            assert seen["tappable"], "a tile is covered"
        tile = page.locator("#products .product").first
        assert page.evaluate("document.documentElement.scrollHeight") <= 844
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        basket = page.locator("#basket")
        for name in ("Cash", "Card"):
            assert_on_screen(
                name, basket.get_by_role("button", name=name, exact=True).evaluate(BOX), 390, 844
            )
        assert_on_screen("the total", page.locator("#basket-grand").evaluate(BOX), 390, 844)
        assert_on_screen("the printer's state", panel.locator("summary").evaluate(BOX), 390, 844)
        # The tile still adds to the order when tapped.
        total = page.locator("#basket-grand").inner_text()
        tile.click()
        expect(page.locator("#basket-grand")).not_to_have_text(total)


def test_product_names_wrap_between_words_on_tiles_and_order_lines(page, live_server, live_app):
    _signed_in_till(page, live_server, names=(*LONG_NAMES, OVERLONG))
    for name in (*LONG_NAMES, OVERLONG):
        page.locator("#products").get_by_role("button", name=name).click()
        expect(page.locator("#basket .line-name", has_text=name)).to_have_count(1)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        where = f"at {width}x{height}"
        for name in LONG_NAMES:
            tile = page.locator("#products").get_by_role("button", name=name)
            title = tile.locator(".product-name")
            line = page.locator("#basket .line-name", has_text=name)
            for what, element in (("tile", title), ("order line", line)):
                for word in element.evaluate(WORD_LINES):
                    assert word["lines"] == 1, f"{word['word']!r} is split on the {what} of {name!r} {where}"
            assert tile.evaluate("(e) => e.scrollWidth <= e.clientWidth"), (
                f"{name!r} overflows its tile {where}"
            )
        # A word longer than its tile breaks at the tile's edge and is shown smaller: nothing overflows.
        tile = page.locator("#products").get_by_role("button", name=OVERLONG)
        assert tile.evaluate("(e) => e.scrollWidth <= e.clientWidth"), f"{OVERLONG!r} overflows {where}"
        small = tile.locator(".product-name").evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
        usual = page.locator("#products").get_by_role("button", name=LONG_NAMES[0]).locator(".product-name")
        assert small < usual.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)"), where
        assert page.evaluate("document.documentElement.scrollWidth") <= width, where


def test_the_till_bar_on_a_phone_keeps_lock_on_screen_and_its_menu_opens_by_touch_and_keys(
    page, live_server, live_app
):
    page.set_viewport_size(PHONE)
    _signed_in_till(page, live_server, lines=3)
    bar = page.locator("#till-status")
    for text in ("Counter", "Ada"):
        assert_on_screen(text, bar.get_by_text(text, exact=True).evaluate(BOX), 390, 844)
    assert_on_screen("Lock / switch", bar.get_by_role("button", name="Lock / switch").evaluate(BOX), 390, 844)
    assert bar.evaluate("(e) => e.scrollWidth <= e.clientWidth")

    menu = bar.get_by_role("button", name="Menu")
    refunds = bar.get_by_role("link", name="Refunds")
    expect(refunds).to_be_hidden()
    menu.tap()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(refunds).to_be_visible()
    for name in ("Refunds", "Cash"):
        link = bar.get_by_role("link", name=name)
        box = link.evaluate(BOX)
        assert_on_screen(name, box, 390, 844)
        assert box["height"] >= 44, f"{name} is too small to tap"
    page.keyboard.press("Escape")
    expect(refunds).to_be_hidden()
    expect(menu).to_be_focused()

    page.keyboard.press("Enter")
    expect(refunds).to_be_visible()
    expect(refunds).to_be_focused()
    page.keyboard.press("Tab")
    expect(bar.get_by_role("link", name="Cash")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/till/cash**")

    # On a tablet the links are in the bar itself, with no Menu button.
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(live_server + "/till/sell")
    expect(page.locator("#till-status").get_by_role("link", name="Refunds")).to_be_visible()
    expect(page.locator("#till-status").get_by_role("button", name="Menu")).to_be_hidden()


def test_the_office_bar_on_a_phone_keeps_sign_out_on_screen_and_every_link_in_its_menu(
    page, live_server, live_app
):
    demo.load_demo_data()
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/sign-in")
    page.get_by_label("Email").fill("admin@demo.bakery.coop")
    page.get_by_label("Password").fill("demo-admin-pass")
    page.get_by_role("button", name="Sign in").click()
    bar = page.locator("header.topbar")
    sign_out = bar.get_by_role("button", name="Sign out")
    sign_out.wait_for()
    assert_on_screen("Sign out", sign_out.evaluate(BOX), 390, 844)
    assert_on_screen("the shop's name", bar.locator(".brand").evaluate(BOX), 390, 844)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    menu = bar.get_by_role("button", name="Menu")
    menu.tap()
    office = bar.get_by_role("navigation", name="Office")
    for name in (
        "Office",
        "Tills",
        "Products",
        "Stock",
        "Bake plan",
        "Reports",
        "Rota",
        "Timesheets",
        "Members",
        "Audit log",
        "Users",
        "Settings",
        "Printers",
        "Dividends",
    ):
        link = office.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert_on_screen(name, link.evaluate(BOX), 390, 844)
    office.get_by_role("link", name="Dividends", exact=True).tap()
    page.wait_for_url("**/dividends**")
    expect(page.locator("header.topbar").get_by_role("link", name="Dividends", exact=True)).to_be_hidden()
