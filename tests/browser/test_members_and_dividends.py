"""In a real browser on the demo data, the issue's walk from the till to a member's statement:
Ada clocks in and out at the till, a manager approves the entry, Ada sees it in her hours, an admin
proposes an allocation that a second admin approves, and Ada downloads her dividend statement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from bakery.domain.clock import business_date
from bakery.domain.hours import week_start
from bakery.extensions import db
from bakery.models import Allocation, AllocationLine, Member, Till, User
from bakery.services import demo
from bakery.services.audit import Actor
from bakery.services.auth.users import create_user
from bakery.services.dividends import allocations, financial_periods, local_today
from bakery.services.members import hours
from bakery.services.settings import current_settings
from bakery.services.till.tills import pair_device

pytestmark = pytest.mark.browser

SECOND_ADMIN = ("Sam Second", "second-admin@demo.bakery.coop", "second-admin-pass")


def _new_page(browser, requested: list[str]):  # type: ignore[no-untyped-def]
    """A fresh browser context (no cookies) whose every request URL is recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
    context.on("request", lambda request: requested.append(request.url))
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    return tab


def _sign_in(browser, live_server: str, requested: list[str], email: str, password: str):  # type: ignore[no-untyped-def]
    """Sign in through /sign-in in a fresh context, as a person would."""
    tab = _new_page(browser, requested)
    tab.goto(live_server + "/sign-in")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(password)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(lambda url: "/sign-in" not in url)
    tab.wait_for_load_state("load")  # htmx and our JS are deferred
    tab.get_by_role("button", name="Sign out").wait_for()
    return tab


def _clock(page, action: str) -> None:  # type: ignore[no-untyped-def]
    """On the till's clock screen: tap Ada, enter her PIN, and clock in or out."""
    page.get_by_role("link", name="Ada").click()
    page.get_by_role("heading", name=f"Ada, clock {action}").wait_for()
    for digit in "1111":
        page.locator(f'.key[data-key="{digit}"]').click()
    page.get_by_role("button", name=f"Clock {action}").click()
    page.locator("#clock-done").get_by_text(f"Ada clocked {action} at").wait_for()


def test_clock_in_approve_hours_member_sees_them_allocation_approved_statement_downloaded(
    page, live_server, live_app, monkeypatch
):
    demo.load_demo_data()
    timezone = current_settings().timezone
    till = db.session.query(Till).filter_by(name="Counter").one()
    ada = db.session.query(User).filter_by(display_name="Ada Baker").one()
    rosa = db.session.query(User).filter_by(email="admin@demo.bakery.coop").one()
    ada_id, rosa_id = ada.id, rosa.id
    ada_member = db.session.query(Member).filter_by(number="M-0001").one()
    ada_member_id = ada_member.id
    token = pair_device(till.id, "browser", Actor(user_id=rosa_id))
    db.session.rollback()  # hold no SQLite lock while the browser goes on
    page.context.add_cookies([{"name": "bakery_till", "value": token, "url": live_server}])
    browser = page.context.browser
    requested: list[str] = page.requested  # every context below adds to the till's list
    opened = [page]

    try:
        # 1. At the paired Counter till: Ada clocks in with her PIN.
        page.goto(live_server + "/till/")
        page.get_by_role("heading", name="Who is serving?").wait_for()
        page.get_by_role("link", name="Clock in / out").click()
        page.get_by_role("heading", name="Clock in or out").wait_for()
        page.wait_for_load_state("load")  # htmx and our JS are deferred
        _clock(page, "in")
        assert "Have a good shift." in page.locator("#clock-done").inner_text()

        entry = hours.open_entry(ada_id)
        assert entry is not None and entry.clock_out is None
        entry_id = entry.id
        # Clocking out a second later would be refused ("Clock-out must be after clock-in") or
        # make a 0-minute shift that earns no patronage, so the shift is moved to have started
        # an hour earlier in the database before Ada clocks out.
        entry.clock_in = entry.clock_in - timedelta(hours=1)
        entry_week = week_start(business_date(entry.clock_in, timezone))
        this_week = week_start(local_today())
        db.session.commit()  # and so release SQLite's lock for the live server

        page.get_by_role("link", name="Clock in or out someone else").click()
        page.get_by_role("heading", name="Clock in or out").wait_for()
        page.wait_for_load_state("load")
        page.locator("#clock-tiles").get_by_text("in since").wait_for()
        _clock(page, "out")
        assert "1 h worked" in page.locator("#clock-done").inner_text()

        # 2. The manager approves Ada's new entry on this week's timesheet.
        manager = _sign_in(browser, live_server, requested, "manager@demo.bakery.coop", "demo-manager-pass")
        opened.append(manager)
        manager.get_by_role("link", name="Timesheets", exact=True).click()
        manager.get_by_role("heading", name="Timesheets").wait_for()
        manager.wait_for_load_state("load")
        if entry_week != this_week:  # an hour back crossed into last week
            manager.get_by_role("link", name="← Previous week").click()
            manager.wait_for_load_state("load")
        row = manager.locator(f"#entry-{entry_id}")
        assert row.locator("td").nth(5).inner_text().strip() == "to approve"
        assert row.locator("td").nth(4).inner_text().strip() == "1 h"
        row.get_by_role("button", name="Approve", exact=True).click()
        manager.locator(f"#person-{ada_id}").get_by_text("Entry approved.").wait_for()
        row = manager.locator(f"#entry-{entry_id}")
        assert row.locator("td").nth(5).inner_text().strip() == "approved"
        assert row.get_by_role("button", name="Approve", exact=True).count() == 0
        manager.context.close()

        # 3. Ada signs in and sees the approved entry in her hours.
        member = _sign_in(browser, live_server, requested, "ada@demo.bakery.coop", "demo-member-pass")
        opened.append(member)
        member.get_by_role("link", name="My hours").click()
        member.get_by_role("heading", name="My hours").wait_for()
        card = member.locator(f"#hours-entry-{entry_id}")
        facts = card.locator("dd")
        assert facts.nth(3).inner_text().strip() == "1 h"
        assert facts.nth(4).inner_text().strip() == "approved"
        member.context.close()

        # 4. An admin adds a period covering today and closes it early, on today ...
        second = create_user(
            SECOND_ADMIN[0], SECOND_ADMIN[1], "admin", Actor(user_id=rosa_id), password=SECOND_ADMIN[2]
        )
        second_id = second.id
        today = local_today()
        db.session.rollback()
        starts_on, ends_on = today - timedelta(days=60), today + timedelta(days=300)

        admin = _sign_in(browser, live_server, requested, "admin@demo.bakery.coop", "demo-admin-pass")
        opened.append(admin)
        admin.get_by_role("link", name="Dividends", exact=True).click()
        admin.get_by_role("heading", name="Add a period").wait_for()
        admin.get_by_label("Name").fill("Browser test year")
        admin.get_by_label("First day").fill(starts_on.isoformat())
        admin.get_by_label("Last day").fill(ends_on.isoformat())
        admin.get_by_role("button", name="Add period").click()
        admin.get_by_role("heading", name="Browser test year").wait_for()
        admin.get_by_text("Period Browser test year added.").wait_for()
        admin.locator("#period-running").wait_for()  # it has not ended: no proposal yet
        admin.get_by_label("New last day").fill(today.isoformat())
        admin.get_by_role("button", name="Close the period early").click()
        admin.get_by_role("alertdialog").locator(".btn-danger").click()  # the app's own confirm panel
        admin.get_by_text(f"Browser test year now ends on {today.isoformat()}.").wait_for()
        ends_on = today

        # ... and the next day, once it has ended, previews an allocation and proposes it ...
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        for module in (financial_periods, allocations):
            monkeypatch.setattr(module, "utcnow", lambda: tomorrow)
        admin.reload()
        assert admin.locator("#period-running").count() == 0

        admin.get_by_label("Surplus for the period").fill("1000.00")
        admin.get_by_label("Reserve balance before this period").fill("0.00")
        admin.get_by_label("To the indivisible reserve (%)").fill("30")
        admin.get_by_label("Share of the pool for worker").fill("60")
        admin.get_by_label("Share of the pool for customer").fill("40")
        admin.get_by_label("Share of the pool for community").fill("0")
        admin.get_by_label("Minimum payout").fill("1.00")
        admin.get_by_role("button", name="Preview").click()
        preview = admin.locator("#allocation-preview")
        preview.wait_for()
        assert "every penny ✓" in admin.locator("#allocation-totals").inner_text()
        ada_line = admin.locator("#member-lines tr", has_text="M-0001 · Ada Baker")
        assert ada_line.locator("td").nth(4).inner_text().strip() not in ("", "£0.00")

        preview.get_by_role("button", name="Propose this allocation").click()
        admin.get_by_text("Allocation proposed.").wait_for()
        status = admin.locator("#allocation-status")
        assert "proposed" in status.inner_text() and "Rosa Admin" in status.inner_text()
        admin.get_by_text("You proposed this allocation: a second admin approves it").wait_for()
        allocation_url = admin.url
        admin.context.close()

        # ... and a second admin approves it with the general meeting's resolution.
        approver = _sign_in(browser, live_server, requested, SECOND_ADMIN[1], SECOND_ADMIN[2])
        opened.append(approver)
        approver.get_by_role("link", name="Dividends", exact=True).click()
        approver.get_by_role("link", name="Browser test year").click()
        approver.locator("#allocations").get_by_role("link").first.click()
        assert approver.url == allocation_url
        approver.get_by_label("General meeting resolution reference").fill("AGM-2026-07")
        approver.get_by_label("Date of the resolution").fill(today.isoformat())
        approver.get_by_role("button", name="Approve and lock the period").click()
        approver.get_by_text("Allocation approved: the period is locked").wait_for()
        status = approver.locator("#allocation-status").inner_text()
        assert "approved" in status and "Sam Second" in status and "AGM-2026-07" in status
        approver.context.close()

        allocation = db.session.query(Allocation).one()
        assert allocation.status == "approved"
        assert allocation.proposed_by_id == rosa_id and allocation.approved_by_id == second_id
        line = (
            db.session.query(AllocationLine)
            .filter_by(allocation_id=allocation.id, member_id=ada_member_id)
            .one()
        )
        # Ada's patronage is her approved minutes in the period, the new hour included.
        assert line.measure == "hours" and line.allocation_amount > 0
        assert line.patronage == hours.approved_minutes_by_member(starts_on, ends_on)[ada_member_id]
        allocation_id = allocation.id
        db.session.rollback()

        # 5. Ada downloads her statement as a PDF.
        member = _sign_in(browser, live_server, requested, "ada@demo.bakery.coop", "demo-member-pass")
        opened.append(member)
        member.get_by_role("link", name="Statements").click()
        member.get_by_role("heading", name="Your dividend statements").wait_for()
        link = member.locator("#member-statements tr", has_text="Browser test year").get_by_role(
            "link", name="PDF"
        )
        with member.expect_download() as downloading:
            link.click()
        download = downloading.value
        assert download.suggested_filename == f"dividend-M-0001-allocation-{allocation_id}.pdf"
        with open(download.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
        url = live_server + link.get_attribute("href")
        requested.append(url)
        response = member.context.request.get(url)
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF-")
        member.context.close()
    finally:
        for tab in opened[1:]:
            if not tab.is_closed():
                tab.context.close()

    hosts = {urlsplit(url).hostname for url in requested}
    assert hosts == {"127.0.0.1"}
