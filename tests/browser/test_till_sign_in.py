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
    page.get_by_role("heading", name="Signed in on Counter").wait_for()

    # Left alone, the till locks itself and shows the staff tiles again.
    page.get_by_role("heading", name="Who is serving?").wait_for(timeout=8_000)
    assert page.url.endswith("/till/")

    hosts = {urlsplit(url).hostname for url in page.requested}
    assert hosts == {"127.0.0.1"}
