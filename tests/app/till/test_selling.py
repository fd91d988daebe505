"""Ringing up and paying on the till, through the htmx endpoints."""

from __future__ import annotations

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Basket, Payment, Product, Sale, SaleLine, StockMovement
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import post


def add(client, product_id, **extra):
    return post(client, "/till/lines", {"product_id": str(product_id), **extra}, htmx=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_closed_till_asks_for_the_float_first(client):
    from tests.factories import make_till, make_user, pair, pin_in

    pair(client, make_till())
    pin_in(client, make_user("staff"))
    page = client.get("/till/sell").get_data(as_text=True)
    assert "Count the float" in page
    response = post(client, "/till/open", {"opening_float": "-5"})
    assert response.status_code == 422
    assert post(client, "/till/open", {"opening_float": "100.00"}).status_code == 302
    assert "Order" in client.get("/till/sell").get_data(as_text=True)


def test_a_tap_adds_a_line_and_updates_the_total_out_of_band(client):
    menu = make_menu()
    open_till_for(client)
    response = add(client, menu["croissant"].id)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="basket"' in body and "Croissant" in body
    assert 'id="basket-total" class="basket-total" hx-swap-oob="true">£2.50' in body
    assert response.headers["HX-Trigger"] == "basket-changed"
    assert "<html" not in body
    add(client, menu["croissant"].id)
    [line] = db.session.scalar(select(Basket)).lines
    assert line.qty == 2


def test_a_variant_and_a_modifier_price_the_line(client):
    menu = make_menu()
    open_till_for(client)
    large = menu["latte"].variants[1]
    body = add(client, menu["latte"].id, variant_id=str(large.id), option_ids=str(menu["oat"].id)).get_data(
        as_text=True
    )
    assert "Latte · Large · Oat milk" in body
    assert "£4.10" in body


def test_a_product_with_sizes_needs_a_size(client):
    menu = make_menu()
    open_till_for(client)
    response = add(client, menu["latte"].id)
    assert response.status_code == 422
    assert "Choose a size" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).select_from(Basket)) == 0
        or not db.session.scalar(select(Basket)).lines
    )


def test_unknown_or_inactive_products_are_refused(client):
    menu = make_menu()
    open_till_for(client)
    assert add(client, 99999).status_code == 422
    menu["croissant"].active = False
    db.session.commit()
    response = add(client, menu["croissant"].id)
    assert response.status_code == 422 and "not on sale" in response.get_data(as_text=True)


def test_absurd_quantity_steps_are_refused(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    line = db.session.scalar(select(Basket)).lines[0]
    response = post(client, f"/till/lines/{line.id}/qty", {"delta": "5000"}, htmx=True)
    assert response.status_code == 422
    assert db.session.scalar(select(Basket)).lines[0].qty == 1


def test_eat_in_changes_the_vat_reason_of_cold_food(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    body = post(client, "/till/eat-in", {"eat_in": "y"}, htmx=True).get_data(as_text=True)
    assert "eat-in · 20%" in body


def test_paying_cash_completes_the_sale_with_change_due(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    add(client, menu["croissant"].id)
    key = db.session.scalar(select(Basket.key))
    response = post(client, "/till/pay", {"basket_key": key, "method": "cash", "amount": "5.00"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert "Change due" in body and "£2.50" in body
    sale = db.session.scalar(select(Sale))
    assert sale.receipt_no == 1 and sale.total == 250 and sale.till_id == till.id
    [payment] = db.session.scalars(select(Payment)).all()
    assert (payment.amount, payment.tendered, payment.change) == (250, 500, 250)
    assert db.session.scalar(select(SaleLine.vat_reason)) == "cold food · takeaway · 0%"


def test_card_cannot_pay_more_than_is_due_and_nothing_is_written(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    key = db.session.scalar(select(Basket.key))
    response = post(client, "/till/pay", {"basket_key": key, "method": "card", "amount": "9.00"}, htmx=True)
    assert response.status_code == 422
    assert count(Sale) == 0 and count(Payment) == 0


def test_split_tender_cash_then_card(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    add(client, menu["croissant"].id)
    key = db.session.scalar(select(Basket.key))
    partial = post(client, "/till/pay", {"basket_key": key, "method": "cash", "amount": "2.00"}, htmx=True)
    assert "Still due" in partial.get_data(as_text=True)
    assert count(Sale) == 0
    post(
        client,
        "/till/pay",
        {"basket_key": key, "method": "card", "amount": "3.00", "reference": "A1"},
        htmx=True,
    )
    assert sorted(db.session.execute(select(Payment.method, Payment.amount)).all()) == [
        ("card", 300),
        ("cash", 200),
    ]


def test_a_second_pay_on_the_same_basket_returns_the_first_sale(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    key = db.session.scalar(select(Basket.key))
    first = post(client, "/till/pay", {"basket_key": key, "method": "cash", "amount": "2.50"}, htmx=True)
    again = post(client, "/till/pay", {"basket_key": key, "method": "cash", "amount": "2.50"}, htmx=True)
    assert again.status_code == 200
    assert "Receipt 1 " in first.get_data(as_text=True) and "Receipt 1 " in again.get_data(as_text=True)
    assert count(Sale) == 1


def test_selling_the_last_tracked_item_moves_stock_and_the_next_is_sold_out(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["loaf"].id)
    key = db.session.scalar(select(Basket.key))
    post(client, "/till/pay", {"basket_key": key, "method": "cash", "amount": "4.50"}, htmx=True)
    assert db.session.get(Product, menu["loaf"].id).on_hand == 0
    assert db.session.scalar(select(StockMovement.qty)) == -1
    add(client, menu["loaf"].id)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    response = post(client, "/till/pay", {"basket_key": key, "method": "cash", "amount": "4.50"}, htmx=True)
    assert response.status_code == 409
    assert "sold out" in response.get_data(as_text=True)
    assert count(Sale) == 1


def test_a_receipt_shows_vat_bands_and_the_chain_tag(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    add(client, menu["latte"].id, variant_id=str(menu["latte"].variants[0].id))
    key = db.session.scalar(select(Basket.key))
    body = post(
        client, "/till/pay", {"basket_key": key, "method": "cash", "amount": "10"}, htmx=True
    ).get_data(as_text=True)
    assert "VAT 0% on £2.50" in body and "VAT 20% on £3.20" in body and "£0.53" in body
    assert "Chain " in body


def test_a_sale_queued_behind_a_z_report_is_refused_not_slipped_into_it(client):
    """The receipt counter queues a sale behind a close; holding it, the sale looks again."""
    import pytest

    from bakery.services.audit import Actor
    from bakery.services.till import cash, checkout
    from bakery.services.till.checkout import TillClosed

    till, staff = open_till_for(client)
    session_id = checkout.open_session_for(till.id).id
    cash.close_session(till.id, 10000, Actor(staff.id, till.id))
    with pytest.raises(TillClosed, match="closed while the sale was being paid"):
        checkout.next_receipt_no(till.id, session_id)
    db.session.rollback()
