"""Stock takes under requests released together against a multi-worker server (SQLite and
PostgreSQL): a double-tapped approval moves stock once, and two people starting the same sheet
count on one take."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import StockCount, StockItem, StockItemMovement
from bakery.services import stock
from bakery.services.audit import Actor
from tests.app.stock.kitchen import make_kitchen, shop_today
from tests.race.conftest import LiveServer, release_together
from tests.race.test_member_races import office
from tests.race.test_till_races import no_crash

#: Each round sends three requests; ten rounds keep the test well under a minute per engine.
COUNT_ROUNDS = 10


def juice_on_hand(item_id: int) -> int:
    db.session.expire_all()
    return int(db.session.get(StockItem, item_id).on_hand)


def count_movements() -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(StockItemMovement).where(StockItemMovement.reason == "count")
        )
        or 0
    )


def test_a_double_tapped_approval_moves_stock_once(live: LiveServer, scene: Flask) -> None:
    """Three approvals of the same take at once, from two managers' tablets: one set of movements."""
    manager, browser = office(live, scene, "manager")
    _, other = office(live, scene, "manager")
    kitchen = make_kitchen(manager, today=shop_today())
    me = Actor(manager)
    for n in range(COUNT_ROUNDS):
        take = stock.start_count("Fridge", actor=me)
        found = 20 + n  # a different count each round, so each approval has a difference to add
        stock.record_count(take.id, stock_item_id=kitchen.juice.id, counted=str(found), actor=me)
        moved = count_movements()
        url = f"/office/counts/{take.id}/approve"
        answers = release_together(
            [browser.prepare(url, {}), other.prepare(url, {}), browser.prepare(url, {})]
        )
        no_crash(live, answers)
        assert [a.status for a in answers] == [303, 303, 303], [a.body[:300] for a in answers]
        assert count_movements() == moved + 1
        assert juice_on_hand(kitchen.juice.id) == found
    assert juice_on_hand(kitchen.juice.id) == stock.item_on_hand_from_movements(kitchen.juice.id)


def test_two_people_starting_the_same_sheet_count_on_one_take(live: LiveServer, scene: Flask) -> None:
    manager, browser = office(live, scene, "manager")
    _, other = office(live, scene, "manager")
    if db.session.scalar(select(func.count()).select_from(StockItem)) == 0:
        make_kitchen(manager, today=shop_today())
    me = Actor(manager)
    for _ in range(COUNT_ROUNDS):
        answers = release_together(
            [
                tablet.prepare("/office/counts/", {"location": "Dry store"})
                for tablet in (browser, other, other)
            ]
        )
        no_crash(live, answers)
        assert [a.status for a in answers] == [303, 303, 303]
        open_takes = db.session.scalars(
            select(StockCount).where(StockCount.location == "Dry store", StockCount.status == "open")
        ).all()
        assert len(open_takes) == 1
        stock.cancel_count(open_takes[0].id, actor=me)
