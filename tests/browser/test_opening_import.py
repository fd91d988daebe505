"""In a real browser: an admin uploads the old system's CSV of opening balances, sees a refusal
naming the row for a file that does not add up, then the preview per member and the totals of a
good one, confirms it, and the period's page shows what was imported."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bakery.extensions import db
from tests.app.dividends.helpers import Coop
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

HEADER = "member_number,date,purchases_net_of_vat,approved_hours"


def test_an_admin_uploads_previews_and_confirms_opening_balances(live_app, live_server, tmp_path):
    if CHROMIUM is None:
        pytest.skip("no system Chromium installed (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    from tests.factories import make_user

    coop = Coop()
    admin = make_user("admin", name="Olive Opening", password="opening-admin-pass")
    email, period_id = admin.email, coop.period.id
    db.session.remove()
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nC-001,2025-03-31,12.50,0\nC-999,2025-03-31,1.00,0\nTOTAL,,13.50,0\n")
    good = tmp_path / "opening.csv"
    good.write_text(f"{HEADER}\nC-001,2025-03-31,123.45,0\nW-002,2025-03-31,0,10:30\nTOTAL,,123.45,10:30\n")
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.on("request", lambda request: requested.append(request.url))
            tab = context.new_page()
            tab.set_default_timeout(10_000)
            tab.goto(live_server + "/sign-in")
            tab.get_by_label("Email").fill(email)
            tab.get_by_label("Password").fill("opening-admin-pass")
            tab.get_by_role("button", name="Sign in").click()
            tab.get_by_role("button", name="Sign out").wait_for()
            tab.goto(f"{live_server}/admin/dividends/periods/{period_id}")
            tab.get_by_role("link", name="Opening balances from the old system").click()

            tab.get_by_label("CSV file from the old system").set_input_files(str(bad))
            tab.get_by_role("button", name="Check the file").click()
            tab.locator("#opening-error").get_by_text("Row 3: there is no member C-999.").wait_for()

            tab.get_by_label("CSV file from the old system").set_input_files(str(good))
            tab.get_by_role("button", name="Check the file").click()
            tab.get_by_role("heading", name="Check the opening balances").wait_for()
            members = tab.locator("#opening-members").inner_text()
            assert "C-001 · Cat" in members and "£123.45" in members
            assert "W-002 · Ben" in members and "10 h 30 min" in members
            assert "£123.45" in tab.locator("#opening-total-purchases").inner_text()
            tab.get_by_role("button", name="Import these opening balances").click()
            tab.get_by_text("Imported 2 rows for 2 members from opening.csv").wait_for()
            imported = tab.locator("#opening-active").inner_text()
            assert "£123.45" in imported and "10 h 30 min" in imported
            context.close()
        finally:
            browser.close()
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in requested)
