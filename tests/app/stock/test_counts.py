"""Stock takes: counted while the till sells, approved as differences, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import (
    AuditEvent,
    Basket,
    Product,
    StockCount,
    StockCountLine,
    StockItem,
    StockItemMovement,
    StockMovement,
)
from bakery.services import stock
from bakery.services.errors import ServiceError
from tests.app.stock.kitchen import key, make_kitchen
from tests.app.till.helpers import open_till_for
from tests.factories import make_user, post


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def kitchen(app):
    manager = make_user("manager")
    return make_kitchen(manager.id)


def sell(client, product_id: int, qty: int) -> None:
    """Ring `qty` of a product up on the till and pay cash."""
    for _ in range(qty):
        post(client, "/till/lines", {"product_id": str(product_id)}, htmx=True)
    basket_key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    response = post(
        client, "/till/pay", {"basket_key": basket_key, "method": "cash", "amount": "50"}, htmx=True
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def test_the_sheets_are_the_storage_locations_with_the_shop_floor_first(kitchen):
    sheets = stock.sheets()
    assert [s.label for s in sheets] == ["Shop floor", "Dry store", "Fridge"]
    assert [s.things for s in sheets] == [1, 4, 2]  # the loaf; flour, water, salt, beans; milk, juice
    started = stock.start_count("Fridge", actor=kitchen.actor)
    assert stock.sheets()[2].open_count_id == started.id


def test_a_stock_take_during_sales_keeps_them(client, kitchen):
    """Sold before the count (expected), sold after it (kept): on-hand = counted - sold since."""
    stock.record_bake(kitchen.loaf.id, 10, key=key(), actor=kitchen.actor)
    open_till_for(client)
    sell(client, kitchen.loaf.id, 1)  # before the line is counted: part of what is expected
    shop = stock.start_count("Shop floor", actor=kitchen.actor)
    fridge = stock.start_count("Fridge", actor=kitchen.actor)
    line = stock.record_count(shop.id, product_id=kitchen.loaf.id, counted="8", actor=kitchen.actor)
    assert (line.counted, line.expected, line.variance) == ("8 each", "9 each", "-1 each")
    stock.record_count(fridge.id, stock_item_id=kitchen.juice.id, counted="11", actor=kitchen.actor)
    sell(client, kitchen.loaf.id, 2)  # during the count
    sell(client, kitchen.bottle.id, 1)
    stock.record_count(fridge.id, stock_item_id=kitchen.milk.id, counted="9.5 l", actor=kitchen.actor)
    sell(client, kitchen.loaf.id, 1)  # between counting and approval
    sell(client, kitchen.bottle.id, 2)
    stock.approve_count(shop.id, actor=kitchen.actor)
    stock.approve_count(fridge.id, actor=kitchen.actor)
    assert fresh(Product, kitchen.loaf.id).on_hand == 8 - 3
    assert fresh(StockItem, kitchen.juice.id).on_hand == 11 - 3
    assert fresh(StockItem, kitchen.milk.id).on_hand == 9_500
    assert stock.product_on_hand_from_movements(kitchen.loaf.id) == 5
    assert stock.item_on_hand_from_movements(kitchen.juice.id) == 8
    moved = db.session.scalars(select(StockMovement).where(StockMovement.reason == "count")).all()
    assert [m.qty for m in moved] == [-1]
    juice = db.session.scalar(
        select(StockItemMovement).where(
            StockItemMovement.reason == "count", StockItemMovement.stock_item_id == kitchen.juice.id
        )
    )
    assert (juice.qty, juice.value) == (-1, -50)  # a bottle at 50p


def test_approval_moves_the_variance_and_values_it_at_cost(kitchen):
    take = stock.start_count("Dry store", actor=kitchen.actor)
    stock.record_count(take.id, stock_item_id=kitchen.flour.id, counted="31.5 kg", actor=kitchen.actor)
    stock.record_count(take.id, stock_item_id=kitchen.salt.id, counted="1 kg", actor=kitchen.actor)
    stock.record_count(take.id, stock_item_id=kitchen.coffee.id, counted="1100", actor=kitchen.actor)
    sheet = stock.count_sheet(take.id)
    assert (sheet.counted, sheet.changed) == (3, 2)
    by_name = {line.name: line for line in sheet.lines}
    assert by_name["Strong white flour"].variance == "-500 g"
    assert by_name["Espresso beans"].variance == "+100 g"
    assert by_name["Sea salt"].variance == "0 g"
    assert by_name["Water"].counted is None  # not counted: left as it is
    done = stock.approve_count(take.id, actor=kitchen.actor)
    assert done.status == "approved"
    assert done.value == -38 + 180  # 500 g of flour at 0.075p; 100 g of beans at 1.8p
    assert fresh(StockItem, kitchen.flour.id).on_hand == 31_500
    assert fresh(StockItem, kitchen.coffee.id).on_hand == 1_100
    assert fresh(StockItem, kitchen.water.id).on_hand == 100_000
    lines = {line.stock_item_id: line for line in stock.counted_lines(take.id)}
    assert lines[kitchen.salt.id].item_movement_id is None
    assert lines[kitchen.flour.id].item_movement_id is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "stock.count_approved"))
    assert event is not None


def test_counting_again_replaces_the_line(kitchen):
    take = stock.start_count("Fridge", actor=kitchen.actor)
    stock.record_count(take.id, stock_item_id=kitchen.juice.id, counted="3", actor=kitchen.actor)
    stock.record_count(take.id, stock_item_id=kitchen.juice.id, counted="12", actor=kitchen.actor)
    assert count(StockCountLine) == 1
    stock.approve_count(take.id, actor=kitchen.actor)
    assert fresh(StockItem, kitchen.juice.id).on_hand == 12
    assert count(StockItemMovement) == stock_movements_before(kitchen)


def stock_movements_before(kitchen) -> int:
    return db.session.scalar(
        select(func.count()).select_from(StockItemMovement).where(StockItemMovement.reason != "count")
    )


def test_approving_twice_moves_stock_once(kitchen):
    take = stock.start_count("Fridge", actor=kitchen.actor)
    stock.record_count(take.id, stock_item_id=kitchen.juice.id, counted="10", actor=kitchen.actor)
    first = stock.approve_count(take.id, actor=kitchen.actor)
    again = stock.approve_count(take.id, actor=kitchen.actor)
    assert first.id == again.id
    assert fresh(StockItem, kitchen.juice.id).on_hand == 10
    assert (
        db.session.scalar(
            select(func.count()).select_from(StockItemMovement).where(StockItemMovement.reason == "count")
        )
        == 1
    )


def test_starting_a_location_twice_opens_one_take(kitchen):
    first = stock.start_count("Fridge", actor=kitchen.actor)
    second = stock.start_count("Fridge", actor=kitchen.actor)
    assert first.id == second.id
    assert count(StockCount) == 1


def snapshot(kitchen):
    db.session.expire_all()
    return (
        count(StockCount),
        count(StockCountLine),
        count(StockItemMovement),
        count(StockMovement),
        tuple(db.session.scalars(select(StockCountLine.counted).order_by(StockCountLine.id))),
        tuple(db.session.scalars(select(StockItem.on_hand).order_by(StockItem.id))),
        tuple(db.session.scalars(select(Product.on_hand).order_by(Product.id))),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"counted": "-1"}, "Enter a quantity like"),
        ({"counted": "lots"}, "Enter a quantity like"),
        ({"counted": "2 l"}, "counted in each"),
        ({"counted": "0.5"}, "whole number"),
        ({"stock_item_id": 999_999}, "not on this count sheet"),
        ({"stock_item_id": "flour"}, "not on this count sheet"),
        ({"product_id": "loaf", "stock_item_id": None}, "not on this count sheet"),
        ({"stock_item_id": None}, "Choose one thing"),
    ],
)
def test_a_bad_count_is_refused_and_changes_nothing(kitchen, change, message):
    take = stock.start_count("Fridge", actor=kitchen.actor)
    stock.record_count(take.id, stock_item_id=kitchen.juice.id, counted="7", actor=kitchen.actor)
    before = snapshot(kitchen)
    args = {"counted": "4", "stock_item_id": kitchen.juice.id, "actor": kitchen.actor}
    args.update(change)
    if args["stock_item_id"] == "flour":
        args["stock_item_id"] = kitchen.flour.id  # kept in the dry store, not the fridge
    if args.get("product_id") == "loaf":
        args["product_id"] = kitchen.loaf.id  # on the shop floor
    with pytest.raises(ServiceError, match=message):
        stock.record_count(take.id, **args)
    db.session.rollback()
    assert snapshot(kitchen) == before


def test_an_approved_or_cancelled_take_takes_no_more_counts(kitchen):
    take = stock.start_count("Fridge", actor=kitchen.actor)
    stock.record_count(take.id, stock_item_id=kitchen.juice.id, counted="10", actor=kitchen.actor)
    stock.approve_count(take.id, actor=kitchen.actor)
    before = snapshot(kitchen)
    with pytest.raises(ServiceError, match="was approved"):
        stock.record_count(take.id, stock_item_id=kitchen.milk.id, counted="1 l", actor=kitchen.actor)
    with pytest.raises(ServiceError, match="its movements stand"):
        stock.cancel_count(take.id, actor=kitchen.actor)
    db.session.rollback()
    assert snapshot(kitchen) == before
    other = stock.start_count("Fridge", actor=kitchen.actor)
    assert other.id != take.id
    stock.cancel_count(other.id, actor=kitchen.actor)
    before = snapshot(kitchen)
    with pytest.raises(ServiceError, match="cancelled"):
        stock.approve_count(other.id, actor=kitchen.actor)
    with pytest.raises(ServiceError, match="was cancelled"):
        stock.record_count(other.id, stock_item_id=kitchen.milk.id, counted="1 l", actor=kitchen.actor)
    db.session.rollback()
    assert snapshot(kitchen) == before


def test_a_take_with_nothing_counted_cannot_be_approved(kitchen):
    take = stock.start_count("Fridge", actor=kitchen.actor)
    with pytest.raises(ServiceError, match="Nothing has been counted"):
        stock.approve_count(take.id, actor=kitchen.actor)
    db.session.rollback()
    assert fresh(StockCount, take.id).status == "open"


def test_an_unknown_location_or_take_is_refused(kitchen):
    with pytest.raises(ServiceError, match="Choose a location"):
        stock.start_count("Attic", actor=kitchen.actor)
    with pytest.raises(ServiceError, match="does not exist"):
        stock.approve_count(999_999, actor=kitchen.actor)
    with pytest.raises(ServiceError, match="does not exist"):
        stock.record_count(999_999, stock_item_id=kitchen.juice.id, counted="1", actor=kitchen.actor)
    db.session.rollback()
    assert count(StockCount) == 0
