"""The stockroom pages: what a manager sees and sends, bad input refused with nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import BakeBatch, Delivery, Product, Recipe, StockItem, WriteOff
from tests.app.stock.kitchen import make_kitchen, shop_today
from tests.factories import make_user, post, sign_in


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def manager_client(client):
    manager = make_user("manager")
    sign_in(client, manager)
    return client, make_kitchen(manager.id)


PAGES = ["/office/stock/", "/office/stock/deliveries", "/office/stock/deliveries/new", "/office/stock/recipes",
         "/office/stock/products", "/office/stock/bakes", "/office/stock/waste", "/office/stock/suppliers"]  # fmt: skip


def test_every_stockroom_page_opens_for_a_manager_with_the_demo_kitchen(manager_client):
    client, kitchen = manager_client
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, page
    body = client.get("/office/stock/").get_data(as_text=True)
    assert "Strong white flour" in body and "32 kg" in body and "£0.75/kg" in body
    body = client.get(f"/office/stock/items/{kitchen.flour.id}").get_data(as_text=True)
    assert "16 kg sack" in body and "Delivery" in body
    recipe_id = db.session.scalar(select(Recipe.id).where(Recipe.name == "Sourdough loaf"))
    body = client.get(f"/office/stock/recipes/{recipe_id}").get_data(as_text=True)
    assert "<strong>gluten</strong>" in body and "Made into: Sourdough" in body
    body = client.get("/office/stock/products").get_data(as_text=True)
    assert "Baked in batches" in body and "Cereals containing gluten" in body


def test_staff_and_members_cannot_open_the_stockroom(client):
    sign_in(client, make_user("member"))
    assert client.get("/office/stock/").status_code in (302, 403)


def test_a_delivery_through_the_form_goes_into_stock_once(manager_client):
    client, kitchen = manager_client
    form = {
        "key": "form-key-delivery-1",
        "supplier_id": str(kitchen.supplier.id),
        "delivered_on": shop_today().isoformat(),
        "item_0": str(kitchen.flour.id),
        "unit_0": str(kitchen.flour.purchase_units[0].id),
        "qty_0": "1",
        "cost_0": "12.00",
        "item_1": str(kitchen.milk.id),
        "qty_1": "2.5 l",
        "cost_1": "2.50",
    }
    for _ in range(2):  # a double tap
        response = post(client, "/office/stock/deliveries", form)
        assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(StockItem, kitchen.flour.id).on_hand == 48_000
    assert db.session.get(StockItem, kitchen.milk.id).on_hand == 12_500
    assert count(Delivery) == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"qty_0": "2.5 l"}, "counted in grams"),
        ({"qty_0": "-1"}, "Enter a quantity"),
        ({"cost_0": "abc"}, "Enter an amount"),
        ({"item_0": ""}, "choose what came"),
        ({"use_by_0": "31/12/2026"}, "a date like"),
    ],
)
def test_a_bad_delivery_line_is_shown_and_nothing_moves(manager_client, line, message):
    client, kitchen = manager_client
    form = {"key": "form-key-delivery-2", "item_0": str(kitchen.flour.id), "qty_0": "1 kg", "cost_0": "1.00"}
    form.update(line)
    before = (count(Delivery), db.session.get(StockItem, kitchen.flour.id).on_hand)
    response = post(client, "/office/stock/deliveries", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (count(Delivery), db.session.get(StockItem, kitchen.flour.id).on_hand) == before


def test_a_bake_and_the_end_of_day_through_the_forms(manager_client):
    client, kitchen = manager_client
    response = post(
        client,
        "/office/stock/bakes",
        {"key": "form-key-bake-1", "product_id": str(kitchen.loaf.id), "qty": "12"},
    )
    assert response.status_code == 302
    assert "12 Sourdough baked: batch" in client.get("/office/stock/bakes").get_data(as_text=True)
    bad = post(
        client,
        "/office/stock/bakes",
        {"key": "form-key-bake-2", "product_id": str(kitchen.loaf.id), "qty": "-3"},
    )
    assert bad.status_code == 422 and "whole number" in bad.get_data(as_text=True)
    assert count(BakeBatch) == 1
    waste = {
        "key": "form-key-waste-1",
        "what": f"product:{kitchen.loaf.id}",
        "qty": "2",
        "kind": "waste",
        "reason": "burnt",
    }
    assert post(client, "/office/stock/waste", waste).status_code == 302
    too_many = dict(waste, key="form-key-waste-2", qty="11")
    response = post(client, "/office/stock/waste", too_many)
    assert response.status_code == 422 and "not 11 of Sourdough left" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Product, kitchen.loaf.id).on_hand == 10
    assert count(WriteOff) == 1


def test_a_recipe_through_the_form_refuses_a_loop_and_keeps_its_parts(manager_client):
    client, kitchen = manager_client
    dough = db.session.scalar(select(Recipe).where(Recipe.name == "Sourdough dough"))
    loaf = db.session.scalar(select(Recipe).where(Recipe.name == "Sourdough loaf"))
    form = {"name": "Sourdough dough", "yield_qty": "10 kg", "yield_unit": "g", "rows": "2",
            "component_0": f"item:{kitchen.flour.id}", "qty_0": "6 kg", "component_1": f"recipe:{loaf.id}", "qty_1": "1"}  # fmt: skip
    response = post(client, f"/office/stock/recipes/{dough.id}", form)
    assert response.status_code == 422 and "cannot use itself" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Recipe, dough.id).parts) == 3
    form.update(component_1=f"item:{kitchen.salt.id}", qty_1="0.2 kg")
    assert post(client, f"/office/stock/recipes/{dough.id}", form).status_code == 302
    db.session.expire_all()
    assert [(p.stock_item_id, p.qty) for p in db.session.get(Recipe, dough.id).parts] == [
        (kitchen.flour.id, 6000),
        (kitchen.salt.id, 200),
    ]
