"""Patronage in SQL: purchases net of VAT as the receipts show it, refunds subtracted, by local business day."""

from __future__ import annotations

import random
from datetime import date

from bakery.domain.vat import vat_in_gross
from bakery.services.dividends import patronage
from tests.app.dividends.helpers import Coop, Shop, net, utc
from tests.factories import make_member, make_user


def test_purchases_patronage_adds_up_to_the_receipts_vat_lines_not_each_lines_own_vat(app):
    shop = Shop()
    mia = make_member(make_user("member"), number="C-101")
    lines = [(1519, 2000), (1519, 2000), (2426, 2000), (300, 0)]
    sale = shop.sell(mia, lines, utc(2025, 3, 3, 10))
    per_line_rounding = sum(gross - vat_in_gross(gross, rate) for gross, rate in lines)
    got = patronage.purchases_by_member(date(2025, 1, 1), date(2025, 12, 31))
    assert (sale.total, sale.vat_total) == (5764, 911)
    assert got == {mia.id: 5764 - 911}
    assert got[mia.id] == per_line_rounding - 1
    [row] = patronage.member_purchases(mia.id, date(2025, 1, 1), date(2025, 12, 31))
    assert row.net == got[mia.id]


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
        sign = -1 if rng.random() < 0.2 else 1  # a refund's lines are all negative
        lines = [(sign * rng.randint(0, 5000), rng.choice([0, 500, 2000])) for _ in range(rng.randint(1, 4))]
        at = utc(2025, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23))
        shop.sell(member, lines, at, kind="refund" if sign < 0 else "sale")
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
