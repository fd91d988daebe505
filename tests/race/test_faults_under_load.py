"""The app killed with -9 (master and every worker) while ten tills sell, on SQLite and PostgreSQL:
after a restart every answered sale is there, whole, receipts run without gaps, the chains verify,
and each till sells again from where it was."""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time

from flask import Flask
from sqlalchemy import func, select, text

from bench.client import Till, receipt_no, tapped
from tests.race.conftest import LiveServer

TILLS = 10


def test_killed_with_minus_nine_under_load_the_app_restarts_with_nothing_half_done(
    live: LiveServer, scene: Flask
) -> None:
    from bakery.extensions import db
    from bakery.models import Basket, Payment, Sale, SaleLine
    from bakery.services import demo
    from bakery.services.audit import verify_audit_chain
    from bakery.services.till import verify_all

    demo.load_demo_data()
    db.session.commit()
    products = list(
        db.session.execute(
            text("SELECT id FROM products WHERE name IN ('Chocolate brownie', 'Tea')")
        ).scalars()
    )
    db.session.rollback()
    fleet = [Till.provision(("127.0.0.1", live.port), f"Kill {i}") for i in range(TILLS)]
    answered: list[tuple[int, int]] = []
    stop = threading.Event()

    def sell(index: int, till: Till) -> None:
        n = index
        while not stop.is_set():
            n += 1
            try:
                basket = till.add_line(products[n % len(products)])
                if tapped(basket):
                    number = receipt_no(till.pay_exact(basket))
                    if number is not None:
                        answered.append((till.till_id, number))
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)  # the server is gone (mid-answer, too): keep knocking until told to stop

    threads = [threading.Thread(target=sell, args=(i, t), daemon=True) for i, t in enumerate(fleet)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60  # every till has sold (a loaded machine is slow to start)
    while len({till for till, _ in answered}) < TILLS and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    assert live.process is not None
    os.killpg(live.process.pid, signal.SIGKILL)
    live.process.wait(timeout=10)
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(answered) >= TILLS

    live.start()
    db.session.rollback()
    sales = {(s.till_id, s.receipt_no): s for s in db.session.scalars(select(Sale))}
    assert set(answered) <= set(sales), "a sale the till was told about is missing"
    for sale in sales.values():  # whole: lines and payments that add up to the total
        lines = db.session.scalar(
            select(func.count()).select_from(SaleLine).where(SaleLine.sale_id == sale.id)
        )
        paid = db.session.scalar(select(func.sum(Payment.amount)).where(Payment.sale_id == sale.id))
        assert lines >= 1 and paid == sale.total, sale.id
    for till in {t for t, _ in sales}:
        numbers = sorted(n for t, n in sales if t == till)
        assert numbers == list(range(1, len(numbers) + 1)), (till, numbers)
    assert all(state.fault is None for state in verify_all()), [s.fault for s in verify_all() if s.fault]
    assert verify_audit_chain() is None
    open_baskets = db.session.execute(
        select(Basket.till_id, func.count()).where(Basket.status == "open").group_by(Basket.till_id)
    ).all()
    assert all(count == 1 for _, count in open_baskets)
    db.session.rollback()

    # Each tablet carries on where it was (an interrupted order is still in its basket).
    for till in fleet:
        basket = till.add_line(products[0])
        assert tapped(basket), (basket.status, basket.body[:200])
        assert receipt_no(till.pay_exact(basket)) is not None
        till.close()
    assert live.errors_logged() == ""
