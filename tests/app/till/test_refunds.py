"""Refunds with a manager's PIN: a new negative sale linked to the original, never more than sold."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Basket, Product, Sale, SaleLine
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.till import refunds
from bakery.services.till.checkout import RefundTooLarge
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_user, post


@pytest.fixture
def sold(client):
    menu = make_menu()
    till, staff = open_till_for(client)
    for product in ("croissant", "croissant", "loaf"):
        post(client, "/till/lines", {"product_id": str(menu[product].id)}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    post(client, "/till/pay", {"basket_key": key, "method": "cash", "amount": "20"}, htmx=True)
    manager = make_user("manager", pin="8080")
    sale = db.session.scalar(select(Sale))
    return {"till": till, "staff": staff, "manager": manager, "sale": sale, "menu": menu}


def lines_of(sale):
    return {line.description: line for line in sale.lines}


def test_refunding_one_line_makes_a_linked_negative_sale_and_leaves_the_original(sold):
    sale = sold["sale"]
    before = (sale.total, sale.vat_total, [(line.qty, line.gross) for line in sale.lines])
    croissants = lines_of(sale)["Croissant"]
    refund = refunds.refund(
        sold["till"].id,
        sale.id,
        {croissants.id: 1},
        "cash",
        "stale",
        sold["manager"].id,
        "8080",
        Actor(sold["staff"].id, sold["till"].id),
    )
    assert refund.kind == "refund" and refund.refund_of_id == sale.id
    assert refund.total == -250 and refund.receipt_no == sale.receipt_no + 1
    [line] = refund.lines
    assert (line.qty, line.gross, line.refund_of_line_id) == (-1, -250, croissants.id)
    db.session.expire_all()
    original = db.session.get(Sale, sale.id)
    assert (original.total, original.vat_total, [(x.qty, x.gross) for x in original.lines]) == before


def test_a_refund_returns_tracked_stock(sold):
    sale = sold["sale"]
    loaf = lines_of(sale)["Sourdough"]
    refunds.refund(
        sold["till"].id,
        sale.id,
        {loaf.id: 1},
        "card",
        "wrong loaf",
        sold["manager"].id,
        "8080",
        Actor(sold["staff"].id),
    )
    assert db.session.get(Product, sold["menu"]["loaf"].id).on_hand == 1


def test_a_refund_beyond_what_remains_is_refused_and_nothing_is_written(sold):
    sale = sold["sale"]
    croissants = lines_of(sale)["Croissant"]
    actor = Actor(sold["staff"].id)
    refunds.refund(
        sold["till"].id, sale.id, {croissants.id: 2}, "cash", "both", sold["manager"].id, "8080", actor
    )
    count = db.session.scalar(select(func.count()).select_from(SaleLine))
    with pytest.raises(RefundTooLarge, match="Only 0 of Croissant"):
        refunds.refund(
            sold["till"].id, sale.id, {croissants.id: 1}, "cash", "again", sold["manager"].id, "8080", actor
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SaleLine)) == count


def test_a_wrong_manager_pin_refunds_nothing(sold):
    sale = sold["sale"]
    croissants = lines_of(sale)["Croissant"]
    with pytest.raises(ServiceError, match="Wrong manager PIN"):
        refunds.refund(
            sold["till"].id,
            sale.id,
            {croissants.id: 1},
            "cash",
            "x",
            sold["manager"].id,
            "0000",
            Actor(sold["staff"].id),
        )
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 1


def test_staff_cannot_authorise_their_own_refund(sold):
    sale = sold["sale"]
    croissants = lines_of(sale)["Croissant"]
    with pytest.raises(ServiceError, match="Choose a manager"):
        refunds.refund(
            sold["till"].id,
            sale.id,
            {croissants.id: 1},
            "cash",
            "x",
            sold["staff"].id,
            "1234",
            Actor(sold["staff"].id),
        )


def test_a_full_refund_mirrors_the_sale_vat_exactly(sold):
    sale = sold["sale"]
    refund = refunds.refund(
        sold["till"].id,
        sale.id,
        {line.id: line.qty for line in sale.lines},
        "cash",
        "all",
        sold["manager"].id,
        "8080",
        Actor(sold["staff"].id),
    )
    assert refund.total == -sale.total and refund.vat_total == -sale.vat_total


def test_a_sale_with_a_line_given_away_refunds_without_error(client):
    """A latte discounted to nothing is the only line at 20 %: the receipt has no 20 % band, and a
    refund of the whole sale gives back the croissant and nothing for the free latte."""
    from bakery.services.till import baskets, checkout, order_extras

    menu = make_menu()
    till, staff = open_till_for(client)
    manager = make_user("manager", pin="8080")
    me = Actor(staff.id, till.id)
    baskets.add_line(till.id, menu["croissant"].id, me)
    latte = {"variant_id": menu["latte"].variants[0].id}
    basket = baskets.add_line(till.id, menu["latte"].id, me, **latte)
    free = basket.lines[-1]
    order_extras.set_line_discount(
        till.id, free.id, "amount", 320, "manager's discretion", me, threshold_bp=10_000
    )
    basket = baskets.open_basket(till.id)
    sale = checkout.tender(till.id, basket.key, "cash", baskets.price(basket).totals.total, me)
    assert sale.total == 250
    refund = refunds.refund(
        till.id, sale.id, {line.id: line.qty for line in sale.lines}, "cash", "all", manager.id, "8080", me
    )
    assert refund.total == -250 and refund.vat_total == -sale.vat_total == 0
    assert sorted(line.vat for line in refund.lines) == [0, 0]
