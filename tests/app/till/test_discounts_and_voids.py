"""Discounts that stay as typed and say which applies; voiding an order with a reason (and a manager)."""

from __future__ import annotations

import json

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import AuditEvent, Basket, ShopSettings
from bakery.services.till.pricing import price
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_member, make_user, post


def add(client, product_id, **extra):
    return post(client, "/till/lines", {"product_id": str(product_id), **extra}, htmx=True)


def basket() -> Basket:
    return db.session.scalar(select(Basket).where(Basket.status == "open"))


def latte(menu) -> str:
    return str(menu["latte"].variants[0].id)


def voided_events() -> list[dict]:
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "till.basket_voided"))
    return [json.loads(row.details) for row in rows]


# --- discounts kept as typed -------------------------------------------------------------------


def test_a_ten_percent_order_discount_stays_ten_percent_when_lines_are_added(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    set_ = post(
        client, "/till/discount", {"kind": "percent", "value": "10", "reason": "staff discount"}, htmx=True
    )
    assert set_.status_code == 200
    assert price(basket()).order_discount == 25  # 10 % of 2.50

    later = add(client, menu["latte"].id, variant_id=latte(menu)).get_data(as_text=True)
    add(client, menu["croissant"].id)

    priced = price(basket())
    assert priced.order_discount == 82  # 10 % of 8.20, not the 25p worked out when it was set
    assert priced.totals.total == 820 - 82
    assert (basket().discount_bp, basket().discount) == (1000, 0)
    assert "Staff discount 10%" in later


def test_a_ten_percent_line_discount_stays_ten_percent_when_the_quantity_changes(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    line = basket().lines[0]
    post(
        client,
        f"/till/lines/{line.id}/discount",
        {"kind": "percent", "value": "10", "reason": "staff discount"},
        htmx=True,
    )
    more = post(client, f"/till/lines/{line.id}/qty", {"delta": "2"}, htmx=True).get_data(as_text=True)
    assert price(basket()).lines[0].discount == 75  # 10 % of 3 x 2.50
    assert "\u2212£0.75 staff discount 10%" in more


def test_attaching_a_member_shows_which_discount_applies_and_why(client):
    menu = make_menu()
    open_till_for(client)
    make_member(number="W-0101", member_class="worker")  # 10 % at the till
    add(client, menu["croissant"].id)
    add(client, menu["latte"].id, variant_id=latte(menu))
    post(client, "/till/discount", {"kind": "percent", "value": "3", "reason": "staff discount"}, htmx=True)

    attached = post(client, "/till/member", {"code": "W-0101"}, htmx=True).get_data(as_text=True)

    assert "Member discount 10% (staff discount 3% not applied: the larger applies)" in attached
    assert price(basket()).order_discount == 57
    detached = post(client, "/till/member/remove", htmx=True).get_data(as_text=True)
    assert "Staff discount 3%" in detached and "not applied" not in detached
    assert price(basket()).order_discount == 17  # 3 % of 5.70, back again


# --- voids -------------------------------------------------------------------------------------


def test_the_void_button_opens_the_tills_own_confirm_panel(client):
    menu = make_menu()
    open_till_for(client)
    page = add(client, menu["croissant"].id).get_data(as_text=True)
    assert "hx-confirm" not in page
    panel = client.get("/till/void", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="void-confirm"' in panel and "Confirm void" in panel and "Cancel" in panel
    assert "Rung up by mistake" in panel and "manager_pin" not in panel  # 2.50 is under 20.00


def test_voiding_an_order_with_lines_needs_a_reason_and_is_audited_with_it(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)

    refused = post(client, "/till/void", {}, htmx=True)
    assert refused.status_code == 422 and "Choose why the order is voided" in refused.get_data(as_text=True)
    unknown = post(client, "/till/void", {"reason": "bored"}, htmx=True)
    assert unknown.status_code == 422
    other = post(client, "/till/void", {"reason": "other"}, htmx=True)
    assert other.status_code == 422 and "a few words" in other.get_data(as_text=True)
    assert basket() is not None and voided_events() == []

    done = post(client, "/till/void", {"reason": "other", "note": "Spilt on the counter"}, htmx=True)
    assert done.status_code == 200 and "Tap a product to start an order" in done.get_data(as_text=True)
    assert basket() is None
    [event] = voided_events()
    assert (event["reason"], event["note"], event["total"]) == ("other", "Spilt on the counter", 250)


def test_voiding_above_the_settings_threshold_needs_a_managers_pin(client):
    menu = make_menu()
    open_till_for(client)
    db.session.add(ShopSettings(id=1, void_manager_above=300))
    db.session.commit()
    manager = make_user("manager", pin="8080")
    add(client, menu["croissant"].id)
    add(client, menu["croissant"].id)  # 5.00 > 3.00
    assert "manager_pin" in client.get("/till/void", headers={"HX-Request": "true"}).get_data(as_text=True)
    data = {"reason": "customer changed their mind"}

    refused = post(client, "/till/void", data, htmx=True)
    assert refused.status_code == 422 and "needs a manager" in refused.get_data(as_text=True)
    wrong = post(
        client, "/till/void", {**data, "manager_id": str(manager.id), "manager_pin": "1111"}, htmx=True
    )
    assert wrong.status_code == 401
    assert basket() is not None and voided_events() == []

    ok = post(client, "/till/void", {**data, "manager_id": str(manager.id), "manager_pin": "8080"}, htmx=True)
    assert ok.status_code == 200 and basket() is None
    [event] = voided_events()
    assert (event["reason"], event["authorised_by"], event["total"]) == (data["reason"], manager.id, 500)


def test_an_empty_order_is_cleared_without_a_reason(client):
    open_till_for(client)
    assert post(client, "/till/void", {}, htmx=True).status_code == 200
