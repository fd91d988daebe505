"""A known trading history for bake plan tests: bakes through the service, sales and refunds written
in bulk at chosen times (sale, lines and stock movements, as a checkout leaves them)."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from bakery.extensions import db
from bakery.models import Product, Sale, SaleLine, StockMovement, Till
from bakery.services import stock
from bakery.services.audit import Actor
from bakery.services.settings import current_settings
from bakery.services.till import cash
from tests.app.stock.kitchen import Kitchen, key, shop_today
from tests.factories import make_till, make_user

_receipts = itertools.count(1)


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of a business day, in UTC."""
    zone = ZoneInfo(current_settings().timezone)
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(ZoneInfo("UTC"))


class Counter:
    """One open till whose sales are written at chosen times."""

    def __init__(self) -> None:
        self.till: Till = make_till()
        self.staff = make_user("staff")
        self.session = cash.open_session(self.till.id, 10_000, Actor(self.staff.id, self.till.id))

    def sell(
        self, product: Product, qty: int, moment: datetime, *, refund: bool = False, commit: bool = True
    ) -> Sale:
        """One sale (or refund, qty returned) of `qty` of a product at `moment`."""
        signed = -qty if refund else qty
        gross = signed * product.price
        sale = Sale(
            till_id=self.till.id,
            receipt_no=next(_receipts),
            idempotency_key=uuid.uuid4().hex,
            kind="refund" if refund else "sale",
            cash_session_id=self.session.id,
            staff_id=self.staff.id,
            subtotal=gross,
            total=gross,
            vat_total=0,
            created_at=moment,
        )
        db.session.add(sale)
        db.session.flush()
        db.session.add(
            SaleLine(
                sale_id=sale.id,
                product_id=product.id,
                description=product.name,
                qty=signed,
                unit_price=product.price,
                gross=gross,
                rate_bp=0,
                vat_reason="cold takeaway food",
                eat_in=False,
            )
        )
        if product.track_stock:
            db.session.execute(
                update(Product).where(Product.id == product.id).values(on_hand=Product.on_hand - signed)
            )
            db.session.add(
                StockMovement(
                    product_id=product.id,
                    qty=-signed,
                    reason="refund" if refund else "sale",
                    sale_id=sale.id,
                    at=moment,
                )
            )
        if commit:
            db.session.commit()
        return sale


def bake(kitchen: Kitchen, product: Product, qty: int, day: date, hour: int = 6) -> None:
    """A batch baked early on a day, through the service."""
    stock.record_bake(product.id, qty, key=key(), actor=kitchen.actor, baked_on=day, now=at_local(day, hour))


def waste(kitchen: Kitchen, product: Product, qty: int, day: date, hour: int = 18) -> None:
    """Unsold units thrown away after the close, through the service."""
    stock.write_off(
        product_id=product.id,
        qty=qty,
        kind="waste",
        reason="unsold",
        key=key(),
        actor=kitchen.actor,
        day=day,
        now=at_local(day, hour),
    )


def loaf_in_batches_of(kitchen: Kitchen, size: int) -> None:
    """Make the loaf's recipe yield `size` loaves, so it bakes in batches of that many."""
    recipe_id = db.session.get(Product, kitchen.loaf.id).recipe_id
    parts = stock.load_facts().recipes[recipe_id].parts
    sub = next(part.recipe_id for part in parts if part.recipe_id)
    stock.update_recipe(
        recipe_id,
        name="Sourdough loaf",
        yield_qty=size,
        yield_unit="each",
        parts=[(None, sub, 900 * size)],
        actor=kitchen.actor,
    )


def worked_example(kitchen: Kitchen, counter: Counter) -> date:
    """The unit tests' worked example as a trading history; returns the day the plan is for.

    Four weeks of the same weekday: 20 sold of 24 (4 wasted), 24 of 24 sold out by 13:00 while
    the shop traded until 17:00, 18 net of 24 (19 sold, 1 refunded; 6 wasted), 22 of 24 (2 wasted);
    today 8 baked and 3 sold, so 5 are left in date. Batches of 8. Expected: 23, less 5, 3 batches.
    """
    plan_day = shop_today() + timedelta(days=1)
    loaf, latte = kitchen.loaf, kitchen.latte
    weeks = {1: (20, False, 0), 2: (24, True, 0), 3: (19, False, 1), 4: (22, False, 0)}
    for back in sorted(weeks, reverse=True):
        day = plan_day - timedelta(weeks=back)
        sold, sells_out, refunded = weeks[back]
        bake(kitchen, loaf, 24, day)
        end_hour = 13 if sells_out else 16
        for n in range(sold):
            counter.sell(
                loaf,
                1,
                at_local(day, 8) + (at_local(day, end_hour) - at_local(day, 8)) * n / sold,
                commit=False,
            )
        if refunded:
            counter.sell(loaf, refunded, at_local(day, 16, 30), refund=True)
        counter.sell(latte, 1, at_local(day, 17))  # the shop's last sale of the day
        left = 24 - sold + refunded
        if left:
            waste(kitchen, loaf, left, day)
    today = shop_today()
    bake(kitchen, loaf, 8, today, hour=0)
    for _ in range(3):
        counter.sell(loaf, 1, at_local(today, 0, 30))
    return plan_day
