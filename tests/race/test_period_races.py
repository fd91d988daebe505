"""A period's close and the sales being paid at that moment, released together against a multi-worker
server (SQLite and PostgreSQL): a sale never lands in a period that has just closed, nor outside
every period, and tills paying together after the close open exactly one next period."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Flask
from sqlalchemy import delete, func, select

from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.models import AuditEvent, FinancialPeriod, Sale
from bakery.services import dividends, periods
from bakery.services.audit import Actor
from bakery.services.settings import current_settings
from bakery.services.till import baskets
from tests.app.till.helpers import open_till_for
from tests.factories import make_user, sign_in
from tests.race.conftest import ROUNDS, LiveServer, PreparedPost, Tablet, release_together, tablet_for
from tests.race.test_till_races import a_product, no_crash

TILLS = 3


def tills_ready(live: LiveServer, scene: Flask, count: int) -> list[tuple[int, int, Tablet]]:
    """Tills open for trade, each with its own tablet: (till id, staff id, tablet)."""
    ready = []
    for _ in range(count):
        client = scene.test_client()
        till, staff = open_till_for(client)
        ready.append((till.id, staff.id, tablet_for(live, client)))
    return ready


def pay_posts(ready: list[tuple[int, int, Tablet]], price: int, product_id: int) -> list[PreparedPost]:
    """On each till, a basket with one item and its Pay form, connected but not yet sent."""
    posts = []
    for till_id, staff_id, tablet in ready:
        baskets.add_line(till_id, product_id, Actor(staff_id, till_id))
        key = baskets.open_basket(till_id).key
        form = {
            "basket_key": key,
            "tender_key": uuid.uuid4().hex,
            "method": "cash",
            "amount": f"{price / 100:.2f}",
        }
        posts.append(tablet.prepare("/till/pay", form))
    return posts


def sale_days(after_id: int) -> list:
    zone = current_settings().timezone
    return [
        business_date(at, zone)
        for at in db.session.scalars(select(Sale.created_at).where(Sale.id > after_id))
    ]


def test_sales_paid_while_a_period_closes_early_never_land_outside_every_period(
    live: LiveServer, scene: Flask
) -> None:
    db.session.execute(delete(FinancialPeriod))
    db.session.commit()
    admin = make_user("admin")
    office = scene.test_client()
    sign_in(office, admin)
    desk = tablet_for(live, office)
    today = dividends.local_today()
    period = dividends.create_period(
        f"Race {uuid.uuid4().hex[:6]}",
        today - timedelta(days=40),
        today + timedelta(days=40),
        Actor(admin.id),
    )
    tea = a_product(200)
    ready = tills_ready(live, scene, TILLS)
    before = db.session.scalar(select(func.coalesce(func.max(Sale.id), 0)))
    close = desk.prepare(
        f"/admin/dividends/periods/{period.id}/close-early",
        {"ends_on": (today - timedelta(days=1)).isoformat()},
    )
    answers = release_together([*pay_posts(ready, tea.price, tea.id), close])
    no_crash(live, answers)
    days = sale_days(before)
    assert len(days) == TILLS  # every sale went through
    db.session.expire_all()
    closed = db.session.get(FinancialPeriod, period.id)
    for day in days:
        holder = periods.period_for(day)
        assert holder is not None, "a sale fell outside every period"
        assert holder.id != closed.id or day <= closed.ends_on
    if closed.ends_on == today - timedelta(days=1):  # the close went first: the sales opened the next one
        assert {periods.period_for(day).id for day in days} == {periods.period_for(today).id}
    else:  # the sales went first: the close was refused, naming the day of those sales
        assert "already has sales" in answers[-1].body


def test_tills_paying_together_after_the_close_open_exactly_one_next_period(
    live: LiveServer, scene: Flask
) -> None:
    db.session.execute(delete(FinancialPeriod))
    db.session.commit()
    admin = make_user("admin")
    today = dividends.local_today()
    dividends.create_period(
        f"Ended {uuid.uuid4().hex[:6]}",
        today - timedelta(days=400),
        today - timedelta(days=1),
        Actor(admin.id),
    )
    tea = a_product(150)
    ready = tills_ready(live, scene, TILLS)
    for _ in range(ROUNDS // 2):
        db.session.execute(delete(FinancialPeriod).where(FinancialPeriod.ends_on >= today))
        db.session.commit()
        before = db.session.scalar(select(func.coalesce(func.max(Sale.id), 0)))
        first_event = db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))
        answers = release_together(pay_posts(ready, tea.price, tea.id))
        no_crash(live, answers)
        assert len(sale_days(before)) == TILLS
        opened = db.session.scalars(
            select(FinancialPeriod).where(
                FinancialPeriod.starts_on <= today, FinancialPeriod.ends_on >= today
            )
        ).all()
        assert len(opened) == 1 and opened[0].starts_on == today
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "period.opened", AuditEvent.id > first_event)
            )
            == 1
        )
