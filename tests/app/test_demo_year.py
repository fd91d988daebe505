"""The demo's year of trading: a believable shop whose chains, stock and dividends all hold up."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import (
    Allocation,
    AllocationLine,
    AuditEvent,
    Basket,
    FinancialPeriod,
    Member,
    MemberClass,
    Payout,
    PrintJob,
    Product,
    Sale,
    StockMovement,
    StoreCredit,
    TimeCorrection,
    TimeEntry,
    ZReport,
)
from bakery.models.types import utcnow
from bakery.services.audit.integrity import verify_audit_chain
from bakery.services.demo.sales_writer import Order, OrderLine, TillDay, load_items, price_order, write
from bakery.services.till import ledger


def _load_year(app, runner):  # type: ignore[no-untyped-def]
    app.config.update(DEMO_YEAR=True, DEMO_YEAR_ORDERS_PCT=4)
    loaded = runner.invoke(args=["bakery", "demo"])
    assert loaded.exit_code == 0, loaded.output
    assert "A year of trading loaded." in loaded.output


def test_the_demo_year_is_a_believable_shop_whose_chains_verify_and_loads_once(app, runner):
    _load_year(app, runner)

    by_class = dict(
        db.session.execute(
            select(MemberClass.name, func.count(Member.id)).join(Member).group_by(MemberClass.name)
        ).all()
    )
    assert by_class["worker"] >= 12 and by_class["customer"] >= 250 and by_class["community"] >= 15
    assert db.session.scalar(select(func.count()).where(Member.status == "left")) >= 3
    names = set(db.session.scalars(select(Member.name)))
    assert {"Siobhán Ní Bhriain", "Zoë Ashworth-Fitzgerald", "Łukasz Wiśniewski"} <= names

    # Every till's ledger and the audit log verify; so does stock (on hand = its movements).
    assert all(state.fault is None and state.length > 500 for state in ledger.verify_all())
    assert verify_audit_chain() is None
    moved = dict(
        db.session.execute(
            select(StockMovement.product_id, func.sum(StockMovement.qty)).group_by(StockMovement.product_id)
        ).all()
    )
    assert all(p.on_hand == moved.get(p.id, 0) for p in db.session.scalars(select(Product)))

    # Refunds, Z reports every trading day, store credit spent, hours approved and one corrected.
    assert db.session.scalar(select(func.count()).where(Sale.kind == "refund")) > 10
    assert db.session.scalar(select(func.count()).select_from(ZReport)) > 700
    assert db.session.scalar(select(func.count()).where(StoreCredit.reason == "sale")) > 0
    assert db.session.scalar(select(func.count()).where(TimeEntry.approved_at.is_not(None))) > 2000
    assert db.session.scalar(select(func.count()).select_from(TimeCorrection)) == 1
    assert db.session.scalar(select(func.count()).where(TimeEntry.member_state == "flagged")) >= 1

    # X reports printed before a count, and orders parked, recalled and paid, on days of the year.
    x_reports = db.session.scalars(select(PrintJob).where(PrintJob.kind == "x_report")).all()
    assert len(x_reports) >= 20 and all(job.state == "done" for job in x_reports)
    actions = dict(
        db.session.execute(
            select(AuditEvent.action, func.count())
            .group_by(AuditEvent.action)
            .where(
                AuditEvent.action.in_(("till.x_report_printed", "till.basket_parked", "till.basket_recalled"))
            )
        ).all()
    )
    assert actions["till.x_report_printed"] == len(x_reports)
    assert actions["till.basket_parked"] == actions["till.basket_recalled"] >= 15
    recalled = db.session.scalars(
        select(Basket).where(Basket.parked_name.is_not(None), Basket.status == "paid")
    ).all()
    assert len(recalled) == actions["till.basket_parked"]
    assert all(basket.parked_name for basket in recalled)
    first = db.session.scalar(
        select(AuditEvent.at).where(AuditEvent.action == "till.basket_parked").order_by(AuditEvent.id)
    )
    assert first is not None and first < utcnow() - timedelta(days=60), "parked on a day of the year"

    # Last year ended, approved and paid; this year open.
    last, current = db.session.scalars(select(FinancialPeriod).order_by(FinancialPeriod.starts_on)).all()
    assert (last.status, current.status) == ("approved", "open")
    allocation = db.session.scalar(select(Allocation).where(Allocation.status == "approved"))
    assert allocation is not None and allocation.period_id == last.id
    assert db.session.scalar(select(func.count()).select_from(Payout)) > 30
    # A customer's dividend is pennies-to-pounds of their purchases, not thousands.
    mia = db.session.scalar(select(Member).where(Member.number == "M-0101"))
    line = db.session.scalar(
        select(AllocationLine).where(
            AllocationLine.allocation_id == allocation.id, AllocationLine.member_id == mia.id
        )
    )
    assert 0 < line.allocation_amount < line.patronage // 10
    assert json.loads(allocation.result_json)["distributable"] < 5_000_000

    counts = [db.session.scalar(select(func.count()).select_from(t)) for t in (Sale, Member, TimeEntry)]
    again = runner.invoke(args=["bakery", "demo"])
    assert "nothing changed" in again.output
    assert [
        db.session.scalar(select(func.count()).select_from(t)) for t in (Sale, Member, TimeEntry)
    ] == counts


def test_the_bulk_writer_prices_numbers_and_chains_a_sale_as_checkout_does_and_it_verifies(app, runner):
    runner.invoke(args=["bakery", "demo"])
    from datetime import UTC, datetime

    from bakery.models import Till, User
    from bakery.services.audit import Actor
    from bakery.services.till import cash

    till = db.session.scalar(select(Till).where(Till.name == "Window"))
    staff = db.session.scalar(select(User).where(User.display_name == "Ben Barista"))
    member = db.session.scalar(select(Member).where(Member.number == "M-0102"))
    session = cash.open_session(till.id, 5000, Actor(user_id=staff.id, till_id=till.id))
    items = load_items()
    order = Order(
        (
            OrderLine(items["Latte"], variant=1, options=(0, 2)),
            OrderLine(items["Croissant"], qty=2, discount_bp=2000),
            OrderLine(items["Toasted ham & cheese"], eat_in=True),
        ),
        staff.id,
        datetime(2026, 5, 2, 9, 15, tzinfo=UTC),
        member_id=member.id,
        member_bp=500,
        key="4f0c5f0e-8d7e-4c39-9a43-1c2d3e4f5a6b",
    )
    priced = price_order(order)
    day = TillDay(till.id, session.id)
    day.add(priced, [("cash", 2000)])
    assert write(day) == 1
    db.session.commit()

    sale = db.session.scalar(select(Sale).where(Sale.idempotency_key == order.key))
    assert sale.receipt_no == 1 and sale.reason == "member discount"
    assert sale.total == sum(line.gross for line in sale.lines) == sale.subtotal - sale.discount_total
    assert next(line.description for line in sale.lines) == "Latte · Large · Oat milk · Extra shot"
    assert sum(line.vat for line in sale.lines) == sale.vat_total
    assert [(p.method, p.amount, p.tendered, p.change) for p in sale.payments] == [
        ("cash", sale.total, 2000, 2000 - sale.total)
    ]
    assert all(state.fault is None for state in ledger.verify_all())
