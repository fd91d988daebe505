"""Planned against clocked: late and missing clock-ins on the "who is in" screen, and a day's
labour hours and cost against its sales."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bakery.domain.rota import monday_of
from bakery.services import rota
from bakery.services.audit import SYSTEM
from tests.app.hours.helpers import add_entry
from tests.app.planning.helpers import WINTER_MONDAY, person, setup_roles, shift
from tests.app.printing.helpers import sell
from tests.app.stock.kitchen import shop_today
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_user, sign_in

NOON = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)  # London is on UTC in November


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 16, hour, minute, tzinfo=UTC)


@pytest.fixture
def planned_day(app):
    roles = setup_roles()
    ada, ben, cy = person("Ada Baker"), person("Ben Barista", "2222"), person("Cy Counter", "3333")
    shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"], ada)
    shift(WINTER_MONDAY, "08:00", "16:00", roles["counter"], ben)
    shift(WINTER_MONDAY, "09:00", "17:00", roles["counter"], cy)
    shift(WINTER_MONDAY, "13:00", "17:00", roles["counter"], cy)
    rota.set_profile(ada.id, SYSTEM, week_hours_limit=None, hourly_rate_pence=1200)
    add_entry(ada, at(6, 55), at(15, 5))
    add_entry(ben, at(8, 17), None)
    return ada, ben, cy


def test_a_draft_week_flags_nobody(planned_day):
    assert [a for a in rota.day_attendance(WINTER_MONDAY, NOON) if a.flag] == []
    assert not rota.day_report(WINTER_MONDAY, NOON).published


def test_late_and_missing_clock_ins_of_a_published_week_are_flagged(planned_day):
    rota.publish_week(WINTER_MONDAY, 4, SYSTEM)
    flags = {
        (a.shift.person_name, a.shift.times): (a.flag, a.late_minutes)
        for a in rota.day_attendance(WINTER_MONDAY, NOON)
    }
    assert flags == {
        ("Ada Baker", "07:00-15:00"): ("", 0),
        ("Ben Barista", "08:00-16:00"): ("late", 17),
        ("Cy Counter", "09:00-17:00"): ("missing", 0),
        ("Cy Counter", "13:00-17:00"): ("", 0),  # not started yet at noon
    }


def test_the_day_report_costs_labour_where_a_rate_is_set(planned_day):
    rota.publish_week(WINTER_MONDAY, 4, SYSTEM)
    report = rota.day_report(WINTER_MONDAY, NOON)
    rows = {p.name: p for p in report.people}
    assert rows["Ada Baker"].clocked_minutes == 8 * 60 + 10
    assert rows["Ada Baker"].clocked_cost == 9800  # 8 h 10 min at £12.00
    assert rows["Ben Barista"].clocked_minutes == 3 * 60 + 43  # still in at noon
    assert rows["Ben Barista"].flags == ["17 min late for 08:00"]
    assert rows["Cy Counter"].flags == ["missing from 09:00"]
    assert rows["Cy Counter"].planned_minutes == 12 * 60
    assert report.uncosted == 2 and report.clocked_cost == 9800
    assert report.sales_pence == 0 and report.labour_share_bp is None


def test_todays_sales_are_set_against_the_labour(app, client):
    roles = setup_roles()
    menu = make_menu()
    _, staff = open_till_for(client)
    sale = sell(client, menu["croissant"].id, receipt=False)
    today = shop_today()
    shift(today, "00:00", "23:59", roles["counter"], staff)
    rota.set_profile(staff.id, SYSTEM, week_hours_limit=None, hourly_rate_pence=1000)
    report = rota.day_report(today)
    assert report.sales_pence == sale.total > 0


def test_who_is_in_shows_late_and_missing_people_for_todays_published_rota(app, client):
    roles = setup_roles()
    boss = make_user("manager", name="Marek Manager")
    sign_in(client, boss)
    now = datetime.now(UTC)
    today = shop_today()
    ada = person("Ada Baker")
    start = now - timedelta(hours=1)
    from bakery.domain.clock import to_local

    local = to_local(start, "Europe/London")
    if local.date() != today:  # just after midnight: nothing of today has started an hour ago
        pytest.skip("too close to midnight for an hour-old shift today")
    shift(
        today,
        f"{local.hour:02d}:{local.minute:02d}",
        f"{min(local.hour + 2, 23):02d}:59",
        roles["counter"],
        ada,
    )
    rota.publish_week(monday_of(today), 1, SYSTEM)
    page = client.get("/office/timesheets/who-is-in").get_data(as_text=True)
    assert "Against today's rota" in page and "Ada Baker" in page and "missing: not clocked in" in page
    fragment = client.get("/office/timesheets/who-is-in", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "missing: not clocked in" in fragment


def test_the_day_page_shows_flags_and_labour_against_sales(client, planned_day):
    boss = make_user("manager", name="Marek Manager")
    sign_in(client, boss)
    rota.publish_week(WINTER_MONDAY, 4, SYSTEM)
    page = client.get(f"/office/rota/day?day={WINTER_MONDAY.isoformat()}").get_data(as_text=True)
    assert "Planned vs clocked · Monday 16 November 2026" in page
    assert "missing from 09:00" in page and "Ada Baker" in page
    bad = client.get("/office/rota/day?day=yesterday")
    assert bad.status_code == 422 and "That is not a date" in bad.get_data(as_text=True)
