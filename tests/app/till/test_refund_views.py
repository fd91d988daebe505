"""Refunds on the till screen: find the sale, choose lines, a manager's PIN, and what to give back."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AuditEvent, Basket, LedgerEntry, Payment, Sale, SaleLine, User
from bakery.services.audit import Actor
from bakery.services.printing import receipts
from bakery.services.till import checkout, refunds
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_user, post


def ring_up(client, *product_ids, method="cash", amount="20.00"):
    for product_id in product_ids:
        post(client, "/till/lines", {"product_id": str(product_id)}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open").order_by(Basket.id.desc()))
    response = post(client, "/till/pay", {"basket_key": key, "method": method, "amount": amount}, htmx=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return db.session.scalar(select(Sale).order_by(Sale.id.desc()))


@pytest.fixture
def sold(client):
    menu = make_menu()
    till, staff = open_till_for(client)
    sale = ring_up(client, menu["croissant"].id, menu["croissant"].id, menu["loaf"].id)
    manager = make_user("manager", name="Marek Manager", pin="8080")
    lines = {line.description: line.id for line in sale.lines}
    return {"till": till, "staff": staff, "manager": manager, "sale": sale, "lines": lines, "menu": menu}


def rows() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Sale, SaleLine, Payment, LedgerEntry)
    )


def form_key(client, sale_id) -> str:
    page = client.get(f"/till/refunds/{sale_id}").get_data(as_text=True)
    return re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)


def refund(client, sold, quantities, *, pin="8080", reason="stale", method="cash", key=None, htmx=True):
    sale_id = sold["sale"].id
    data = {f"qty-{sold['lines'][name]}": str(qty) for name, qty in quantities.items()}
    data |= {
        "key": key or form_key(client, sale_id),
        "method": method,
        "reason": reason,
        "manager_id": str(sold["manager"].id),
        "manager_pin": pin,
    }
    return post(client, f"/till/refunds/{sale_id}", data, htmx=htmx)


def test_todays_sales_on_this_till_are_listed_newest_first(client, sold):
    second = ring_up(client, sold["menu"]["croissant"].id, amount="2.50")
    body = client.get("/till/refunds").get_data(as_text=True)
    assert body.index(f"/till/refunds/{second.id}") < body.index(f"/till/refunds/{sold['sale'].id}")
    assert "#1" in body and "#2" in body


def test_the_list_follows_the_shops_business_day_not_utc(client):
    menu = make_menu()
    till, staff = open_till_for(client)
    post(client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    key = db.session.scalar(select(Basket.key))
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 July in London
    sale = checkout.tender(till.id, key, "cash", 250, Actor(staff.id, till.id), now=late)
    on_the_2nd = refunds.todays_sales(till.id, now=datetime(2026, 7, 2, 9, 0, tzinfo=UTC))
    assert [s.sale.id for s in on_the_2nd] == [sale.id]
    assert refunds.todays_sales(till.id, now=datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == []
    assert refunds.todays_sales(till.id, now=late + timedelta(days=1)) == []


def test_a_typed_receipt_number_finds_the_sale(client, sold):
    response = client.get("/till/refunds?receipt=1")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/till/refunds/{sold['sale'].id}"


def test_the_text_a_qr_scanner_types_finds_the_sale(client, sold):
    tag = receipts.for_sale(sold["sale"]).chain_tag
    response = client.get(f"/till/refunds?receipt={sold['till'].id}-1-{tag}")
    assert response.headers["Location"] == f"/till/refunds/{sold['sale'].id}"
    forged = client.get(f"/till/refunds?receipt={sold['till'].id}-1-00000000")
    assert forged.status_code == 422 and "does not match" in forged.get_data(as_text=True)
    elsewhere = client.get(f"/till/refunds?receipt={sold['till'].id + 1}-1-{tag}")
    assert elsewhere.status_code == 404 and "another till" in elsewhere.get_data(as_text=True)


def test_the_digital_receipt_address_a_scanner_types_finds_the_sale(client, sold):
    from bakery.models import ReceiptLink

    token = db.session.get(ReceiptLink, sold["sale"].id).token
    response = client.get("/till/refunds", query_string={"receipt": f"http://127.0.0.1:5000/r/{token}"})
    assert response.headers["Location"] == f"/till/refunds/{sold['sale'].id}"
    unknown = client.get("/till/refunds", query_string={"receipt": "http://127.0.0.1:5000/r/nope"})
    assert unknown.status_code == 404 and "not a receipt of this shop" in unknown.get_data(as_text=True)


def test_an_unknown_receipt_number_is_reported_beside_the_box(client, sold):
    response = client.get("/till/refunds?receipt=99")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'id="find-error">There is no receipt 99 on this till.' in body and 'value="99"' in body


def test_the_refund_screen_shows_what_remains_with_steppers_at_zero(client, sold):
    croissants = sold["lines"]["Croissant"]
    refunds.refund(
        sold["till"].id,
        sold["sale"].id,
        {croissants: 1},
        "cash",
        "x",
        sold["manager"].id,
        "8080",
        Actor(sold["staff"].id),
    )
    body = client.get(f"/till/refunds/{sold['sale'].id}").get_data(as_text=True)
    assert "2 sold for £5.00 · 1 can come back" in body
    assert f'name="qty-{croissants}" value="0"' in body
    assert '<option value="' + str(sold["manager"].id) + '">Marek Manager</option>' in body
    assert (
        '<label class="pin-label" for="manager-pin">Manager PIN</label>' in body
        and 'data-keypad-for="manager-pin"' in body
    )
    assert '<input checked id="method-0" name="method" required type="radio" value="cash">' in body


def test_the_stepper_stays_between_nothing_and_what_remains(client, sold):
    croissants = sold["lines"]["Croissant"]
    url = f"/till/refunds/{sold['sale'].id}/lines/{croissants}"
    up = client.get(url, query_string={f"qty-{croissants}": "1", "step": "1"}, headers={"HX-Request": "true"})
    assert f'name="qty-{croissants}" value="2"' in up.get_data(as_text=True)
    capped = client.get(url, query_string={f"qty-{croissants}": "2", "step": "1"})
    assert f'name="qty-{croissants}" value="2"' in capped.get_data(as_text=True)
    floor = client.get(url, query_string={f"qty-{croissants}": "0", "step": "-1"})
    assert f'name="qty-{croissants}" value="0"' in floor.get_data(as_text=True)


def test_a_partial_refund_makes_a_linked_negative_sale_and_leaves_the_original(client, sold):
    original = sold["sale"]
    before = (original.total, [(line.qty, line.gross) for line in original.lines])
    response = refund(client, sold, {"Croissant": 1})
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert response.headers["HX-Trigger"] == "refund-completed"
    assert 'id="refund-back">Give back £2.50 in cash<' in body
    assert 'id="refund-total">-£2.50<' in body and "REFUND" in body
    made = db.session.scalar(select(Sale).where(Sale.kind == "refund"))
    assert (made.refund_of_id, made.total, made.authorised_by_id) == (original.id, -250, sold["manager"].id)
    assert [(line.qty, line.refund_of_line_id) for line in made.lines] == [(-1, sold["lines"]["Croissant"])]
    db.session.expire_all()
    again = db.session.get(Sale, original.id)
    assert (again.total, [(line.qty, line.gross) for line in again.lines]) == before


def test_a_card_refund_says_to_refund_the_card(client, sold):
    body = refund(client, sold, {"Sourdough": 1}, method="card").get_data(as_text=True)
    assert "Refund £4.50 to card" in body


def test_a_refund_beyond_what_remains_is_refused_with_the_reason_and_nothing_written(client, sold):
    before = rows()
    response = refund(client, sold, {"Croissant": 3})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Only 2 of Croissant can still be refunded." in body
    assert 'id="refund-form"' in body and f'name="qty-{sold["lines"]["Croissant"]}" value="3"' in body
    assert rows() == before


def test_a_wrong_manager_pin_is_refused_and_counted(client, sold):
    before = rows()
    response = refund(client, sold, {"Croissant": 1}, pin="1111")
    assert response.status_code == 401
    assert "Wrong manager PIN. Nothing was changed." in response.get_data(as_text=True)
    assert rows() == before
    assert db.session.get(User, sold["manager"].id).failed_attempts == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "auth.wrong_pin")
        )
        == 1
    )


def test_a_refund_without_a_reason_or_with_nothing_chosen_is_refused(client, sold):
    before = rows()
    no_reason = refund(client, sold, {"Croissant": 1}, reason="")
    assert no_reason.status_code == 422 and "Give a reason for the refund." in no_reason.get_data(
        as_text=True
    )
    nothing = refund(client, sold, {"Croissant": 0})
    assert nothing.status_code == 422 and "Choose at least one item" in nothing.get_data(as_text=True)
    garbled = refund(client, sold, {"Croissant": "-1"})
    assert garbled.status_code == 422 and "whole number" in garbled.get_data(as_text=True)
    assert rows() == before
    assert db.session.get(User, sold["manager"].id).failed_attempts == 0


def test_another_tills_sale_is_not_found_here(app, client, sold):
    other = app.test_client()
    menu = sold["menu"]
    open_till_for(other)
    theirs = ring_up(other, menu["croissant"].id, amount="2.50")
    assert theirs.till_id != sold["till"].id
    assert client.get(f"/till/refunds/{theirs.id}").status_code == 404
    before = rows()
    response = post(client, f"/till/refunds/{theirs.id}", {"manager_pin": "8080", "reason": "x"}, htmx=True)
    assert response.status_code == 404
    assert rows() == before
    assert f"/till/refunds/{theirs.id}" not in client.get("/till/refunds").get_data(as_text=True)


def test_the_same_refund_form_submitted_twice_refunds_once(client, sold):
    key = form_key(client, sold["sale"].id)
    first = refund(client, sold, {"Croissant": 1}, key=key)
    second = refund(client, sold, {"Croissant": 1}, key=key)
    assert first.status_code == second.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Sale).where(Sale.kind == "refund")) == 1


def test_a_plain_form_refund_redirects_to_the_refund_receipt(client, sold):
    response = refund(client, sold, {"Sourdough": 1}, htmx=False)
    made = db.session.scalar(select(Sale).where(Sale.kind == "refund"))
    assert response.status_code == 302 and response.headers["Location"] == f"/till/receipts/{made.id}"
    assert "Give back £4.50 in cash" in client.get(response.headers["Location"]).get_data(as_text=True)
