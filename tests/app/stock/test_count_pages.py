"""The stock take pages and the stock lists: full pages, htmx fragments, bad input, CSV and PDF."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Basket, Product, StockCount, StockCountLine, StockItem, StockItemMovement
from bakery.services import stock
from tests.app.stock.kitchen import key, make_kitchen
from tests.app.till.helpers import open_till_for
from tests.factories import make_user, post, sign_in


@pytest.fixture
def kitchen(app):
    manager = make_user("manager")
    return make_kitchen(manager.id)


@pytest.fixture
def office(app, kitchen):
    """A client signed in as a manager (a tablet in the stock room)."""
    client = app.test_client()
    sign_in(client, make_user("manager"))
    return client


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_stock_takes_page_offers_a_sheet_per_location(office):
    page = office.get("/office/counts/").get_data(as_text=True)
    for label in ("Count Shop floor", "Count Dry store", "Count Fridge"):
        assert label in page


def test_a_count_sheet_is_started_counted_with_htmx_and_approved(office, kitchen):
    response = post(office, "/office/counts/", {"location": "Fridge"})
    assert response.status_code == 303
    take = db.session.scalar(select(StockCount))
    sheet = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "Stock take: Fridge" in sheet and "Apple juice bottle" in sheet and "Whole milk" in sheet
    assert 'inputmode="decimal"' in sheet
    response = post(
        office, f"/office/counts/{take.id}/item/{kitchen.milk.id}", {"counted": "9.5 l"}, htmx=True
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith(f'<tr id="line-item-{kitchen.milk.id}"')
    assert "9.5 l" in body and "10 l" in body and "-500 ml" in body
    assert 'id="count-summary" class="muted" hx-swap-oob="true"' in body
    assert "Counted 1 of 2 lines" in body
    assert response.headers["HX-Trigger"] == "count-changed"
    assert "HX-Request" in response.headers["Vary"]
    response = post(office, f"/office/counts/{take.id}/approve", {"note": "Monday count"})
    assert response.status_code == 303
    assert fresh(StockItem, kitchen.milk.id).on_hand == 9_500
    page = office.get(f"/office/counts/{take.id}").get_data(as_text=True)
    assert "Approved" in page and "Monday count" in page and "count-input" not in page


def test_a_plain_form_count_returns_to_the_sheet(office, kitchen):
    take = stock.start_count("Shop floor", actor=kitchen.actor)
    response = post(office, f"/office/counts/{take.id}/product/{kitchen.loaf.id}", {"counted": "0"})
    assert response.status_code == 303
    assert f"#line-product-{kitchen.loaf.id}" in response.headers["Location"]
    assert [line.counted for line in stock.counted_lines(take.id)] == [0]


@pytest.mark.parametrize(
    ("counted", "message"),
    [("-3", "Enter a quantity like"), ("two", "Enter a quantity like"), ("3 kg", "counted in each")],
)
def test_a_bad_count_re_renders_the_line_with_the_message_and_changes_nothing(
    office, kitchen, counted, message
):
    take = stock.start_count("Fridge", actor=kitchen.actor)
    response = post(
        office, f"/office/counts/{take.id}/item/{kitchen.juice.id}", {"counted": counted}, htmx=True
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.startswith(f'<tr id="line-item-{kitchen.juice.id}"')
    assert message in body and f'value="{counted}"' in body and 'aria-invalid="true"' in body
    assert count(StockCountLine) == 0


def test_counting_something_not_on_the_sheet_is_refused(office, kitchen):
    take = stock.start_count("Fridge", actor=kitchen.actor)
    for url in (
        f"/office/counts/{take.id}/item/{kitchen.flour.id}",  # the dry store's
        f"/office/counts/{take.id}/item/999999",
        f"/office/counts/{take.id}/product/{kitchen.latte.id}",  # keeps no stock
    ):
        response = post(office, url, {"counted": "1"}, htmx=True)
        assert response.status_code == 422
        assert "not on this count sheet" in response.get_data(as_text=True)
    assert post(office, "/office/counts/999999/item/1", {"counted": "1"}, htmx=True).status_code == 404
    assert count(StockCountLine) == 0


def test_counting_an_approved_sheet_and_approving_twice_change_nothing(office, kitchen):
    take = stock.start_count("Fridge", actor=kitchen.actor)
    stock.record_count(take.id, stock_item_id=kitchen.juice.id, counted="10", actor=kitchen.actor)
    assert post(office, f"/office/counts/{take.id}/approve").status_code == 303
    assert post(office, f"/office/counts/{take.id}/approve").status_code == 303
    response = post(office, f"/office/counts/{take.id}/item/{kitchen.milk.id}", {"counted": "1 l"}, htmx=True)
    assert response.status_code == 422
    assert "was approved" in response.get_data(as_text=True)
    response = post(office, f"/office/counts/{take.id}/cancel")
    assert response.status_code == 422 and "its movements stand" in response.get_data(as_text=True)
    assert fresh(StockItem, kitchen.juice.id).on_hand == 10
    assert fresh(StockItem, kitchen.milk.id).on_hand == 10_000
    counted = select(func.count()).select_from(StockItemMovement).where(StockItemMovement.reason == "count")
    assert db.session.scalar(counted) == 1


def test_an_unknown_location_is_refused(office):
    response = post(office, "/office/counts/", {"location": "Attic"})
    assert response.status_code == 422
    assert "Choose a location" in response.get_data(as_text=True)
    assert count(StockCount) == 0


def test_a_stock_take_through_the_pages_keeps_the_sales_made_during_it(client, office, kitchen):
    stock.record_bake(kitchen.loaf.id, 6, key=key(), actor=kitchen.actor)
    take = stock.start_count("Shop floor", actor=kitchen.actor)
    post(office, f"/office/counts/{take.id}/product/{kitchen.loaf.id}", {"counted": "5"}, htmx=True)
    open_till_for(client)
    post(client, "/till/lines", {"product_id": str(kitchen.loaf.id)}, htmx=True)
    basket_key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    post(client, "/till/pay", {"basket_key": basket_key, "method": "cash", "amount": "5"}, htmx=True)
    assert fresh(Product, kitchen.loaf.id).on_hand == 5
    post(office, f"/office/counts/{take.id}/approve")
    assert fresh(Product, kitchen.loaf.id).on_hand == 4  # counted 5, one sold since


def test_the_movement_history_filters_by_reason_and_date(office, kitchen):
    take = stock.start_count("Dry store", actor=kitchen.actor)
    stock.record_count(take.id, stock_item_id=kitchen.flour.id, counted="30 kg", actor=kitchen.actor)
    stock.approve_count(take.id, actor=kitchen.actor)
    url = f"/office/stock-lists/items/{kitchen.flour.id}/movements"
    page = office.get(url).get_data(as_text=True)
    assert "Delivery" in page and "Stock take" in page and "+32 kg" in page and "-2 kg" in page
    page = office.get(url + "?reason=count").get_data(as_text=True)
    assert "-2 kg" in page and "+32 kg" not in page
    page = office.get(url + "?from=2020-01-01&to=2020-01-02").get_data(as_text=True)
    assert "No movements match these filters" in page
    response = office.get(url + "?from=yesterday")
    assert response.status_code == 422 and "Enter dates like" in response.get_data(as_text=True)
    assert office.get("/office/stock-lists/items/999999/movements").status_code == 404


def test_low_stock_and_the_purchase_list_round_up_to_the_suppliers_units(office, kitchen):
    stock.write_off(
        stock_item_id=kitchen.flour.id,
        qty=28_000,
        kind="waste",
        reason="expired",
        key=key(),
        actor=kitchen.actor,
    )
    low = office.get("/office/stock-lists/low-stock").get_data(as_text=True)
    assert "Strong white flour" in low and "Water" not in low
    page = office.get("/office/stock-lists/purchase-list").get_data(as_text=True)
    assert "Mill &amp; Co" in page and "2 x 16 kg sack" in page  # 28 kg short of par: two sacks
    response = office.get("/office/stock-lists/purchase-list.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "Supplier"
    assert rows[1][:2] == ["Mill & Co", "Strong white flour"] and rows[1][5:8] == ["2", "16 kg sack", "32 kg"]
    assert rows[1][8] == "24.00"  # 32 kg at 0.075p a gram
    pdf = office.get("/office/stock-lists/purchase-list.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_the_stock_pages_are_for_managers(client, kitchen):
    sign_in(client, make_user("staff"))
    for url in ("/office/counts/", "/office/stock-lists/purchase-list", "/office/stock-lists/low-stock"):
        assert client.get(url).status_code in (302, 403)
