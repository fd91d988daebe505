"""Patronage in SQL: purchases net of VAT per line, refunds subtracted, by local business day."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import Column, Integer, MetaData, Table, select

from bakery.domain.vat import vat_in_gross
from bakery.extensions import db
from bakery.services.dividends import patronage
from tests.app.dividends.helpers import Coop, Shop, net, utc
from tests.factories import make_member, make_user

EDGE_LINES = [
    (21, 2000),  # VAT 3.5 → 4
    (-21, 2000),  # a refund mirrors it: -4
    (0, 2000),
    (1, 10000),
    (-1, 10000),
    (3, 10000),  # VAT 1.5 → 2
    (-3, 10000),
    (10_000_000, 2000),  # a line so large that gross x rate overflows a 32-bit integer
    (-10_000_000, 9999),
    (105, 500),  # VAT 5 exactly
    (1, 0),
]


def test_the_sql_net_of_vat_equals_the_python_rule_line_by_line_on_random_lines(app):
    rng = random.Random(20251231)
    lines = EDGE_LINES + [
        (rng.randint(-200_000, 200_000), rng.choice([0, 500, 1250, 2000, rng.randint(0, 10_000)]))
        for _ in range(2000)
    ]
    table = Table(
        "vat_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("gross", Integer),
        Column("rate_bp", Integer),
        prefixes=["TEMPORARY"],
    )
    connection = db.session.connection()
    table.create(connection)
    connection.execute(
        table.insert(), [{"id": i, "gross": gross, "rate_bp": rate} for i, (gross, rate) in enumerate(lines)]
    )
    expected = [gross - vat_in_gross(gross, rate) for gross, rate in lines]
    # Both forms on SQLite (its integers are 64-bit, so it skips the casts); the wide one elsewhere.
    for wide in {True, db.engine.dialect.name != "sqlite"}:
        net = patronage.net_of_vat(table.c.gross, table.c.rate_bp, wide=wide)
        from_sql = [
            int(amount) for _, amount in db.session.execute(select(table.c.id, net).order_by(table.c.id))
        ]
        assert from_sql == expected


def test_purchases_patronage_is_net_of_vat_with_refunds_subtracted(app):
    coop = Coop()
    got = patronage.purchases_by_member(date(2025, 1, 1), date(2025, 12, 31))
    assert got == {
        coop.cat.id: net(coop.cat_lines),
        coop.dan.id: net(coop.dan_lines) + net(coop.dan_refund),
    }
    assert got[coop.dan.id] == 310 - vat_in_gross(310, 500)  # the refunded line earns nothing


def test_purchases_count_by_the_shops_local_day_not_the_utc_date(app):
    shop = Shop()
    mia = make_member(make_user("member"), number="C-100")
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time): a July purchase.
    shop.sell(mia, [(1200, 2000)], utc(2025, 6, 30, 23, 30))
    # 23:30 UTC on 31 December is still 31 December in London (GMT).
    shop.sell(mia, [(600, 0)], utc(2025, 12, 31, 23, 30))
    assert patronage.purchases_by_member(date(2025, 6, 1), date(2025, 6, 30)) == {}
    assert patronage.purchases_by_member(date(2025, 7, 1), date(2025, 7, 1)) == {mia.id: 1000}
    assert patronage.purchases_by_member(date(2025, 12, 31), date(2025, 12, 31)) == {mia.id: 600}
    assert patronage.purchases_by_member(date(2026, 1, 1), date(2026, 1, 31)) == {}


def test_purchases_over_many_random_sales_equal_a_python_sum(app):
    shop = Shop()
    rng = random.Random(7)
    members = [make_member(make_user("member"), number=f"C-{n:03d}") for n in range(4)]
    expected = {m.id: 0 for m in members}
    for _ in range(60):
        member = rng.choice(members)
        lines = [(rng.randint(-500, 5000), rng.choice([0, 500, 2000])) for _ in range(rng.randint(1, 4))]
        at = utc(2025, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23))
        shop.sell(member, lines, at, kind="refund" if all(g < 0 for g, _ in lines) else "sale")
        expected[member.id] += net(lines)
    got = patronage.purchases_by_member(date(2025, 1, 1), date(2025, 12, 31))
    assert got == {k: v for k, v in expected.items() if k in got}
    assert set(got) == set(expected)


def test_a_members_purchases_list_each_sale_with_its_total_and_net(app):
    coop = Coop()
    rows = patronage.member_purchases(coop.dan.id, date(2025, 1, 1), date(2025, 12, 31))
    assert [(r.kind, r.total, r.net) for r in rows] == [
        ("refund", -999, net(coop.dan_refund)),
        ("sale", 999 + 310, net(coop.dan_lines)),
    ]
    assert rows[0].receipt.startswith(coop.shop.till.name)


def test_approved_minutes_are_the_hours_patronage(app):
    coop = Coop()
    minutes = patronage.minutes_by_member(date(2025, 1, 1), date(2025, 12, 31))
    assert minutes == {coop.ada.id: 780, coop.ben.id: 420}  # Ben's unapproved shift does not count
