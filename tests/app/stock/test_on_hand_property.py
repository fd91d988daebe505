"""On-hand always equals the sum of movements, for every stock item and product, over random
sequences of deliveries, bakes, sales and refunds through the till, waste and stock takes
(hypothesis, on both engines)."""

from __future__ import annotations

import itertools
import uuid

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Product, Sale, StockItem, StockItemMovement, StockMovement
from bakery.services import stock
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.stock import LineIn
from bakery.services.till import baskets, cash, checkout, refunds, tills
from tests.app.stock.kitchen import make_kitchen, shop_today
from tests.factories import make_user

_keys = itertools.count(1)


def key() -> str:
    return f"property-{uuid.uuid4().hex[:8]}-{next(_keys)}"


steps = st.lists(
    st.one_of(
        st.tuples(st.just("deliver"), st.integers(0, 5), st.integers(1, 5_000)),
        st.tuples(st.just("bake"), st.integers(1, 12)),
        st.tuples(st.just("sell"), st.integers(0, 2), st.integers(1, 6)),
        st.tuples(st.just("refund"), st.integers(0, 5), st.integers(1, 3)),
        st.tuples(st.just("waste"), st.integers(0, 6), st.integers(1, 8)),
        st.tuples(
            st.just("count"),
            st.integers(0, 6),  # what is counted
            st.integers(0, 40),  # how many are found
            st.integers(0, 3),  # sales between counting and approval
        ),
    ),
    min_size=1,
    max_size=8,
)


class Shop:
    """The test kitchen with a till open for trade and a manager for refunds."""

    def __init__(self) -> None:
        manager = make_user("manager", pin="4321")
        self.manager = manager
        self.kitchen = make_kitchen(manager.id)
        staff = make_user("staff", pin="1234")
        self.till = tills.create_till(f"Till {uuid.uuid4().hex[:4]}", "counter", Actor(manager.id))
        self.actor = Actor(staff.id, self.till.id)
        cash.open_session(self.till.id, 5000, self.actor)
        k = self.kitchen
        self.items = [k.flour, k.water, k.salt, k.milk, k.coffee, k.juice]
        self.products = [k.loaf, k.latte, k.bottle]
        self.sales: list[int] = []

    def sell(self, product: Product, qty: int) -> None:
        """Sell on the till; a sale refused (sold out) leaves an empty basket and moves nothing."""
        try:
            basket = baskets.add_line(self.till.id, product.id, self.actor, qty=qty)
            due = baskets.price(basket).totals.total
            sale = checkout.tender(self.till.id, basket.key, "cash", due, self.actor)
        except ServiceError:
            db.session.rollback()
            event("a sale refused")
            basket = baskets.open_basket(self.till.id)
            for line in list(basket.lines if basket else []):
                baskets.remove_line(self.till.id, line.id)
            return
        assert isinstance(sale, Sale)
        self.sales.append(sale.id)

    def run(self, step: tuple[object, ...]) -> None:
        kind, *args = step
        k = self.kitchen
        try:
            if kind == "deliver":
                item, qty = self.items[int(args[0])], int(args[1])
                stock.record_delivery(
                    supplier_id=None,
                    delivered_on=shop_today(),
                    lines=[LineIn(item.id, qty, qty // 10)],
                    key=key(),
                    actor=k.actor,
                )
            elif kind == "bake":
                stock.record_bake(k.loaf.id, int(args[0]), key=key(), actor=k.actor)
            elif kind == "sell":
                self.sell(self.products[int(args[0])], int(args[1]))
            elif kind == "refund" and self.sales:
                sale = db.session.get(Sale, self.sales[int(args[0]) % len(self.sales)])
                left = checkout.refundable(sale)
                line = sale.lines[0]
                qty = min(int(args[1]), left[line.id])
                if qty:
                    refunds.refund(
                        self.till.id,
                        sale.id,
                        {line.id: qty},
                        "cash",
                        "test",
                        self.manager.id,
                        "4321",
                        self.actor,
                    )
            elif kind == "waste":
                which, qty = int(args[0]), int(args[1])
                target = {"product_id": k.loaf.id} if which == 6 else {"stock_item_id": self.items[which].id}
                stock.write_off(qty=qty, kind="waste", reason="dropped", key=key(), actor=k.actor, **target)
            elif kind == "count":
                self.count(int(args[0]), int(args[1]), int(args[2]))
        except ServiceError:
            db.session.rollback()
            event(f"{kind} refused")
        else:
            event(f"{kind} done")

    def count(self, which: int, found: int, sold_between: int) -> None:
        """Count one thing, sell between counting and approval, approve: on-hand is what was found
        less what sold since."""
        k = self.kitchen
        if which == 6:
            thing, location, target = k.loaf, "Shop floor", {"product_id": k.loaf.id}
            sold = k.loaf
        else:
            item = self.items[which]
            thing, location, target = (
                item,
                db.session.get(StockItem, item.id).location,
                {"stock_item_id": item.id},
            )
            sold = k.bottle if item.id == k.juice.id else None
        take = stock.start_count(location, actor=k.actor)
        stock.record_count(take.id, counted=str(found), actor=k.actor, **target)
        before = on_hand(type(thing), thing.id)
        if sold is not None and sold_between:
            self.sell(sold, sold_between)
        taken = before - on_hand(type(thing), thing.id)
        stock.approve_count(take.id, actor=k.actor)
        assert on_hand(type(thing), thing.id) == found - taken


def on_hand(model: type, ident: int) -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(model.on_hand).where(model.id == ident)))


def test_on_hand_is_always_the_sum_of_movements(app):
    shop = Shop()

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=steps)
    def check(steps):
        for step in steps:
            shop.run(step)
        db.session.expire_all()
        moved_items = dict(
            db.session.execute(
                select(StockItemMovement.stock_item_id, func.sum(StockItemMovement.qty)).group_by(
                    StockItemMovement.stock_item_id
                )
            ).all()
        )
        for item_id, held in db.session.execute(select(StockItem.id, StockItem.on_hand)).all():
            assert held == int(moved_items.get(item_id, 0)), f"stock item {item_id}"
        moved_products = dict(
            db.session.execute(
                select(StockMovement.product_id, func.sum(StockMovement.qty)).group_by(
                    StockMovement.product_id
                )
            ).all()
        )
        for product_id, held in db.session.execute(select(Product.id, Product.on_hand)).all():
            assert held == int(moved_products.get(product_id, 0)), f"product {product_id}"

    check()
