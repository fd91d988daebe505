"""A member at the till: their class's discount on the order, and their store credit as a payment."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import (
    Basket,
    LedgerEntry,
    MemberClass,
    Payment,
    PendingPayment,
    Sale,
    SaleLine,
    StoreCredit,
)
from bakery.services import members
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.till import refunds
from tests.app.till.helpers import make_menu, open_till_for
from tests.app.till.test_concurrency import hx_post, open_key, release_together, tablet_with
from tests.factories import make_member, make_user, post


def add(client, product_id, **extra):
    return post(client, "/till/lines", {"product_id": str(product_id), **extra}, htmx=True)


def open_basket() -> Basket:
    return db.session.scalar(select(Basket).where(Basket.status == "open"))


def pay(client, method, amount, key=None):
    data = {"basket_key": key or open_basket().key, "method": method, "amount": amount}
    return post(client, "/till/pay", data, htmx=True)


def attach(client, number):
    return post(client, "/till/member", {"code": number}, htmx=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def give_credit(member_id: int, amount: int) -> None:
    db.session.add(StoreCredit(member_id=member_id, amount=amount, reason="dividend"))
    db.session.commit()


def latte_regular(menu) -> str:
    return str(menu["latte"].variants[0].id)


# --- the member discount ---------------------------------------------------------------------


def test_the_member_discount_comes_from_the_class_and_covers_lines_added_later(client):
    menu = make_menu()
    open_till_for(client)
    make_member(number="W-0001", member_class="worker")  # 10 % at the till
    add(client, menu["croissant"].id)

    attached = attach(client, "W-0001").get_data(as_text=True)
    assert ">Member discount 10%<" in attached and "£2.25" in attached  # 250 - 25

    later = add(client, menu["latte"].id, variant_id=latte_regular(menu)).get_data(as_text=True)
    assert "£5.13" in later  # (250 + 320) - 57

    paid = pay(client, "cash", "10").get_data(as_text=True)
    sale = db.session.scalar(select(Sale))
    assert (sale.subtotal, sale.discount_total, sale.total) == (570, 57, 513)
    assert sale.reason == "member discount"
    assert db.session.scalar(select(func.sum(SaleLine.basket_discount_share))) == 57
    assert "Member discount" in paid and "-£0.57" in paid


def test_the_member_discount_is_worked_out_at_pay_time_from_the_class_as_it_is_then(client):
    menu = make_menu()
    open_till_for(client)
    make_member(number="W-0002", member_class="worker")
    add(client, menu["croissant"].id)
    attach(client, "W-0002")
    worker = members.class_named("worker")
    worker.till_discount_bp = 2000  # the class changed between attaching and paying
    db.session.commit()

    pay(client, "cash", "10")

    assert db.session.scalar(select(Sale.total)) == 200
    assert db.session.scalar(select(Basket.discount)) == 0  # nothing stored to go stale


def test_taking_the_member_off_removes_their_discount(client):
    menu = make_menu()
    open_till_for(client)
    make_member(number="W-0003", member_class="worker")
    add(client, menu["croissant"].id)
    attach(client, "W-0003")

    detached = post(client, "/till/member/remove", htmx=True).get_data(as_text=True)
    assert "member discount" not in detached and "£2.50" in detached

    pay(client, "cash", "10")
    sale = db.session.scalar(select(Sale))
    assert (sale.total, sale.discount_total, sale.member_id, sale.reason) == (250, 0, None, None)


def test_a_member_discount_and_a_manual_order_discount_do_not_stack_the_larger_applies(client):
    menu = make_menu()
    open_till_for(client)
    make_member(number="W-0004", member_class="worker")
    add(client, menu["croissant"].id)
    add(client, menu["latte"].id, variant_id=latte_regular(menu))
    attach(client, "W-0004")  # 10 % of 570 = 57
    staff = {"kind": "amount", "reason": "staff discount"}

    smaller = post(client, "/till/discount", {**staff, "value": "0.30"}, htmx=True)
    assert smaller.status_code == 200
    assert "Member discount 10% (staff discount £0.30 not applied: the larger applies)" in smaller.get_data(
        as_text=True
    )
    assert "£5.13" in smaller.get_data(as_text=True)

    larger = post(client, "/till/discount", {**staff, "value": "1.00"}, htmx=True)
    assert larger.status_code == 200  # 1.00 of 5.70 is under the manager's threshold
    assert "Staff discount £1.00 (member discount 10% not applied: the larger applies)" in larger.get_data(
        as_text=True
    )

    paid = pay(client, "cash", "10").get_data(as_text=True)
    sale = db.session.scalar(select(Sale))
    assert (sale.discount_total, sale.total, sale.reason) == (100, 470, "staff discount")
    assert "Order discount (staff discount)" in paid and "Member discount" not in paid


# --- store credit ----------------------------------------------------------------------------


def test_store_credit_is_offered_only_with_a_member_who_has_a_balance(client):
    menu = make_menu()
    open_till_for(client)
    broke = make_member(number="C-0001", member_class="community")
    rich = make_member(number="C-0002", member_class="community")
    give_credit(rich.id, 300)

    nobody = add(client, menu["croissant"].id).get_data(as_text=True)
    assert 'value="credit"' not in nobody
    refused = pay(client, "credit", "1.00")
    assert refused.status_code == 422 and "Store credit is for members" in refused.get_data(as_text=True)

    assert 'value="credit"' not in attach(client, broke.number).get_data(as_text=True)
    post(client, "/till/member/remove", htmx=True)
    offered = attach(client, rich.number).get_data(as_text=True)
    assert 'value="credit"' in offered and "Store credit (£3.00 left)" in offered
    assert count(PendingPayment) == 0 and count(Sale) == 0


def test_paying_part_with_store_credit_and_the_rest_in_cash(client):
    menu = make_menu()
    open_till_for(client)
    member = make_member(number="C-0003", member_class="community")
    give_credit(member.id, 300)
    add(client, menu["croissant"].id)
    add(client, menu["croissant"].id)
    attach(client, member.number)

    partial = pay(client, "credit", "3.00").get_data(as_text=True)
    assert "Paid store credit" in partial and "Still due" in partial and "£2.00" in partial
    assert 'value="credit"' not in partial  # nothing left to offer
    assert count(StoreCredit) == 1  # spent only when the sale completes

    done = pay(client, "cash", "5.00")
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and "Change due" in body and "£3.00" in body
    sale = db.session.scalar(select(Sale))
    assert sorted(db.session.execute(select(Payment.method, Payment.amount, Payment.change)).all()) == [
        ("cash", 200, 300),
        ("credit", 300, 0),
    ]
    spent = db.session.scalar(select(StoreCredit).where(StoreCredit.reason == "sale"))
    assert (spent.amount, spent.sale_id, spent.member_id) == (-300, sale.id, member.id)
    assert members.store_credit_balance(member.id) == 0
    assert "Store credit" in body


def test_store_credit_beyond_the_balance_is_refused_and_nothing_is_written(client):
    menu = make_menu()
    open_till_for(client)
    member = make_member(number="C-0004", member_class="community")
    give_credit(member.id, 200)
    add(client, menu["croissant"].id)
    attach(client, member.number)

    refused = pay(client, "credit", "2.50")
    assert refused.status_code == 422
    assert "Only 2.00 of store credit is left" in refused.get_data(as_text=True)
    assert pay(client, "credit", "1.50").status_code == 200  # tendered, not yet spent
    again = pay(client, "credit", "0.60")  # 1.50 already tendered from the 2.00
    assert again.status_code == 422 and "Only 0.50 of store credit" in again.get_data(as_text=True)

    assert count(Sale) == 0 and count(Payment) == 0 and count(PendingPayment) == 1
    assert members.store_credit_balance(member.id) == 200


def test_credit_spent_on_another_till_meanwhile_is_refused_when_the_sale_completes(client, app):
    menu = make_menu()
    open_till_for(client)
    member = make_member(number="C-0005", member_class="community")
    give_credit(member.id, 200)
    add(client, menu["croissant"].id)
    attach(client, member.number)
    first_key = open_basket().key
    assert pay(client, "credit", "2.00", first_key).status_code == 200

    other = app.test_client()
    till, _ = open_till_for(other)
    add(other, menu["croissant"].id)
    attach(other, member.number)
    other_key = open_key(till.id)
    assert pay(other, "credit", "2.00", other_key).status_code == 200
    assert pay(other, "cash", "0.50", other_key).status_code == 200

    late = pay(client, "cash", "0.50", first_key)
    assert late.status_code == 422 and "Only 0.00 of store credit" in late.get_data(as_text=True)
    assert count(Sale) == 1 and count(LedgerEntry) == 1
    assert members.store_credit_balance(member.id) == 0


def test_two_tills_spending_the_same_credit_at_once_never_take_the_balance_below_zero(app):
    menu = make_menu()
    member = make_member(number="C-0006", member_class="community")
    give_credit(member.id, 500)
    tablets = [tablet_with(app, menu["croissant"].id) for _ in range(4)]  # 2.50 each, 5.00 of credit
    for tablet in tablets:
        assert hx_post(app, tablet, "/till/member", {"code": member.number}).status == 200

    answers = release_together(
        [
            lambda t=t: hx_post(
                app, t, "/till/pay", {"basket_key": t.basket_key, "method": "credit", "amount": "2.50"}
            )
            for t in tablets
        ]
    )

    statuses = Counter(a.status for a in answers)
    assert statuses == {200: 2, 422: 2}, [a.body for a in answers if a.status not in (200, 422)]
    assert all("store credit" in a.body for a in answers if a.status == 422)
    assert members.store_credit_balance(member.id) == 0
    assert count(Sale) == 2
    assert db.session.scalars(select(StoreCredit.amount).order_by(StoreCredit.id)).all() == [500, -250, -250]


def test_a_sale_paid_with_store_credit_is_refunded_back_to_store_credit(client):
    menu = make_menu()
    till, staff = open_till_for(client)
    manager = make_user("manager", pin="8080")
    member = make_member(number="C-0007", member_class="community")
    give_credit(member.id, 1000)
    add(client, menu["croissant"].id)
    add(client, menu["croissant"].id)
    attach(client, member.number)
    pay(client, "credit", "5.00")
    sale = db.session.scalar(select(Sale))
    [line] = sale.lines
    who = Actor(staff.id, till.id)

    refund = refunds.refund(till.id, sale.id, {line.id: 1}, "credit", "stale", manager.id, "8080", who)

    back = db.session.scalar(select(StoreCredit).where(StoreCredit.reason == "refund"))
    assert (back.amount, back.sale_id, back.member_id) == (250, refund.id, member.id)
    assert [(p.method, p.amount) for p in refund.payments] == [("credit", -250)]
    assert members.store_credit_balance(member.id) == 750
    assert refunds.give_back(refund) == "£2.50 is back on the member's store credit"


def test_a_refund_to_store_credit_of_a_sale_not_paid_with_it_is_refused(client):
    menu = make_menu()
    till, staff = open_till_for(client)
    manager = make_user("manager", pin="8080")
    member = make_member(number="C-0008", member_class="community")
    add(client, menu["croissant"].id)
    attach(client, member.number)
    pay(client, "cash", "2.50")
    sale = db.session.scalar(select(Sale))
    [line] = sale.lines

    with pytest.raises(ServiceError, match="not paid with store credit"):
        refunds.refund(
            till.id, sale.id, {line.id: 1}, "credit", "stale", manager.id, "8080", Actor(staff.id, till.id)
        )
    db.session.rollback()
    assert count(Sale) == 1 and count(StoreCredit) == 0


def test_a_member_class_without_a_till_discount_leaves_the_price_alone(client):
    menu = make_menu()
    open_till_for(client)
    make_member(number="C-0009", member_class="community")
    assert db.session.scalar(select(MemberClass.till_discount_bp).where(MemberClass.name == "community")) == 0
    add(client, menu["croissant"].id)
    body = attach(client, "C-0009").get_data(as_text=True)
    assert "member discount" not in body
    pay(client, "cash", "2.50")
    assert db.session.scalar(select(Sale.discount_total)) == 0
