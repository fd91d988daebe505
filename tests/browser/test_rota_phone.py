"""In a real browser on a 390x844 phone: a worker sees the week a manager published, says they
have read the changes, asks for time off, says when they cannot work, and subscribes their phone's
calendar to their shifts (the feed is fetched and read back as iCalendar)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bakery.domain.rota import monday_of
from bakery.extensions import db
from bakery.services import demo, rota
from bakery.services.audit import SYSTEM

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_worker_sees_their_published_shifts_on_a_phone_and_subscribes_to_them(page, live_server, live_app):
    import icalendar
    from playwright.sync_api import expect

    from bakery.models import RotaShift, RotaTimeOff, RotaWeek, User
    from tests.app.stock.kitchen import shop_today

    demo.load_demo_data()
    demo.load_demo_rota()
    next_monday = monday_of(shop_today()) + timedelta(days=7)
    first = shop_today() + timedelta(days=21)  # read now: a read outside a request holds SQLite's lock
    rota.publish_week(next_monday, rota.week_plan(next_monday).version, SYSTEM)
    ada = db.session.query(User).filter_by(display_name="Ada Baker").one()
    published = (
        db.session.query(RotaShift)
        .join(RotaWeek)
        .filter(
            RotaShift.user_id == ada.id, RotaShift.cancelled_at.is_(None), RotaWeek.published_at.is_not(None)
        )
        .count()
    )
    db.session.rollback()  # hold no SQLite lock while the browser goes on

    page.set_viewport_size(PHONE)
    page.goto(live_server + "/sign-in")
    page.get_by_label("Email").fill("ada@demo.bakery.coop")
    page.get_by_label("Password").fill("demo-member-pass")
    page.get_by_role("button", name="Sign in").tap()
    expect(page.locator("#rota-news-note")).to_contain_text("Your rota is new or has changed")
    page.get_by_role("link", name="My shifts").tap()

    expect(page.get_by_role("heading", name=f"Week of {next_monday:%a %d %b}")).to_be_visible()
    expect(page.locator("#my-shifts .my-shift").first).to_contain_text("Baker")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Got it").tap()
    expect(page.get_by_role("status").first).to_contain_text("your rota is up to date")
    expect(page.locator("#rota-news")).to_have_count(0)

    # Time off, with a bad day first: refused beside the form, nothing kept, then asked properly.
    page.locator("input[name=first]").evaluate("e => e.type = 'text'")
    page.locator("input[name=first]").fill("next Friday")
    page.get_by_role("button", name="Ask for time off").tap()
    expect(page.locator("#time-off [role=alert]")).to_contain_text("Give the first day off")
    page.locator("input[name=first]").evaluate("e => e.type = 'text'")
    page.locator("input[name=first]").fill(first.isoformat())
    page.get_by_role("button", name="Ask for time off").tap()
    expect(page.locator("#time-off")).to_contain_text("requested")
    assert db.session.query(RotaTimeOff).filter_by(user_id=ada.id, from_date=first).count() == 1
    db.session.rollback()

    # A time she cannot work, every Tuesday evening: stated without a reason.
    page.locator("select[name=weekday]").select_option(label="Tuesday")
    page.locator("input[name=start]").fill("19:00")
    page.locator("input[name=end]").fill("23:30")
    page.get_by_role("button", name="Save this time").tap()
    expect(page.locator("#availability")).to_contain_text("Every Tuesday")
    expect(page.locator("#availability")).to_contain_text("not available")

    # The calendar address, shown once; a phone's calendar reads it without signing in.
    page.get_by_role("button", name="Make my calendar address").tap()
    address = page.get_by_label("Your calendar address").input_value()
    assert "/rota/feed/" in address and address.endswith(".ics")
    expect(page.get_by_role("link", name="Subscribe on this phone")).to_have_attribute(
        "href", address.replace("http://", "webcal://")
    )
    feed = page.context.request.get(address)
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(feed.text()).walk("VEVENT")
    assert len(events) == published > 0
    assert all("Second Rise" in str(e["SUMMARY"]) or "·" in str(e["SUMMARY"]) for e in events)
    page.goto(live_server + "/me/rota")
    expect(page.get_by_label("Your calendar address")).to_have_count(0)
    assert all(url.startswith(live_server) for url in page.requested)  # type: ignore[attr-defined]
