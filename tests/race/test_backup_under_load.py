"""A backup taken while ten tills sell (gunicorn with four workers, SQLite and PostgreSQL) restores
into a scratch database holding every sale answered before the backup began, and its ledger and
audit chains verify against the witness copied with it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text

from bakery import backups
from bench.client import Till, receipt_no, tapped
from tests.race.conftest import LiveServer

TILLS = 10


def test_a_backup_taken_while_ten_tills_sell_holds_every_earlier_sale_and_verifies(
    live: LiveServer, scene: Flask, tmp_path: Path
) -> None:
    from bakery.extensions import db
    from bakery.services import demo

    demo.load_demo_data()
    db.session.commit()
    products = [
        row[0]
        for row in db.session.execute(
            text("SELECT id FROM products WHERE name IN ('Carrot cake slice', 'Chocolate brownie', 'Tea')")
        )
    ]
    db.session.rollback()
    fleet = [Till.provision(("127.0.0.1", live.port), f"Backup {i}") for i in range(TILLS)]
    done: list[tuple[int, int, float]] = []  # till, receipt number, when its answer arrived
    problems: list[str] = []
    stop = threading.Event()

    def sell(index: int, till: Till) -> None:
        n = index
        while not stop.is_set():
            n += 1
            basket = till.add_line(products[n % len(products)])
            if not tapped(basket):
                problems.append(f"tap: {basket.status}")
                continue
            paid = till.pay_exact(basket)
            number = receipt_no(paid)
            if number is None:
                problems.append(f"pay: {paid.status} {paid.body[:100]!r}")
            else:
                done.append((till.till_id, number, time.monotonic()))

    threads = [threading.Thread(target=sell, args=(i, t), daemon=True) for i, t in enumerate(fleet)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60  # every till has sold (a loaded machine is slow to start)
    while len({till for till, _, _ in done}) < TILLS and time.monotonic() < deadline and not problems:
        time.sleep(0.1)
    began = time.monotonic()
    made = backups.take_backup(tmp_path / "off-box")
    deadline = time.monotonic() + 30  # the tills keep selling after the backup too
    while not any(at >= began for _, _, at in done) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(60)
    for till in fleet:
        till.close()

    assert not problems, problems[:5]
    assert live.errors_logged() == ""
    before = {(till, number) for till, number, at in done if at < began}
    after = {(till, number) for till, number, at in done if at >= began}
    assert len(before) >= TILLS and after, (len(before), len(after))

    with backups.restored(made.path) as url:
        engine = create_engine(url)
        with engine.connect() as conn:
            restored = {(r[0], r[1]) for r in conn.execute(text("SELECT till_id, receipt_no FROM sales"))}
        engine.dispose()
    missing = before - restored
    assert not missing, f"{len(missing)} sales answered before the backup began are not in it"
    # Each till's receipts in the backup run 1..n without a gap (a consistent snapshot).
    for till in {t for t, _ in restored}:
        numbers = sorted(n for t, n in restored if t == till)
        assert numbers == list(range(1, len(numbers) + 1)), (till, numbers)

    report = backups.restore_drill(made.path)
    assert report.ok, report.lines
    assert sum("intact" in line for line in report.lines) >= TILLS + 1  # every till and the audit chain
