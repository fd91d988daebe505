"""The VAT report: by rate and by reason against a hand-computed day, reconciled to the Z reports to
the penny on random sales (hypothesis, both engines), and its CSV, PDF and sales lines."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Category, Product, Sale, TaxCategory, ZReport
from bakery.services import reports
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.till import baskets, cash, checkout, order_extras, refunds, tills
from tests.app.reports.helpers import known_day, sell
from tests.factories import make_member, make_user, sign_in


def today_scope(till_id: int | None = None) -> reports.Scope:
    today = reports.today()
    return reports.scope(reports.Period(today, today), till_id)


def test_the_vat_report_matches_a_hand_computed_day_by_rate_and_by_reason(app):
    day = known_day(close=True)
    pasty_cat = TaxCategory(code="hot-food", name="hot food", takeaway_bp=0, eat_in_bp=2000, hot=True)
    pasty = Product(
        name="Pasty", category=db.session.scalar(select(Category)), tax_category=pasty_cat, price=360
    )
    db.session.add(pasty)
    db.session.commit()
    actor = Actor(day.staff.id, day.till.id)
    cash.open_session(day.till.id, 0, actor)
    sell(day.till, actor, [(pasty, 1)], "card")  # hot food taken away: 20 % -> VAT 60p
    v = reports.vat_report(today_scope())
    # 0 %: 2 croissants taken away, less 1 refunded = 2.50; 20 %: latte 3.20 + croissant 2.00 + pasty 3.60
    assert [(b.rate_bp, b.gross, b.vat, b.net) for b in v.bands] == [(0, 250, 0, 250), (2000, 880, 146, 734)]
    assert [(b.reason, b.rate_bp, b.gross, b.vat) for b in v.reasons] == [
        ("Eat-in", 2000, 520, 86),
        ("Hot food", 2000, 360, 60),
        ("Standard", 0, 250, 0),
    ]
    assert (v.total.gross, v.total.vat, v.total.net) == (1130, 146, 984)
    r = v.reconciliation
    assert r.z_reports == 1 and r.agrees
    assert [(b.rate_bp, b.gross, b.vat) for b in r.z_bands] == [(0, 250, 0), (2000, 520, 86)]
    assert [(b.rate_bp, b.gross, b.vat) for b in r.outside] == [(2000, 360, 60)]


class Shop:
    """A till and products across four VAT categories, one of them hot food."""

    def __init__(self) -> None:
        self.staff = make_user("staff", pin="1234")
        self.manager = make_user("manager", pin="4321")
        self.till = tills.create_till(f"Till {uuid.uuid4().hex[:4]}", "counter", Actor(self.manager.id))
        self.actor = Actor(self.staff.id, self.till.id)
        cold = TaxCategory(code="cold", name="cold food", takeaway_bp=0, eat_in_bp=2000)
        hot = TaxCategory(code="hot", name="hot food", takeaway_bp=0, eat_in_bp=2000, hot=True)
        reduced = TaxCategory(code="reduced", name="reduced", takeaway_bp=500, eat_in_bp=500)
        odd = TaxCategory(code="odd", name="odd rate", takeaway_bp=1250, eat_in_bp=1750)
        menu = Category(name="Menu")
        self.products = [
            Product(name=f"P{i}", category=menu, tax_category=tax, price=price)
            for i, (tax, price) in enumerate(
                [(cold, 333), (hot, 199), (reduced, 1249), (odd, 7), (hot, 1001)]
            )
        ]
        db.session.add_all(self.products)
        db.session.commit()


orders = st.lists(
    st.tuples(
        st.lists(
            st.tuples(
                st.integers(0, 4),
                st.integers(1, 6),
                st.sampled_from([None, True, False]),
                st.integers(0, 150),
            ),
            min_size=1,
            max_size=4,
        ),
        st.booleans(),
        st.sampled_from(["cash", "card"]),
        st.lists(st.integers(0, 6), max_size=4),
    ),
    min_size=1,
    max_size=4,
)


def test_the_vat_report_reconciles_to_the_z_reports_to_the_penny_on_random_sales(app):
    shop = Shop()
    member = make_member()

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(orders=orders, counted_off=st.integers(-300, 300))
    def check(orders, counted_off):
        till, actor = shop.till.id, shop.actor
        cash.open_session(till, 1000, actor)
        for lines, eat_in, method, refund_qty in orders:
            for product, qty, line_eat_in, discount in lines:
                basket = baskets.add_line(till, shop.products[product].id, actor, qty=qty)
                line = basket.lines[-1]
                if line_eat_in is not None:
                    baskets.set_line_eat_in(till, line.id, line_eat_in)
                if discount:
                    with contextlib.suppress(ServiceError):
                        order_extras.set_line_discount(
                            till, line.id, "amount", discount, "staff discount", actor, threshold_bp=10_000
                        )
            baskets.set_eat_in(till, eat_in, actor)
            if method == "card":
                order_extras.attach_member(till, "", actor, member_id=member.id)
            basket = baskets.open_basket(till)
            due = baskets.price(basket).totals.total
            if due == 0:
                basket = baskets.add_line(till, shop.products[0].id, actor)
                due = baskets.price(basket).totals.total
            sale = checkout.tender(till, basket.key, method, due, actor)
            assert isinstance(sale, Sale)
            left = checkout.refundable(sale)
            chosen = {line.id: min(q, left[line.id]) for line, q in zip(sale.lines, refund_qty, strict=False)}
            if any(chosen.values()):
                refunds.refund(till, sale.id, chosen, "cash", "random", shop.manager.id, "4321", actor)
        expected = cash.current_totals(till)
        assert expected is not None
        cash.close_session(till, max(expected.expected_cash + counted_off, 0), actor)

        v = reports.vat_report(today_scope())
        stored: dict[int, list[int]] = {}
        for (figures,) in db.session.execute(select(ZReport.totals_json)):
            for rate, gross, vat, _net in json.loads(figures)["bands"]:
                stored.setdefault(rate, [0, 0])
                stored[rate][0] += gross
                stored[rate][1] += vat
        z = {rate: tuple(pair) for rate, pair in stored.items() if pair != [0, 0]}
        assert {b.rate_bp: (b.gross, b.vat) for b in v.bands if b.gross or b.vat} == z
        assert v.reconciliation.agrees and v.reconciliation.outside == []
        assert v.total.vat == db.session.scalar(select(func.sum(Sale.vat_total)))
        assert v.total.gross == db.session.scalar(select(func.sum(Sale.total)))
        by_rate: dict[int, list[int]] = {}
        for r in v.reasons:
            by_rate.setdefault(r.rate_bp, [0, 0])
            by_rate[r.rate_bp][0] += r.gross
            by_rate[r.rate_bp][1] += r.vat
        assert {rate: tuple(p) for rate, p in by_rate.items()} == {
            b.rate_bp: (b.gross, b.vat) for b in v.bands
        }
        assert all(b.net == b.gross - b.vat for b in v.bands)

    check()


def test_the_vat_report_page_csv_and_pdf(app, client):
    known_day(close=True)
    sign_in(client, make_user("admin"))
    today = reports.today().isoformat()
    page = client.get(f"/office/reports/vat?start={today}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "agree with these figures to the penny" in html and "Eat-in" in html
    text = client.get(f"/office/reports/vat.csv?start={today}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert ["0%", "2.50", "0.00", "2.50"] in rows and ["20%", "5.20", "0.86", "4.34"] in rows
    pdf = client.get(f"/office/reports/vat.pdf?start={today}")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF") and b"VAT report" in pdf.data


def test_the_sales_lines_csv_has_one_row_a_line_and_defuses_formulas(app, client):
    day = known_day()
    nasty = day.menu["croissant"]
    nasty.name = '=HYPERLINK("http://evil")'
    db.session.commit()
    actor = Actor(day.staff.id, day.till.id)
    member = make_member(number="@M-1")
    baskets.add_line(day.till.id, nasty.id, actor, qty=1)
    order_extras.attach_member(day.till.id, "", actor, member_id=member.id)
    basket = baskets.open_basket(day.till.id)
    checkout.tender(day.till.id, basket.key, "cash", baskets.price(basket).totals.total, actor)
    sign_in(client, make_user("admin"))
    response = client.get(f"/office/reports/sales-lines.csv?start={reports.today().isoformat()}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 5
    refund = next(r for r in rows if r["kind"] == "refund")
    assert (refund["product"], refund["qty"], refund["gross"], refund["vat_rate"]) == (
        "Croissant",
        "-1",
        "-2.50",
        "0%",
    )
    assert refund["staff"] == "Sam Counter" and refund["member_number"] == ""
    discounted = rows[2]
    assert (discounted["gross"], discounted["discount"], discounted["vat"], discounted["vat_rate"]) == (
        "2.00",
        "0.50",
        "0.33",
        "20%",
    )
    last = rows[-1]
    assert last["product"] == '\'=HYPERLINK("http://evil")'
    assert last["member_number"] == "'@M-1"
    assert all(not cell.startswith(("=", "+", "@", "\t", "\r")) for row in rows for cell in row.values())


def test_the_bands_summed_from_the_reasons_equal_the_bands_summed_in_sql(app):
    known_day(close=True)
    from bakery.services.reports import vat

    where = today_scope()
    assert vat.bands_of_reasons(vat.reasons(where)) == vat.bands(where)
