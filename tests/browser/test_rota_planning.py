"""In a real browser on a 1280x800 tablet: a manager plans a shift into next week's draft by touch,
moves it, opens a shift from the keyboard, sees the warnings, and publishes the week."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bakery.domain.rota import monday_of
from bakery.extensions import db
from bakery.services import demo

pytestmark = pytest.mark.browser


def test_a_manager_plans_a_shift_by_touch_and_publishes_the_week(page, live_server, live_app):
    from playwright.sync_api import expect

    from bakery.models import RotaShift, RotaWeek
    from tests.app.stock.kitchen import shop_today

    demo.load_demo_data()
    demo.load_demo_rota()
    next_monday = monday_of(shop_today()) + timedelta(days=7)
    wednesday = next_monday + timedelta(days=2)
    db.session.rollback()  # hold no SQLite lock while the browser goes on

    page.goto(live_server + "/sign-in")
    page.get_by_label("Email").fill("manager@demo.bakery.coop")
    page.get_by_label("Password").fill("demo-manager-pass")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()

    page.get_by_role("link", name="Rota", exact=True).tap()
    expect(page.get_by_text("Published", exact=False).first).to_be_visible()
    page.get_by_role("link", name="Next →").tap()
    expect(page.get_by_text("Draft: only managers see it")).to_be_visible()
    warnings = page.locator("#rota-warnings")
    expect(warnings).to_contain_text("Food hygiene level 2 expired")
    expect(warnings).to_contain_text("Chloé Counter is not available for part of")

    # Tap + in Rosa's Wednesday cell: the panel opens on that day and person, focus in it.
    page.get_by_label(f"Add a shift for Rosa Admin on {wednesday:%A %d %B}").tap()
    panel = page.locator("#shift-panel")
    expect(panel.get_by_role("heading", name="New shift")).to_be_visible()
    expect(panel.locator("#shift-form select[name=day]")).to_be_focused()
    expect(panel.locator("#shift-form select[name=day]")).to_have_value(wednesday.isoformat())
    expect(panel.locator("#shift-form select[name=person]")).to_have_value(str(_user_id("Rosa Admin")))
    panel.locator("#shift-form input[name=start]").fill("10:00")
    panel.locator("#shift-form input[name=end]").fill("14:00")
    panel.locator("#shift-form select[name=role]").select_option(label="Cleaner")
    panel.locator("#shift-form input[name=break_minutes]").fill("0")
    panel.get_by_role("button", name="Add shift").tap()
    expect(page.get_by_text("Shift added: Wed")).to_be_visible()
    chip = page.locator("a.chip", has_text="10:00-14:00")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text("Cleaner")

    # Escape shuts the panel and gives focus back to the shift that opened it.
    chip.focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", name="Change the shift")).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel.get_by_role("heading")).to_have_count(0)
    expect(chip).to_be_focused()

    # Move it to Thursday from the keyboard: Enter on the chip, change the day, save.
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", name="Change the shift")).to_be_visible()
    panel.locator("#shift-form select[name=day]").select_option((wednesday + timedelta(days=1)).isoformat())
    expect(page.locator(".htmx-request")).to_have_count(0)  # the day's change has been answered
    panel.get_by_role("button", name="Save changes").press("Enter")
    expect(page.get_by_text("Shift changed.")).to_be_visible(timeout=15_000)
    moved = db.session.query(RotaShift).filter_by(start_minute=600, end_minute=840).one()
    assert moved.day == wednesday + timedelta(days=1)
    db.session.rollback()

    # A bad time is refused in the panel, with the reason, and nothing changes.
    page.locator("a.chip", has_text="10:00-14:00").tap()
    panel.locator("#shift-form input[name=note]").fill("x" * 10)
    page.evaluate("document.querySelector('#shift-panel input[name=end]').type = 'text'")
    panel.locator("#shift-form input[name=end]").fill("25:00")
    panel.get_by_role("button", name="Save changes").tap()
    expect(panel.get_by_role("alert")).to_contain_text("not a time of day")
    panel.get_by_role("button", name="Close").tap()

    # By role: the same week, days by roles.
    page.get_by_role("link", name="By role").tap()
    expect(page.get_by_role("table", name="Shifts by role and day")).to_be_visible()

    # Publish (the app's own confirm panel asks first, naming the warnings that still stand).
    page.get_by_role("button", name="Publish week").tap()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Members will see their shifts")
    dialog.get_by_role("button", name="Publish week").tap()
    expect(page.get_by_text("is published: members can see their shifts")).to_be_visible()
    expect(page.locator(".state-published")).to_be_visible()
    week = db.session.query(RotaWeek).filter_by(monday=next_monday).one()
    assert week.published_at is not None
    db.session.rollback()
    assert all(url.startswith(live_server) for url in page.requested)  # type: ignore[attr-defined]


def _user_id(name: str) -> int:
    from bakery.models import User

    found = db.session.query(User).filter_by(display_name=name).one().id
    db.session.rollback()
    return found
