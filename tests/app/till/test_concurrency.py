"""What the till promises under real concurrency: threads, each with its own client and its own
database session, released together against the same database (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TypeVar

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import (
    Basket,
    BasketLine,
    LedgerEntry,
    Payment,
    PendingPayment,
    Product,
    Sale,
    SaleLine,
    StockMovement,
    TillCounter,
)
from bakery.security import DEVICE_COOKIE
from bakery.services.till import ledger
from tests.app.till.helpers import make_menu, open_till_for
from tests.conftest import csrf_token
from tests.factories import post

RECEIPT = re.compile(r"Receipt (\d+) ")
JOIN_TIMEOUT = 60
T = TypeVar("T")


@dataclass
class Tablet:
    """A paired, signed-in till with an open basket, ready to be driven from a thread."""

    client: FlaskClient
    till_id: int
    basket_key: str
    token: str


@dataclass
class Answer:
    status: int
    body: str


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def add(client: FlaskClient, product_id: int):  # type: ignore[no-untyped-def]
    return post(client, "/till/lines", {"product_id": str(product_id)}, htmx=True)


def open_key(till_id: int) -> str:
    return db.session.scalar(select(Basket.key).where(Basket.till_id == till_id, Basket.status == "open"))


def tablet_with(app: Flask, product_id: int) -> Tablet:
    """A till of its own, with the product already in its basket (prepared in the test body)."""
    client = app.test_client()
    till, _ = open_till_for(client)
    assert add(client, product_id).status_code == 200
    return Tablet(client, till.id, open_key(till.id), csrf_token(client))


def hx_post(app: Flask, tablet: Tablet, url: str, data: dict[str, str]) -> Answer:
    """POST as htmx does; a worker thread gets an app context (so a database session) of its own."""
    with nullcontext() if has_app_context() else app.app_context():
        response = tablet.client.post(
            url, data=data, headers={"X-CSRFToken": tablet.token, "HX-Request": "true"}
        )
        return Answer(response.status_code, response.get_data(as_text=True))


def pay(app: Flask, tablet: Tablet, amount: str) -> Answer:
    return hx_post(
        app, tablet, "/till/pay", {"basket_key": tablet.basket_key, "method": "cash", "amount": amount}
    )


def release_together(calls: list[Callable[[], T]]) -> list[T]:
    """Run each call in its own thread, all released by one barrier; re-raise any thread's error."""
    db.session.rollback()  # the test body must not hold SQLite's write lock while the threads run
    barrier = threading.Barrier(len(calls))
    results: list[T | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            results[i] = call()
        except BaseException as exc:  # reported to the test body below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a worker thread hung"
    if errors:
        raise errors[0]
    db.session.rollback()  # read what the threads committed
    return [r for r in results if r is not None]


def test_twenty_buyers_of_the_last_loaf_make_one_sale_and_nineteen_hear_it_sold_out(app):
    menu = make_menu()
    loaf_id = menu["loaf"].id
    tablets = [tablet_with(app, loaf_id) for _ in range(20)]

    answers = release_together([lambda t=t: pay(app, t, "4.50") for t in tablets])

    statuses = Counter(a.status for a in answers)
    assert statuses == {200: 1, 409: 19}, statuses
    assert all("sold out" in a.body for a in answers if a.status == 409)
    [won] = [a for a in answers if a.status == 200]
    assert RECEIPT.search(won.body).group(1) == "1"
    assert count(Sale) == 1 and count(Payment) == 1 and count(LedgerEntry) == 1
    assert db.session.get(Product, loaf_id).on_hand == 0
    assert db.session.scalars(select(StockMovement.qty)).all() == [-1]
    assert db.session.scalar(select(func.count()).where(Basket.status == "open")) == 19
    assert count(PendingPayment) == 0


def test_a_double_tapped_pay_released_together_makes_one_sale_and_both_show_its_receipt(app):
    menu = make_menu()
    tablet = tablet_with(app, menu["croissant"].id)
    twin = app.test_client()  # the same tablet's second request: same device and session cookies
    for name in (app.config["SESSION_COOKIE_NAME"], DEVICE_COOKIE):
        cookie = tablet.client.get_cookie(name)
        assert cookie is not None, name
        twin.set_cookie(name, cookie.value)
    double = Tablet(twin, tablet.till_id, tablet.basket_key, tablet.token)

    for round_no in range(1, 6):  # a few rounds, to give the race several chances to show
        if round_no > 1:
            assert add(tablet.client, menu["croissant"].id).status_code == 200
            tablet.basket_key = double.basket_key = open_key(tablet.till_id)
        answers = release_together([lambda: pay(app, tablet, "2.50"), lambda: pay(app, double, "2.50")])

        assert [a.status for a in answers] == [200, 200], [a.body for a in answers if a.status != 200]
        assert [RECEIPT.search(a.body).group(1) for a in answers] == [str(round_no)] * 2
        assert count(Sale) == round_no and count(Payment) == round_no
        assert db.session.scalar(select(Sale.total).where(Sale.idempotency_key == tablet.basket_key)) == 250
    assert db.session.get(TillCounter, tablet.till_id).last_receipt_no == 5
    assert count(LedgerEntry) == 5 and count(PendingPayment) == 0


def test_a_pay_retried_after_its_answer_was_lost_returns_the_same_sale(app):
    menu = make_menu()
    tablet = tablet_with(app, menu["loaf"].id)
    db.session.rollback()

    pay(app, tablet, "4.50")  # committed, but the answer never reached the tablet
    again = pay(app, tablet, "4.50")

    assert again.status == 200
    assert RECEIPT.search(again.body).group(1) == "1"
    assert count(Sale) == 1 and count(Payment) == 1 and count(StockMovement) == 1
    assert count(LedgerEntry) == 1 and count(PendingPayment) == 0
    assert db.session.get(Product, menu["loaf"].id).on_hand == 0
    assert db.session.get(TillCounter, tablet.till_id).last_receipt_no == 1


def test_eight_tills_tapping_for_ten_seconds_on_sqlite_never_see_a_locked_database(app, database_url, caplog):
    if not database_url.startswith("sqlite"):
        pytest.skip("measures SQLite's single writer (BEGIN IMMEDIATE); PostgreSQL locks rows instead")
    menu = make_menu()
    croissant_id = menu["croissant"].id
    tablets = [tablet_with(app, croissant_id) for _ in range(8)]  # one tap each already

    def tap_for_ten_seconds(tablet: Tablet) -> Counter[int]:
        statuses: Counter[int] = Counter()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and statuses[200] < 990:  # a line holds at most 999
            answer = hx_post(app, tablet, "/till/lines", {"product_id": str(croissant_id)})
            statuses[answer.status] += 1
            if "locked" in answer.body:
                statuses[-1] += 1
        return statuses

    results = release_together([lambda t=t: tap_for_ten_seconds(t) for t in tablets])

    total = sum(results, Counter())
    assert set(total) == {200}, total
    assert total[200] > 8 * 10, total  # the taps really did overlap, for the whole ten seconds
    assert "database is locked" not in caplog.text
    for tablet, statuses in zip(tablets, results, strict=True):
        qty = db.session.scalar(
            select(func.sum(BasketLine.qty)).join(Basket).where(Basket.key == tablet.basket_key)
        )
        assert qty == statuses[200] + 1  # + the tap made while preparing


def test_a_checkout_failing_half_way_writes_nothing_and_the_next_receipt_follows_on(app, monkeypatch):
    menu = make_menu()
    loaf_id = menu["loaf"].id
    tablet = tablet_with(app, menu["croissant"].id)
    assert RECEIPT.search(pay(app, tablet, "2.50").body).group(1) == "1"  # an earlier sale
    assert add(tablet.client, loaf_id).status_code == 200
    tablet.basket_key = open_key(tablet.till_id)
    db.session.rollback()
    tables = (Sale, SaleLine, Payment, PendingPayment, StockMovement, LedgerEntry)
    before = {model: count(model) for model in tables}

    def ledger_down(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("ledger unavailable")  # after the receipt number, sale, lines and stock

    monkeypatch.setattr(ledger, "append", ledger_down)
    failed = pay(app, tablet, "4.50")

    assert failed.status == 500
    assert "Nothing was saved" in failed.body
    db.session.rollback()
    assert {model: count(model) for model in tables} == before
    assert db.session.scalar(select(Basket.status).where(Basket.key == tablet.basket_key)) == "open"
    assert db.session.get(Product, loaf_id).on_hand == 1
    assert db.session.get(TillCounter, tablet.till_id).last_receipt_no == 1

    monkeypatch.undo()
    again = pay(app, tablet, "4.50")

    assert again.status == 200
    assert RECEIPT.search(again.body).group(1) == "2"
    assert db.session.scalars(select(Sale.receipt_no).order_by(Sale.receipt_no)).all() == [1, 2]
    assert db.session.get(Product, loaf_id).on_hand == 0
    assert all(state.fault is None for state in ledger.verify_all())
