"""In a real browser: the office records a loss year (the shared golden case c1): the proposer
enters the loss, previews "no dividend", proposes; a second admin approves; the member with a
carried balance reads "no dividend this year" and keeps the balance in their name."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bakery.extensions import db
from tests.app.dividends.golden_coop import GoldenCoop
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(browser, live_server: str, requested: list[str], email: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
    context.on("request", lambda request: requested.append(request.url))
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(live_server + "/sign-in")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(lambda url: "/sign-in" not in url)
    tab.get_by_role("button", name="Sign out").wait_for()
    return tab


def test_a_loss_year_is_previewed_proposed_approved_and_told_to_members(live_app, live_server):
    if CHROMIUM is None:
        pytest.skip("no system Chromium installed (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    coop = GoldenCoop(password=PASSWORD)
    coop.allocate_2022()
    proposer, approver_email = coop.proposer.email, coop.approver.email
    member_email = coop.members["W-0017"].user.email
    db.session.remove()  # the live server's requests must not wait for this test's transaction
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            admin = _sign_in(browser, live_server, requested, proposer)
            admin.get_by_role("link", name="Dividends", exact=True).click()
            admin.get_by_role("link", name="2023", exact=True).click()
            assert admin.get_by_label("Reserve balance before this period").input_value() == "900.00"
            admin.get_by_label("Surplus for the period").fill("-1500.00")
            admin.get_by_role("button", name="Preview").click()
            preview = admin.locator("#allocation-preview")
            preview.wait_for()
            assert "No dividend this year: the co-op made a loss of £1,500.00." in preview.inner_text()
            totals = admin.locator("#allocation-totals").inner_text()
            assert "£900.00" in totals and "£600.00" in totals and "every penny ✓" in totals
            assert "-£" not in admin.locator("#member-lines").inner_text()
            preview.get_by_role("button", name="Propose this allocation").click()
            admin.get_by_text("Allocation proposed.").wait_for()
            allocation_path = urlsplit(admin.url).path
            admin.context.close()

            approver = _sign_in(browser, live_server, requested, approver_email)
            approver.goto(live_server + allocation_path)
            approver.get_by_label("General meeting resolution reference").fill("AGM-2024/2")
            approver.get_by_label("Date of the resolution").fill("2024-03-01")
            approver.get_by_role("button", name="Approve and lock the period").click()
            approver.get_by_text("Allocation approved").wait_for()
            line = approver.locator("#member-lines tr", has_text="W-0017")
            assert line.get_by_role("link", name="Statement").count() == 1
            assert "£4.93" in line.inner_text()
            approver.get_by_role("link", name="Payouts").click()
            approver.get_by_text("No dividend this year: the co-op made a loss of £1,500.00").wait_for()
            approver.context.close()

            member = _sign_in(browser, live_server, requested, member_email)
            member.goto(live_server + "/members/W-0017/statements")
            row = member.locator("#member-statements tr", has_text="approved").first
            assert "2023" in row.inner_text() and "£4.93" in row.inner_text()
            note = member.locator("#member-statements .statement-note").inner_text()
            assert "2023: no dividend this year: the co-op made a loss of £1,500.00." in note
            member.context.close()
        finally:
            browser.close()
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in requested)
