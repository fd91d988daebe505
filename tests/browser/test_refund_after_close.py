"""In a real browser: after the members approved last year's allocation, the manager refunds a purchase
Mia made in that year; the refund counts now, in the period it happens in, and Mia's purchases page
shows it as a refund of an earlier purchase."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest

from bakery.extensions import db
from bakery.formatting import money
from bakery.services import demo

pytestmark = pytest.mark.browser


def test_a_refund_after_the_close_shows_on_the_members_purchases_page(page, live_server, live_app):
    from playwright.sync_api import expect

    from bakery.models import FinancialPeriod, Member, Product, Till, User
    from bakery.services import dividends
    from bakery.services.audit import Actor
    from bakery.services.auth.users import create_user
    from bakery.services.till import baskets, cash, checkout, order_extras
    from bakery.services.till.tills import pair_device
    from tests.app.dividends.helpers import RULES

    demo.load_demo_data()
    till = db.session.query(Till).filter_by(name="Counter").one()
    ada = db.session.query(User).filter_by(display_name="Ada Baker").one()
    rosa = db.session.query(User).filter_by(email="admin@demo.bakery.coop").one()
    mia = db.session.query(Member).filter_by(number="M-0101").one()
    croissant = db.session.query(Product).filter_by(name="Croissant").one()
    second = create_user(
        "Sam Second", "second@demo.bakery.coop", "admin", Actor(rosa.id), password="second-pass"
    )
    today = dividends.local_today()
    year = dividends.create_period(
        "Last year", today - timedelta(days=60), today - timedelta(days=2), Actor(rosa.id)
    )
    # Mia bought a croissant in that year ...
    then = datetime.combine(today - timedelta(days=10), time(11), tzinfo=UTC)
    cash.open_session(till.id, 5000, Actor(ada.id, till.id), now=then)
    who = Actor(ada.id, till.id)
    baskets.add_line(till.id, croissant.id, who)
    basket = order_extras.attach_member(till.id, "", who, member_id=mia.id)
    sale = checkout.tender(till.id, basket.key, "cash", baskets.price(basket).totals.total, who, now=then)
    receipt_no, net = sale.receipt_no, sale.total - sale.vat_total
    # ... and the general meeting has approved the year's allocation since.
    allocation = dividends.propose(year.id, RULES, Actor(rosa.id))
    dividends.approve(allocation.id, "AGM-1", today, Actor(second.id))
    token = pair_device(till.id, "browser", Actor(user_id=rosa.id))
    db.session.rollback()  # hold no SQLite lock while the browser goes on
    page.context.add_cookies([{"name": "bakery_till", "value": token, "url": live_server}])

    page.goto(live_server + "/till/")
    page.get_by_role("link", name="Ada").click()
    for digit in "1111":
        page.locator(f'.key[data-key="{digit}"]').click()
    page.get_by_role("button", name="OK").click()
    page.wait_for_url("**/till/sell")
    page.goto(live_server + f"/till/refunds?receipt={receipt_no}")
    page.get_by_role("heading", name=f"Refund from receipt {receipt_no}").wait_for()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="One more Croissant").click()
    page.get_by_label("Reason").fill("Stale")
    page.get_by_label("Authorised by").select_option(label="Marek Manager")
    keypad = page.locator('[data-keypad-for="manager-pin"]')
    for digit in "8080":
        keypad.locator(f'.key[data-key="{digit}"]').click()
    keypad.get_by_role("button", name="Refund").click()
    expect(page.locator("#refund-back")).to_contain_text("Give back")

    # The refund landed in the period that began after the close (opened for it), not in last year.
    db.session.expire_all()
    now_period = dividends.period_so_far(today).period
    assert now_period is not None and now_period.id != year.id and now_period.status == "open"
    assert now_period.starts_on == today - timedelta(days=1)
    assert db.session.get(FinancialPeriod, year.id).status == "approved"
    db.session.rollback()

    member_tab = page.context.browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    member_tab.goto(live_server + "/sign-in")
    member_tab.get_by_label("Email").fill("mia@demo.bakery.coop")
    member_tab.get_by_label("Password").fill("demo-member-pass")
    member_tab.get_by_role("button", name="Sign in").click()
    member_tab.wait_for_url(lambda url: "/sign-in" not in url)
    member_tab.goto(live_server + "/members/M-0101/purchases")
    with live_app.test_request_context():
        shown = money(-net)
    expect(member_tab.locator("#earlier-refunds")).to_contain_text("Refunds of earlier purchases")
    expect(member_tab.locator("#earlier-refunds")).to_contain_text(shown)
    expect(member_tab.locator("#purchases-total")).to_have_text(shown)
    expect(member_tab.locator("#member-purchases")).to_contain_text("refund of a purchase on")
    member_tab.context.close()
    hosts = {urlsplit(url).hostname for url in page.requested}
    assert hosts == {"127.0.0.1"}
