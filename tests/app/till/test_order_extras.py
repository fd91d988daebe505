"""Members, discounts, notes, parked orders and search on the till."""

from __future__ import annotations

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AuditEvent, Basket, Sale, SaleLine
from bakery.services.till.pricing import price
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_member, make_till, make_user, pair, pin_in, post


def add(client, product_id, **extra):
    return post(client, "/till/lines", {"product_id": str(product_id), **extra}, htmx=True)


def basket() -> Basket:
    return db.session.scalar(select(Basket).where(Basket.status == "open"))


def line_off() -> int:
    """The first line's discount in pence as the till prices it now."""
    return price(basket()).lines[0].discount


def pay(client, amount="20"):
    return post(
        client, "/till/pay", {"basket_key": basket().key, "method": "cash", "amount": amount}, htmx=True
    )


def test_a_member_attached_by_number_is_recorded_on_the_sale(client):
    menu = make_menu()
    open_till_for(client)
    member = make_member(number="M-0101")
    add(client, menu["croissant"].id)
    body = post(client, "/till/member", {"code": " m-0101 "}, htmx=True).get_data(as_text=True)
    assert "M-0101" in body
    pay(client)
    assert db.session.scalar(select(Sale.member_id)) == member.id


def test_an_unknown_member_number_is_refused_where_staff_look(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    response = post(client, "/till/member", {"code": "M-404"}, htmx=True)
    assert response.status_code == 422
    assert "No active member with number M-404" in response.get_data(as_text=True)
    assert basket().member_id is None


def test_a_small_line_discount_needs_no_manager_and_is_audited(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    line = basket().lines[0]
    response = post(
        client,
        f"/till/lines/{line.id}/discount",
        {"kind": "percent", "value": "20", "reason": "staff discount"},
        htmx=True,
    )
    assert response.status_code == 200
    assert "£2.00" in response.get_data(as_text=True)
    assert line_off() == 50
    assert basket().lines[0].line_discount_bp == 2000  # kept as typed: 20 %
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "till.line_discount"))


def test_a_large_discount_needs_a_manager_pin(client):
    menu = make_menu()
    open_till_for(client)
    manager = make_user("manager", pin="8080")
    add(client, menu["croissant"].id)
    line = basket().lines[0]
    data = {"kind": "percent", "value": "50", "reason": "end-of-day reduction"}
    refused = post(client, f"/till/lines/{line.id}/discount", data, htmx=True)
    assert refused.status_code == 422 and "needs a manager" in refused.get_data(as_text=True)
    wrong = post(
        client,
        f"/till/lines/{line.id}/discount",
        {**data, "manager_id": str(manager.id), "manager_pin": "1111"},
        htmx=True,
    )
    assert wrong.status_code == 401
    assert line_off() == 0
    ok = post(
        client,
        f"/till/lines/{line.id}/discount",
        {**data, "manager_id": str(manager.id), "manager_pin": "8080"},
        htmx=True,
    )
    assert ok.status_code == 200
    assert line_off() == 125


def test_a_discount_without_a_reason_or_above_the_price_is_refused(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    line = basket().lines[0]
    no_reason = post(
        client, f"/till/lines/{line.id}/discount", {"kind": "amount", "value": "0.10"}, htmx=True
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.get_data(as_text=True)
    too_big = post(
        client,
        f"/till/lines/{line.id}/discount",
        {"kind": "amount", "value": "9.00", "reason": "damaged item"},
        htmx=True,
    )
    assert too_big.status_code == 422 and "more than the price" in too_big.get_data(as_text=True)
    bad_rate = post(
        client,
        f"/till/lines/{line.id}/discount",
        {"kind": "percent", "value": "150", "reason": "damaged item"},
        htmx=True,
    )
    assert bad_rate.status_code == 422
    assert line_off() == 0


def test_a_basket_discount_is_spread_over_the_lines_and_sold_that_way(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    add(client, menu["latte"].id, variant_id=str(menu["latte"].variants[0].id))
    response = post(
        client, "/till/discount", {"kind": "amount", "value": "0.57", "reason": "staff discount"}, htmx=True
    )
    assert response.status_code == 200
    pay(client)
    sale = db.session.scalar(select(Sale))
    assert sale.total == 250 + 320 - 57 and sale.discount_total == 57
    assert db.session.scalar(select(func.sum(SaleLine.basket_discount_share))) == 57


def test_a_line_note_and_its_own_eat_in_choice_are_kept(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    line = basket().lines[0]
    body = post(
        client, f"/till/lines/{line.id}/note", {"note": "warm it up", "eat_in": "1"}, htmx=True
    ).get_data(as_text=True)
    assert "warm it up" in body and "eat-in · 20%" in body
    assert 'id="picker" hx-swap-oob="true"' in body
    too_long = post(client, f"/till/lines/{line.id}/note", {"note": "x" * 141}, htmx=True)
    assert too_long.status_code == 422


def test_a_parked_order_is_recalled_on_another_till(client, app):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    assert post(client, "/till/park", {"name": "Table 4"}, htmx=True).status_code == 200
    assert basket() is None
    other = app.test_client()
    pair(other, make_till())
    pin_in(other, make_user("staff", pin="5555"), "5555")
    listing = other.get("/till/parked", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Table 4" in listing
    parked = db.session.scalar(select(Basket).where(Basket.status == "parked"))
    body = post(other, f"/till/parked/{parked.id}/recall", htmx=True).get_data(as_text=True)
    assert "Croissant" in body
    assert db.session.get(Basket, parked.id).status == "open"


def test_parking_needs_a_name_and_an_order(client):
    menu = make_menu()
    open_till_for(client)
    assert post(client, "/till/park", {"name": "x"}, htmx=True).status_code == 422
    add(client, menu["croissant"].id)
    assert post(client, "/till/park", {"name": ""}, htmx=True).status_code == 422
    assert basket() is not None


def test_search_finds_by_name_and_a_scanned_code_adds_the_product(client):
    menu = make_menu()
    open_till_for(client)
    found = client.get("/till/search?q=crois", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Croissant" in found and "Latte" not in found
    scanned = post(client, "/till/scan", {"code": "201"}, htmx=True)
    assert scanned.status_code == 200 and basket().lines[0].product_id == menu["croissant"].id
    unknown = post(client, "/till/scan", {"code": "999999"}, htmx=True)
    assert unknown.status_code == 422 and "No product has the code 999999" in unknown.get_data(as_text=True)


def test_a_search_for_a_wildcard_matches_nothing_literally(client):
    make_menu()
    open_till_for(client)
    body = client.get("/till/search?q=%25", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Croissant" not in body


def test_a_discount_from_the_picker_swaps_the_basket_not_the_picker(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    line = basket().lines[0]
    response = post(
        client,
        f"/till/lines/{line.id}/discount",
        {"kind": "amount", "value": "0.20", "reason": "damaged item"},
        htmx=True,
    )
    assert response.headers["HX-Retarget"] == "#basket"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert 'id="picker" hx-swap-oob="true"' in response.get_data(as_text=True)


def test_switching_category_moves_the_current_tab_out_of_band(client):
    from bakery.models import Category

    make_menu()
    open_till_for(client)
    drinks = db.session.scalar(select(Category).where(Category.name == "Drinks"))
    body = client.get(f"/till/categories/{drinks.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="categories" aria-label="Categories" hx-swap-oob="true"' in body
    assert f'aria-current="true" data-colour="{drinks.colour}"' in body
    assert "Latte" in body and "Croissant" not in body


def test_a_single_choice_group_offers_none_and_none_adds_no_option(client):
    menu = make_menu()
    open_till_for(client)
    picker = client.get(f"/till/products/{menu['latte'].id}/picker", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert 'type="radio" name="option_ids" value="0" checked' in picker
    regular = menu["latte"].variants[0]
    response = add(client, menu["latte"].id, variant_id=str(regular.id), option_ids="0")
    assert response.status_code == 200
    assert basket().lines[0].option_ids == ""
