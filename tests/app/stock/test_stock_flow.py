"""Stock from flour to loaf to sale to waste, through the services, on both engines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import (
    BakeBatch,
    Basket,
    Delivery,
    Product,
    Recipe,
    StockItem,
    StockItemMovement,
    StockMovement,
    WriteOff,
)
from bakery.services import stock
from bakery.services.errors import ServiceError
from bakery.services.stock import LineIn
from tests.app.stock.kitchen import key, make_kitchen, shop_today
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


def test_a_delivery_adds_base_units_at_cost_and_averages_the_cost(kitchen):
    flour = fresh(StockItem, kitchen.flour.id)
    assert flour.on_hand == 32_000  # two 16 kg sacks
    assert flour.unit_cost == 75_000  # £24.00 / 32 kg = 0.075p a gram
    stock.record_delivery(
        supplier_id=None,
        delivered_on=shop_today(),
        lines=[LineIn(flour.id, 32_000, 4800)],  # 32 kg more at 0.15p a gram
        key=key(),
        actor=kitchen.actor,
    )
    flour = fresh(StockItem, flour.id)
    assert (flour.on_hand, flour.unit_cost) == (64_000, 112_500)
    assert stock.item_on_hand_from_movements(flour.id) == 64_000


def test_a_double_tapped_delivery_is_one_delivery(kitchen):
    form = key()
    for _ in range(2):
        stock.record_delivery(
            supplier_id=None,
            delivered_on=shop_today(),
            lines=[LineIn(kitchen.salt.id, 500, 50)],
            key=form,
            actor=kitchen.actor,
        )
    assert fresh(StockItem, kitchen.salt.id).on_hand == 1500


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"delivered_on": 1}, "future"),
        ({"delivered_on": -400}, "more than a year"),
        ({"lines": []}, "at least one line"),
        ({"lines": [LineIn(999_999, 1, 1)]}, "Choose a stock item"),
        ({"lines": [LineIn(-1, 0, 1)]}, "Choose a stock item"),
        ({"lines": "salt"}, None),
        ({"key": "x"}, "out of date"),
        ({"supplier_id": 999_999}, "Choose a supplier"),
    ],
)
def test_bad_deliveries_are_refused_and_change_nothing(kitchen, change, message):
    before = (count(Delivery), count(StockItemMovement), fresh(StockItem, kitchen.salt.id).on_hand)
    args = {
        "supplier_id": None,
        "delivered_on": shop_today(),
        "lines": [LineIn(kitchen.salt.id, 500, 50)],
        "key": key(),
        "actor": kitchen.actor,
    }
    args.update(change)
    if isinstance(args["delivered_on"], int):
        args["delivered_on"] = shop_today() + timedelta(days=args["delivered_on"])
    if args["lines"] == "salt":
        args["lines"] = [LineIn(kitchen.salt.id, 0, 50)]
        message = "more than zero"
    with pytest.raises(ServiceError, match=message):
        stock.record_delivery(**args)
    db.session.rollback()
    assert (count(Delivery), count(StockItemMovement), fresh(StockItem, kitchen.salt.id).on_hand) == before


def test_a_delivery_is_corrected_only_by_a_linked_correction(kitchen):
    original = db.session.scalar(select(Delivery).order_by(Delivery.id))
    assert stock.delivered(original.id)[kitchen.juice.id] == (12, 600)
    with pytest.raises(ServiceError, match="Say why"):
        stock.correct_delivery(
            original.id, corrected={kitchen.juice.id: (10, 500)}, reason=" ", key=key(), actor=kitchen.actor
        )
    correction = stock.correct_delivery(
        original.id,
        corrected={kitchen.juice.id: (10, 500)},
        reason="two bottles broken",
        key=key(),
        actor=kitchen.actor,
    )
    assert correction.corrects_id == original.id
    assert [(line.base_qty, line.cost) for line in correction.lines] == [(-2, -100)]
    assert stock.delivered(original.id)[kitchen.juice.id] == (10, 500)
    assert fresh(StockItem, kitchen.juice.id).on_hand == 10
    assert [(line.base_qty, line.cost) for line in fresh(Delivery, original.id).lines][-1] == (12, 600)
    with pytest.raises(ServiceError, match="Nothing was changed"):
        stock.correct_delivery(
            original.id,
            corrected={kitchen.juice.id: (10, 500)},
            reason="again",
            key=key(),
            actor=kitchen.actor,
        )
    with pytest.raises(ServiceError, match="Only the items on this delivery"):
        stock.correct_delivery(
            original.id, corrected={999: (1, 1)}, reason="x", key=key(), actor=kitchen.actor
        )


def test_a_bake_consumes_exactly_the_recipe_and_adds_finished_stock(kitchen):
    before = {i.id: fresh(StockItem, i.id).on_hand for i in (kitchen.flour, kitchen.water, kitchen.salt)}
    batch = stock.record_bake(kitchen.loaf.id, 24, key=key(), actor=kitchen.actor, baked_on=date(2026, 12, 3))
    # 24 loaves x 900 g of dough; dough is 60 % flour, 38 % water, 2 % salt
    assert fresh(StockItem, kitchen.flour.id).on_hand == before[kitchen.flour.id] - 12_960
    assert fresh(StockItem, kitchen.water.id).on_hand == before[kitchen.water.id] - 8_208
    assert fresh(StockItem, kitchen.salt.id).on_hand == before[kitchen.salt.id] - 432
    assert fresh(Product, kitchen.loaf.id).on_hand == 24
    assert batch.code == f"261203-{kitchen.loaf.id}-1"
    assert batch.best_before == date(2026, 12, 5)
    assert batch.cost == 972 + 0 + 43  # flour 12,960 g at 0.075p; salt 432 g at 0.1p
    moved = db.session.scalars(select(StockItemMovement).where(StockItemMovement.batch_id == batch.id)).all()
    assert sorted(m.reason for m in moved) == ["bake", "bake", "bake"]
    assert stock.product_on_hand_from_movements(kitchen.loaf.id) == 24


def test_only_a_product_baked_in_batches_can_be_baked(kitchen):
    with pytest.raises(ServiceError, match="not baked in batches"):
        stock.record_bake(kitchen.latte.id, 2, key=key(), actor=kitchen.actor)
    for qty in (0, -1, 10_001, True):
        with pytest.raises(ServiceError, match="how many were baked"):
            stock.record_bake(kitchen.loaf.id, qty, key=key(), actor=kitchen.actor)
    assert count(BakeBatch) == 0


def test_a_made_to_order_sale_consumes_its_recipe_in_the_same_transaction(client, kitchen):
    open_till_for(client)
    post(client, "/till/lines", {"product_id": str(kitchen.latte.id)}, htmx=True)
    post(client, "/till/lines", {"product_id": str(kitchen.latte.id)}, htmx=True)
    basket_key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    post(client, "/till/pay", {"basket_key": basket_key, "method": "cash", "amount": "10"}, htmx=True)
    assert fresh(StockItem, kitchen.milk.id).on_hand == 10_000 - 500
    assert fresh(StockItem, kitchen.coffee.id).on_hand == 1000 - 36
    moved = db.session.scalars(select(StockItemMovement).where(StockItemMovement.reason == "sale")).all()
    assert {m.sale_id for m in moved} != {None} and len({m.sale_id for m in moved}) == 1


def test_a_sale_that_fails_takes_no_ingredients(client, kitchen):
    """The last loaf is sold elsewhere first: the whole sale is refused, the latte's milk stays."""
    open_till_for(client)
    stock.record_bake(kitchen.loaf.id, 1, key=key(), actor=kitchen.actor)
    post(client, "/till/lines", {"product_id": str(kitchen.latte.id)}, htmx=True)
    post(client, "/till/lines", {"product_id": str(kitchen.loaf.id)}, htmx=True)
    stock.write_off(
        product_id=kitchen.loaf.id, qty=1, kind="waste", reason="dropped", key=key(), actor=kitchen.actor
    )
    basket_key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    response = post(
        client, "/till/pay", {"basket_key": basket_key, "method": "cash", "amount": "10"}, htmx=True
    )
    assert "sold out" in response.get_data(as_text=True)
    assert fresh(StockItem, kitchen.milk.id).on_hand == 10_000
    assert count(StockItemMovement) == stock_movements_before_sales(kitchen)


def stock_movements_before_sales(kitchen) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(StockItemMovement)
        .where(StockItemMovement.reason.in_(("delivery", "bake")))
    )


def test_a_bought_in_product_sells_its_stock_item_and_a_refund_puts_it_back(client, kitchen):
    till, staff = open_till_for(client)
    post(client, "/till/lines", {"product_id": str(kitchen.bottle.id)}, htmx=True)
    basket_key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    post(client, "/till/pay", {"basket_key": basket_key, "method": "cash", "amount": "2"}, htmx=True)
    assert fresh(StockItem, kitchen.juice.id).on_hand == 11
    from bakery.models import Sale
    from bakery.services.audit import Actor
    from bakery.services.till import refunds

    sale = db.session.scalar(select(Sale))
    manager = make_user("manager", pin="8080")
    refunds.refund(
        till.id,
        sale.id,
        {sale.lines[0].id: 1},
        "cash",
        "wrong drink",
        manager.id,
        "8080",
        Actor(staff.id, till.id),
    )
    assert fresh(StockItem, kitchen.juice.id).on_hand == 12
    assert stock.item_on_hand_from_movements(kitchen.juice.id) == 12


def test_the_last_bottle_cannot_be_sold_twice(client, kitchen):
    open_till_for(client)
    stock.write_off(
        stock_item_id=kitchen.juice.id, qty=12, kind="waste", reason="expired", key=key(), actor=kitchen.actor
    )
    post(client, "/till/lines", {"product_id": str(kitchen.bottle.id)}, htmx=True)
    basket_key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    response = post(
        client, "/till/pay", {"basket_key": basket_key, "method": "cash", "amount": "2"}, htmx=True
    )
    assert "not enough Apple juice bottle" in response.get_data(as_text=True)
    assert fresh(StockItem, kitchen.juice.id).on_hand == 0


def test_waste_and_donations_say_why_and_to_whom_and_never_take_more_than_there_is(kitchen):
    stock.record_bake(kitchen.loaf.id, 5, key=key(), actor=kitchen.actor)
    with pytest.raises(ServiceError, match="why it was wasted"):
        stock.write_off(
            product_id=kitchen.loaf.id, qty=1, kind="waste", reason="", key=key(), actor=kitchen.actor
        )
    with pytest.raises(ServiceError, match="who it was given to"):
        stock.write_off(product_id=kitchen.loaf.id, qty=1, kind="donation", key=key(), actor=kitchen.actor)
    with pytest.raises(ServiceError, match="not 6 of Sourdough left"):
        stock.write_off(
            product_id=kitchen.loaf.id, qty=6, kind="waste", reason="unsold", key=key(), actor=kitchen.actor
        )
    db.session.rollback()
    partner = stock.save_partner(
        None, name="Northside Food Bank", kind="food bank", active=True, actor=kitchen.actor
    )
    given = stock.write_off(
        product_id=kitchen.loaf.id,
        qty=3,
        kind="donation",
        partner_id=partner.id,
        key=key(),
        actor=kitchen.actor,
    )
    wasted = stock.write_off(
        product_id=kitchen.loaf.id, qty=2, kind="waste", reason="burnt", key=key(), actor=kitchen.actor
    )
    assert (given.reason, given.partner_id, given.value) == ("donated", partner.id, 3 * 42)
    assert (wasted.reason, wasted.value) == ("burnt", 2 * 42)
    assert fresh(Product, kitchen.loaf.id).on_hand == 0
    assert count(WriteOff) == 2
    reasons = db.session.scalars(
        select(StockMovement.reason).where(StockMovement.write_off_id.is_not(None))
    ).all()
    assert sorted(reasons) == ["donation", "waste"]


def test_a_recipe_cannot_use_itself_through_another(kitchen):
    dough_id = db.session.scalar(select(Recipe.id).where(Recipe.name == "Sourdough dough"))
    loaf_id = db.session.scalar(select(Recipe.id).where(Recipe.name == "Sourdough loaf"))
    with pytest.raises(
        ServiceError, match="cannot use itself: Sourdough dough → Sourdough loaf → Sourdough dough"
    ):
        stock.update_recipe(
            dough_id,
            name="Sourdough dough",
            yield_qty=10_000,
            yield_unit="g",
            parts=[(kitchen.flour.id, None, 6000), (None, loaf_id, 1)],
            actor=kitchen.actor,
        )
    db.session.rollback()
    assert [p.stock_item_id for p in fresh(Recipe, dough_id).parts] == [
        kitchen.flour.id,
        kitchen.water.id,
        kitchen.salt.id,
    ]


def test_a_products_cost_allergens_and_ingredients_are_derived(kitchen):
    facts = stock.product_facts(fresh(Product, kitchen.loaf.id))
    assert facts.cost == 42  # 540 g flour at 0.075p + 18 g salt at 0.1p = 42.3p
    assert facts.allergens == {"gluten"}
    assert (
        "".join(t for t, _ in facts.ingredients)
        == "Sourdough dough (Strong white flour (gluten), Water, Sea salt)"
    )
    assert [t for t, bold in facts.ingredients if bold] == ["gluten"]
    assert facts.margin(450) == 9067  # (450 - 42) / 450
    latte = stock.product_facts(fresh(Product, kitchen.latte.id))
    assert (latte.allergens, latte.cost) == ({"milk"}, 57)  # 18 g beans at 1.8p + 250 ml milk at 0.1p
    assert [t for t, bold in latte.ingredients if bold] == ["milk"]
