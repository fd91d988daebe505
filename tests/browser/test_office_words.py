"""In a real browser: the audit log tells what just happened in a sentence, and the member's
"Something wrong?" control is big enough to tap on a phone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bakery.services import demo

pytestmark = pytest.mark.browser


def _sign_in(page, live_server: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def test_a_role_change_appears_in_the_audit_log_as_a_sentence(page, live_server, live_app):  # type: ignore[no-untyped-def]
    demo.load_demo_data()
    _sign_in(page, live_server, "admin@demo.bakery.coop", "demo-admin-pass")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name="Marek Manager").click()
    page.get_by_label("Role").select_option("staff")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="Audit log", exact=True).click()
    sentence = page.locator(".audit-log td.sentence").first
    assert sentence.inner_text() == "Rosa Admin changed Marek Manager's role from manager to staff"
    page.get_by_label("What").select_option(label="Sign-ins")
    page.get_by_role("button", name="Filter").click()
    page.locator(".audit-log").wait_for()
    texts = page.locator(".audit-log td.sentence").all_inner_texts()
    assert texts and all("signed in" in text for text in texts)
    assert "Rosa Admin signed in with a password" in texts
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in page.requested)


def test_something_wrong_is_a_44_pixel_target_on_a_phone(page, live_server, live_app):  # type: ignore[no-untyped-def]
    demo.load_demo_data()
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "ada@demo.bakery.coop", "demo-member-pass")
    page.goto(live_server + "/me/hours")
    control = page.get_by_text("Something wrong?").first
    box = control.bounding_box()
    assert box is not None and box["height"] >= 44
    control.click()
    assert page.get_by_label("What is wrong? (up to 280 characters)").first.is_visible()
