"""The social impact report (suppressed, rounded, built without reading any safeguarding row), the
members report, product mix and labour, against hand-computed fixtures on both engines."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import event, func, select

from bakery.extensions import db
from bakery.models import (
    AuditEvent,
    Partner,
    RotaPersonSkill,
    RotaProfile,
    RotaSkill,
    SafeguardingRecord,
    WriteOff,
)
from bakery.models.types import utcnow
from bakery.services import reports
from bakery.services.audit import Actor
from bakery.services.reports.impact import impact_figures
from bakery.services.till import baskets, checkout
from tests.app.hours.helpers import add_entry
from tests.app.reports.helpers import known_day
from tests.factories import make_member, make_user, sign_in


def this_year() -> reports.Scope:
    today = reports.today()
    return reports.scope(reports.Period(today.replace(month=1, day=1), today))


def workers(n: int, programme: int, *, left_after_days: int = 0, leavers: int = 0) -> list:
    """n worker members who each worked one approved 4-hour shift yesterday; `programme` of them
    flagged in the safeguarding table; `leavers` of them left `left_after_days` after joining."""
    approver = make_user("manager")
    made = []
    start = utcnow() - timedelta(days=1, hours=6)
    for i in range(n):
        user = make_user("staff")
        member = make_member(user, member_class="worker")
        if i < programme:
            db.session.add(
                SafeguardingRecord(member_id=member.id, justice_involvement=True, programme_ref=f"P-{i}")
            )
        if i >= n - leavers:
            member.left_on = member.joined_on + timedelta(days=left_after_days)
        db.session.commit()
        add_entry(user, start, start + timedelta(hours=4), member=member, approved_by=approver)
        made.append((user, member))
    add_entry(
        made[0][0],
        start - timedelta(days=1),
        start - timedelta(days=1) + timedelta(hours=9),
        member=made[0][1],
    )
    return made


def shown(report: reports.Report) -> dict[str, list[tuple[str, ...]]]:
    return {s.heading: [tuple(r) for r in s.rows] for s in report.sections}


def test_a_small_programme_group_is_hidden_with_the_cell_that_would_give_it_away(app):
    people = workers(12, 3, left_after_days=100, leavers=2)
    skill = RotaSkill(name="Food hygiene level 2")
    db.session.add(skill)
    db.session.flush()
    for user, _member in people[:6]:
        db.session.add(RotaPersonSkill(user_id=user.id, skill_id=skill.id, gained_on=reports.today()))
    old = RotaSkill(name="Barista")
    db.session.add(old)
    db.session.flush()
    db.session.add(RotaPersonSkill(user_id=people[0][0].id, skill_id=old.id, gained_on=date(2000, 1, 1)))
    db.session.commit()
    raw = impact_figures(this_year())
    assert (raw.counts["workers"], raw.counts["programme"], raw.counts["other"]) == (12, 3, 9)
    assert raw.minutes["workers"] == 12 * 240 and raw.minutes["programme"] == 3 * 240
    r = reports.impact_report(this_year(), str)
    tables = shown(r)
    assert tables["Paid work by worker members"] == [
        ("All worker members", "10", "48"),
        ("From a programme", "fewer than 5", "fewer than 5"),
        ("Others", "fewer than 5", "fewer than 5"),  # 9 shown would give away 12 - 9 = 3
    ]
    assert tables["Supported employment and resettlement"][0] == ("Share of workers", "fewer than 5")
    assert tables["Supported employment and resettlement"][2][1].startswith("Not shown")
    # joined 1 Jan 2025: 12 joined long enough ago; 2 left after 100 days (kept 3 months, not 6)
    assert tables["Retention"][0] == ("3 months", "10", "10", "100.0%")
    assert tables["Retention"][1] == (
        "6 months",
        "10",
        "fewer than 5",
        "fewer than 5",
    )  # 10 would give away 2
    assert tables["Training and certificates"] == [
        ("People who gained a skill or certificate", "5"),
        ("Skills and certificates gained", "6"),
    ]


def test_a_programme_share_above_the_threshold_is_shown_and_said(app):
    workers(12, 6)
    r = reports.impact_report(this_year(), str)
    tables = shown(r)
    assert tables["Paid work by worker members"] == [
        ("All worker members", "10", "48"),
        ("From a programme", "5", "24"),
        ("Others", "5", "24"),
    ]
    assert tables["Supported employment and resettlement"] == [
        ("Share of workers", "50.0%"),
        ("Share of hours", "50.0%"),
        ("Against the threshold", "At or above the threshold of 30.0%."),
    ]


def test_the_impact_report_reads_no_safeguarding_row_and_audits_nothing(app):
    workers(6, 5)
    seen: list[str] = []

    def watch(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    before = db.session.scalar(select(func.count(AuditEvent.id)))
    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        reports.impact_report(this_year(), str)
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    touching = [s for s in seen if "safeguarding_records" in s]
    assert touching, "the programme share comes from the safeguarding flag"
    for statement in touching:
        head = statement.split("FROM", 1)[0]
        assert "safeguarding_records" not in head, "a safeguarding column was selected"
        assert "support_notes" not in statement and "referral_agency" not in statement
        assert "EXISTS (SELECT" in statement.upper()
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before


def test_donations_to_partners_and_the_one_page_pdf(app, client):
    day = known_day()
    bank = Partner(name="Northside Food Bank")
    db.session.add(bank)
    db.session.flush()
    for qty, value in ((3, 120), (2, 80)):
        db.session.add(
            WriteOff(
                product_id=day.menu["croissant"].id,
                qty=qty,
                kind="donation",
                reason="donated",
                partner_id=bank.id,
                value=value,
                day=reports.today(),
                key=uuid.uuid4().hex,
            )
        )
    db.session.commit()
    r = reports.impact_report(this_year(), str)
    assert shown(r)["Donations to partner organisations"] == [("Northside Food Bank", "2", "5", "200")]
    sign_in(client, make_user("admin"))
    pdf = client.get("/office/reports/impact.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and b"Social impact" in pdf.data
    assert b"/Count 1" in pdf.data  # one page
    page = client.get("/office/reports/impact")
    assert page.status_code == 200 and "Northside Food Bank" in page.get_data(as_text=True)
    manager = app.test_client()
    sign_in(manager, make_user("manager"))
    assert manager.get("/office/reports/impact").status_code == 403


def test_members_report_by_class(app):
    made = workers(3, 0)
    customer = make_member(member_class="customer")
    customer.joined_on = reports.today()
    db.session.commit()
    r = reports.members_report(this_year(), str)
    tables = shown(r)
    rows = {row[0]: row for row in tables["Members by class"]}
    assert rows["worker"] == ("worker", "3", "0", "0")
    assert rows["customer"] == ("customer", "1", "1", "0")
    patronage = {row[0]: row for row in tables["Patronage in the period"]}
    assert patronage["worker"] == ("worker", "0", "0", "3", "12:00")
    assert len(made) == 3


def test_product_mix_and_labour_against_sales(app):
    day = known_day()
    r = reports.mix_report(reports.scope(reports.Period(reports.today(), reports.today())), str)
    products = shown(r)["By product"]
    # croissant: 2 + 1 - 1 units, gross 450, VAT 33; latte 1, gross 320, VAT 53 (no recipe: no cost)
    assert products == [
        ("Croissant", "2", "450", "417", "61.0%", "—", "—", "—"),
        ("Latte", "1", "320", "267", "39.0%", "—", "—", "—"),
    ]
    db.session.add(RotaProfile(user_id=day.staff.id, hourly_rate_pence=1200))
    db.session.commit()
    now = utcnow()
    add_entry(day.staff, now - timedelta(minutes=90), now - timedelta(minutes=30))
    labour = reports.labour_report(reports.scope(reports.Period(reports.today(), reports.today())), str)
    head = dict(labour.headline)
    assert head["Net sales"] == str(770 - 86) and head["Labour cost"] == "1200"


def test_report_csvs_defuse_formulas_typed_into_names(app, client):
    import csv
    import io

    day = known_day()
    day.menu["croissant"].name = "+SUM(1,1)"
    db.session.commit()
    actor = Actor(day.staff.id, day.till.id)
    basket = baskets.add_line(day.till.id, day.menu["croissant"].id, actor)
    checkout.tender(day.till.id, basket.key, "cash", baskets.price(basket).totals.total, actor)
    partner = Partner(name="=cmd|' /C calc'!A0")
    db.session.add(partner)
    db.session.flush()
    db.session.add(
        WriteOff(
            product_id=day.menu["latte"].id,
            qty=1,
            kind="donation",
            reason="donated",
            partner_id=partner.id,
            value=90,
            day=reports.today(),
            key=uuid.uuid4().hex,
        )
    )
    db.session.commit()
    sign_in(client, make_user("admin"))
    cells = []
    for url in ("/office/reports/mix.csv", "/office/reports/impact.csv", "/office/reports/dashboard.csv"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv", url
        cells += [cell for row in csv.reader(io.StringIO(response.get_data(as_text=True))) for cell in row]
    assert "'+SUM(1,1)" in cells and "'=cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c.startswith("-") and not c[1:].replace(".", "", 1).isdigit()]
