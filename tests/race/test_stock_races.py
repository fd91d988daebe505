"""Stock under requests released together against a multi-worker server (SQLite and PostgreSQL):
bakes and deliveries of the same flour at once lose nothing, and a double-tapped bake is one batch."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import BakeBatch, Product, StockItem, StockItemMovement
from bakery.services import stock
from tests.app.stock.kitchen import make_kitchen, shop_today
from tests.race.conftest import LiveServer, release_together
from tests.race.test_member_races import office
from tests.race.test_till_races import no_crash

#: Each round sends four stock writes; ten rounds keep the test under a minute per engine.
STOCK_ROUNDS = 10


def on_hand(model, row_id: int) -> int:
    db.session.expire_all()
    return int(db.session.get(model, row_id).on_hand)


def test_bakes_and_deliveries_of_the_same_flour_at_once_lose_nothing(live: LiveServer, scene: Flask) -> None:
    """Two bakes of 10 loaves and two deliveries of a sack, from two managers at once, every round:
    the flour and the loaves move by exactly what was sent, and on hand is the sum of the movements."""
    first, browser = office(live, scene, "manager")
    _, other = office(live, scene, "manager")
    kitchen = make_kitchen(first, today=shop_today())
    flour, loaf = kitchen.flour.id, kitchen.loaf.id
    sack = kitchen.flour.purchase_units[0].id
    for n in range(STOCK_ROUNDS):
        flour_before, loaves_before = on_hand(StockItem, flour), on_hand(Product, loaf)
        posts = [
            tablet.prepare(
                "/office/stock/bakes", {"key": f"race-bake-{n}-{i}", "product_id": str(loaf), "qty": "10"}
            )
            for i, tablet in enumerate((browser, other))
        ] + [
            tablet.prepare(
                "/office/stock/deliveries",
                {
                    "key": f"race-delivery-{n}-{i}",
                    "item_0": str(flour),
                    "unit_0": str(sack),
                    "qty_0": "1",
                    "cost_0": "12.00",
                },
            )
            for i, tablet in enumerate((browser, other))
        ]
        answers = release_together(posts)
        no_crash(live, answers)
        assert [a.status for a in answers] == [302, 302, 302, 302], [
            a.body[:300] for a in answers if a.status != 302
        ]
        assert on_hand(StockItem, flour) == flour_before + 2 * 16_000 - 2 * 10 * 540
        assert on_hand(Product, loaf) == loaves_before + 20
    assert on_hand(StockItem, flour) == stock.item_on_hand_from_movements(flour)
    assert on_hand(Product, loaf) == stock.product_on_hand_from_movements(loaf)
    # 0.075p a gram at the start and 0.075p a gram in every sack: the average cannot have moved
    assert db.session.get(StockItem, flour).unit_cost == 75_000


def test_a_double_tapped_bake_is_one_batch(live: LiveServer, scene: Flask) -> None:
    manager, browser = office(live, scene, "manager")
    loaf = db.session.scalar(select(Product.id).where(Product.make == "batch"))
    if loaf is None:
        loaf = make_kitchen(manager, today=shop_today()).loaf.id
    for n in range(STOCK_ROUNDS):
        before = db.session.scalar(select(func.count()).select_from(BakeBatch))
        moved = db.session.scalar(select(func.count()).select_from(StockItemMovement))
        form = {"key": f"race-double-bake-{n}", "product_id": str(loaf), "qty": "4"}
        answers = release_together([browser.prepare("/office/stock/bakes", form) for _ in range(3)])
        no_crash(live, answers)
        assert db.session.scalar(select(func.count()).select_from(BakeBatch)) == before + 1
        assert (
            db.session.scalar(select(func.count()).select_from(StockItemMovement)) == moved + 3
        )  # flour, water, salt
