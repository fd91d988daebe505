"""The demo's opening stock: counted in as stock movements, so on hand can be recomputed."""

from __future__ import annotations

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Product, StockMovement
from bakery.services.demo.menu import MENU


def _on_hand_and_moved() -> list[tuple[str, int, int]]:
    moved = (
        select(StockMovement.product_id, func.sum(StockMovement.qty).label("qty"))
        .group_by(StockMovement.product_id)
        .subquery()
    )
    return [
        (name, on_hand, int(total))
        for name, on_hand, total in db.session.execute(
            select(Product.name, Product.on_hand, func.coalesce(moved.c.qty, 0))
            .outerjoin(moved, moved.c.product_id == Product.id)
            .order_by(Product.id)
        )
    ]


def test_after_the_demo_every_products_on_hand_is_the_sum_of_its_movements(runner):
    loaded = runner.invoke(args=["bakery", "demo"])
    assert loaded.exit_code == 0, loaded.output

    rows = _on_hand_and_moved()

    assert len(rows) == db.session.scalar(select(func.count()).select_from(Product)) > 0
    assert [row for row in rows if row[1] != row[2]] == []
    assert sum(on_hand for _, on_hand, _ in rows) > 0


def test_the_demos_opening_stock_is_one_count_per_tracked_product_with_stock(runner):
    runner.invoke(args=["bakery", "demo"])

    counts = db.session.execute(
        select(Product.name, Product.track_stock, StockMovement.reason, StockMovement.qty, StockMovement.note)
        .join(StockMovement, StockMovement.product_id == Product.id)
        .where(StockMovement.reason != "production")  # this morning's bake, recorded as batches
        .order_by(Product.id)
    ).all()
    stocked = [name for _, items in MENU.values() for name, *_, on_hand, _negative in items if on_hand]

    assert [name for name, *_ in counts] == stocked
    assert ("Croissant", True, "count", 30, "Opening stock count of the demo shop") in counts
    assert all(track and reason == "count" and qty > 0 for _, track, reason, qty, _ in counts)


def test_the_demo_stockroom_is_loaded_through_the_services_and_adds_up(runner):
    from bakery.models import BakeBatch, Recipe, StockItem, StockItemMovement
    from bakery.services import stock

    loaded = runner.invoke(args=["bakery", "demo"])
    assert loaded.exit_code == 0, loaded.output
    assert "The stockroom loaded" in loaded.output
    items = db.session.scalars(select(StockItem)).all()
    assert len(items) >= 10
    assert [i.name for i in items if i.on_hand != stock.item_on_hand_from_movements(i.id)] == []
    assert (
        db.session.scalar(
            select(func.count()).select_from(StockItemMovement).where(StockItemMovement.reason == "bake")
        )
        > 0
    )
    assert db.session.scalar(select(func.count()).select_from(BakeBatch)) == 5
    loaf = db.session.scalar(select(Product).where(Product.name == "Sourdough loaf"))
    facts = stock.product_facts(loaf)
    assert loaf.make == "batch" and facts.cost and facts.allergens == {"gluten"}
    latte = db.session.scalar(select(Product).where(Product.name == "Latte"))
    assert latte.make == "to_order" and stock.product_facts(latte).allergens == {"milk"}
    assert db.session.scalar(select(func.count()).select_from(Recipe)) == 14
    again = runner.invoke(args=["bakery", "demo"])
    assert "The stockroom loaded" not in again.output
