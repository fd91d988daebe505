"""The end-of-day markdown at the till: one tap takes the shop's percentage off the order's
batch-baked lines, recorded as an end-of-day reduction; bad input changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bakery.extensions import db
from bakery.models import AuditEvent, Basket, Sale, ShopSettings
from bakery.services import stock
from bakery.services import till as till_services
from bakery.services.till.pricing import price
from tests.app.stock.kitchen import key, make_kitchen
from tests.app.till.helpers import open_till_for
from tests.factories import make_user, post, sign_in


@pytest.fixture
def kitchen(app):
    return make_kitchen(make_user("manager").id)


def add(client, product_id):
    return post(client, "/till/lines", {"product_id": str(product_id)}, htmx=True)


def basket() -> Basket:
    db.session.expire_all()
    return db.session.scalar(select(Basket).where(Basket.status == "open"))


def test_the_markdown_is_a_recorded_discount_reason():
    assert till_services.MARKDOWN_REASON in till_services.DISCOUNT_REASONS


def test_one_tap_takes_half_off_the_baked_lines_only(client, kitchen):
    open_till_for(client)
    add(client, kitchen.loaf.id)
    add(client, kitchen.loaf.id)
    add(client, kitchen.latte.id)

    response = post(client, "/till/markdown", htmx=True)

    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "basket-changed"
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'id="basket-total"' in html and "hx-swap-oob" in html
    assert "end-of-day reduction 50%" in html
    priced = price(basket())
    loaf = next(p for p in priced.lines if p.product.id == kitchen.loaf.id)
    latte = next(p for p in priced.lines if p.product.id == kitchen.latte.id)
    assert (loaf.line.qty, loaf.discount, loaf.line.discount_reason) == (2, 450, "end-of-day reduction")
    assert (latte.discount, latte.line.discount_reason) == (0, None)
    assert priced.totals.total == 450 + 320
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "till.markdown"))
    assert json.loads(event.details) == {"lines": 1, "markdown_bp": 5000, "discount": 450}


def test_the_markdown_follows_the_shops_setting_and_the_line_quantity(client, kitchen):
    db.session.add(ShopSettings(id=1, markdown_bp=3000))
    db.session.commit()
    open_till_for(client)
    add(client, kitchen.loaf.id)
    post(client, "/till/markdown", htmx=True)
    line = basket().lines[0]
    assert (line.line_discount_bp, line.line_discount) == (3000, 0)
    assert price(basket()).lines[0].discount == 135
    post(client, f"/till/lines/{line.id}/qty", {"delta": "1"}, htmx=True)
    assert price(basket()).lines[0].discount == 270


def test_the_markdown_is_sold_through_checkout_with_its_reason(client, kitchen):
    stock.record_bake(kitchen.loaf.id, 6, key=key(), actor=kitchen.actor)
    open_till_for(client)
    add(client, kitchen.loaf.id)
    post(client, "/till/markdown", htmx=True)
    open_basket = basket()
    response = post(
        client,
        "/till/pay",
        {
            "basket_key": open_basket.key,
            "method": "card",
            "amount": "2.25",
            "tender_key": "markdown-tender-1",
        },
        htmx=True,
    )
    assert response.status_code == 200
    sale = db.session.scalar(select(Sale))
    assert (sale.total, sale.discount_total, sale.lines[0].line_discount) == (225, 225, 225)


def test_a_second_tap_changes_nothing(client, kitchen):
    open_till_for(client)
    add(client, kitchen.loaf.id)
    post(client, "/till/markdown", htmx=True)
    post(client, "/till/markdown", htmx=True)
    assert price(basket()).totals.total == 225


def test_an_order_with_nothing_baked_in_batches_is_refused_and_left_as_it_was(client, kitchen):
    open_till_for(client)
    add(client, kitchen.latte.id)

    response = post(client, "/till/markdown", htmx=True)

    assert response.status_code == 422
    assert "Nothing in this order is baked in batches" in response.get_data(as_text=True)
    assert basket().lines[0].discount_reason is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "till.markdown")) is None


def test_an_empty_basket_is_refused(client, kitchen):
    open_till_for(client)
    response = post(client, "/till/markdown", htmx=True)
    assert response.status_code == 422
    assert "The basket is empty." in response.get_data(as_text=True)


def test_the_markdown_needs_the_csrf_token_and_a_till(client, kitchen):
    assert client.post("/till/markdown").status_code in (302, 400, 403)
    open_till_for(client)
    add(client, kitchen.loaf.id)
    assert client.post("/till/markdown", headers={"HX-Request": "true"}).status_code == 400
    assert basket().lines[0].discount_reason is None


def test_the_basket_offers_the_markdown_at_the_shops_percentage(client, kitchen):
    open_till_for(client)
    add(client, kitchen.loaf.id)
    assert "End of day \u221250%" in client.get("/till/sell").get_data(as_text=True)


@pytest.mark.parametrize("typed", ["0", "101", "-5", "half", "12.345"])
def test_a_markdown_setting_outside_1_to_100_percent_is_refused(client, typed):
    admin = make_user("admin")
    sign_in(client, admin)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "End-of-day markdown" in page
    data = {
        "shop_name": "Our Bakery Co-op", "currency": "GBP", "locale": "en_GB", "timezone": "Europe/London",
        "till_idle_seconds": "180", "void_manager_above": "20.00", "receipt_after_pay": "ask", "markdown_bp": typed,
    }  # fmt: skip
    response = post(client, "/admin/settings", data)
    assert response.status_code == 422
    db.session.expire_all()
    assert (db.session.get(ShopSettings, 1) or ShopSettings(markdown_bp=5000)).markdown_bp == 5000


def test_an_admin_sets_the_markdown(client):
    sign_in(client, make_user("admin"))
    data = {
        "shop_name": "Our Bakery Co-op", "currency": "GBP", "locale": "en_GB", "timezone": "Europe/London",
        "till_idle_seconds": "180", "void_manager_above": "20.00", "receipt_after_pay": "ask", "markdown_bp": "30",
    }  # fmt: skip
    assert post(client, "/admin/settings", data).status_code == 302
    db.session.expire_all()
    assert db.session.get(ShopSettings, 1).markdown_bp == 3000
