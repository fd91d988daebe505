"""One net of VAT: what the receipt prints, the member's purchases page, patronage and the Z report's
VAT agree to the penny, for random baskets with discounts, mixed VAT bands, refunds and partial
refunds (hypothesis, on both engines)."""

from __future__ import annotations

import contextlib
import re
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import CashSession, Category, Product, Sale, TaxCategory
from bakery.models.types import utcnow
from bakery.services import dividends
from bakery.services.audit import Actor
from bakery.services.dividends import patronage
from bakery.services.dividends.financial_periods import local_today
from bakery.services.errors import ServiceError
from bakery.services.printing import receipts
from bakery.services.till import baskets, cash, checkout, drawer_figures, order_extras, refunds, tills
from tests.factories import make_member, make_user

VAT_LINE = re.compile(r"^VAT .* on .*?(-?)[^\d-]*([\d,]+)\.(\d\d)\s*$")


def printed_vat(sale: Sale) -> int:
    """The VAT a receipt prints: the sum of its band lines, read from the receipt's text."""
    total = 0
    for row in receipts.for_sale(sale).text.splitlines():
        found = VAT_LINE.match(row.strip())
        if found:
            sign, whole, part = found.groups()
            pence = int(whole.replace(",", "")) * 100 + int(part)
            total += -pence if sign else pence
    return total


lines = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4),  # which product
        st.integers(min_value=1, max_value=7),  # quantity
        st.sampled_from([None, True, False]),  # eat in: follow the basket, or this line's own
        st.one_of(
            st.none(),
            st.tuples(st.just("percent"), st.integers(min_value=1, max_value=9_999)),
            st.tuples(st.just("amount"), st.integers(min_value=1, max_value=300)),
        ),
    ),
    min_size=1,
    max_size=5,
)
order_discounts = st.one_of(
    st.none(),
    st.tuples(st.just("percent"), st.integers(min_value=1, max_value=5_000)),
    st.tuples(st.just("amount"), st.integers(min_value=1, max_value=200)),
)
refund_rounds = st.lists(st.lists(st.integers(min_value=0, max_value=7), max_size=5), max_size=3)


class Counter:
    """A till open for trade, a manager for refunds, and five products across VAT bands."""

    def __init__(self) -> None:
        self.staff = make_user("staff", pin="1234")
        self.manager = make_user("manager", pin="4321")
        self.till = tills.create_till(f"Till {uuid.uuid4().hex[:4]}", "counter", Actor(self.manager.id))
        self.session = cash.open_session(self.till.id, 5000, Actor(self.staff.id, self.till.id))
        cold = TaxCategory(code="cold", name="cold food", takeaway_bp=0, eat_in_bp=2000)
        hot = TaxCategory(code="hot", name="hot drinks", takeaway_bp=2000, eat_in_bp=2000, hot=True)
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
        self.actor = Actor(self.staff.id, self.till.id)


def test_receipts_purchases_page_patronage_and_the_z_report_agree_on_random_baskets(app):
    counter = Counter()

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(lines=lines, order_discount=order_discounts, eat_in=st.booleans(), rounds=refund_rounds)
    def check(lines, order_discount, eat_in, rounds):
        member = make_member(make_user("member"), member_class="customer")
        till, actor = counter.till.id, counter.actor
        for product, qty, line_eat_in, discount in lines:
            basket = baskets.add_line(till, counter.products[product].id, actor, qty=qty)
            line = basket.lines[-1]
            if line_eat_in is not None:
                baskets.set_line_eat_in(till, line.id, line_eat_in)
            if discount is not None:
                with contextlib.suppress(ServiceError):  # more than the line: refused, nothing changed
                    order_extras.set_line_discount(
                        till, line.id, discount[0], discount[1], "staff discount", actor, threshold_bp=10_000
                    )
        baskets.set_eat_in(till, eat_in, actor)
        basket = order_extras.attach_member(till, "", actor, member_id=member.id)
        if order_discount is not None:
            with contextlib.suppress(ServiceError):
                order_extras.set_basket_discount(
                    till, order_discount[0], order_discount[1], "staff discount", actor, threshold_bp=10_000
                )
        basket = baskets.open_basket(till)
        due = baskets.price(basket).totals.total
        if due == 0:  # discounted to nothing is not tendered: one more line, undiscounted, keeps it a sale
            basket = baskets.add_line(till, counter.products[lines[0][0]].id, actor)
            due = baskets.price(basket).totals.total
        sale = checkout.tender(till, basket.key, "cash", due, actor)
        assert isinstance(sale, Sale)
        made = [sale]
        for wanted in rounds:
            left = checkout.refundable(sale)
            chosen = {line.id: min(qty, left[line.id]) for line, qty in zip(sale.lines, wanted, strict=False)}
            if not any(chosen.values()):
                continue
            made.append(
                refunds.refund(till, sale.id, chosen, "cash", "partial", counter.manager.id, "4321", actor)
            )
        receipt_net = 0
        for receipt in made:
            vat = printed_vat(receipt)
            assert vat == receipt.vat_total == sum(line.vat for line in receipt.lines)
            assert receipt.total == sum(line.gross for line in receipt.lines)
            receipt_net += receipt.total - vat
        today = local_today(utcnow())
        assert patronage.purchases_by_member(today, today).get(member.id, 0) == receipt_net
        page = dividends.purchases_so_far(member.id, today)
        assert page.total_net == receipt_net
        assert sum(p.net for p in page.purchases) == receipt_net
        z_bands = drawer_figures.totals(db.session.get(CashSession, counter.session.id)).bands
        z_vat = sum(vat for _rate, _gross, vat, _net in z_bands)
        assert z_vat == db.session.scalar(
            select(func.sum(Sale.vat_total)).where(Sale.cash_session_id == counter.session.id)
        )

    check()


def test_a_full_refund_in_parts_gives_back_exactly_the_sales_vat_and_net(app):
    counter = Counter()
    member = make_member(make_user("member"), member_class="customer")
    till, actor = counter.till.id, counter.actor
    baskets.add_line(till, counter.products[0].id, actor, qty=3)  # 3 x 3.33 eaten in: 20 %
    baskets.add_line(till, counter.products[3].id, actor, qty=7)  # 7 x 0.07 at 17.5 %
    baskets.set_eat_in(till, True, actor)
    basket = order_extras.attach_member(till, "", actor, member_id=member.id)
    sale = checkout.tender(till, basket.key, "cash", baskets.price(basket).totals.total, actor)
    parts = []
    for qty in (1, 1, 1):
        chosen = {
            sale.lines[0].id: qty,
            sale.lines[1].id: min(3, checkout.refundable(sale)[sale.lines[1].id]),
        }
        parts.append(refunds.refund(till, sale.id, chosen, "cash", "x", counter.manager.id, "4321", actor))
    assert sum(p.total for p in parts) == -sale.total
    assert sum(printed_vat(p) for p in parts) == -printed_vat(sale) == -sale.vat_total
    today = local_today(utcnow())
    assert patronage.purchases_by_member(today, today).get(member.id, 0) == 0
