"""Faults, as a shop meets them: the database connection dropped in the middle of a checkout
(PostgreSQL), the disk full under a checkout (SQLite on a tiny tmpfs), and the print worker killed
with -9 while printing. Each: a clear message, nothing half-written, and the retry (or the next
worker) finishes the job once."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text

from bakery import create_app
from bakery.errors import DATABASE_LOST, DISK_FULL
from bakery.extensions import db
from bakery.models import Basket, Payment, Sale, SaleLine
from bakery.services import printing
from bakery.services.audit import SYSTEM, verify_audit_chain
from bakery.services.till import verify_all
from printers.virtual import VirtualPrinter
from tests.app.printing.helpers import receipt_printer
from tests.app.till.helpers import make_menu, open_till_for
from tests.conftest import RequestIsolatedClient, base_config
from tests.factories import post


def tap_and_pay(client, product_id: int, tender_key: str):  # type: ignore[no-untyped-def]
    """Tap a product and pay exact cash with a tender key, as the till page does."""
    post(client, "/till/lines", {"product_id": str(product_id)}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    return key, pay(client, key, tender_key)


def pay(client, basket_key: str, tender_key: str):  # type: ignore[no-untyped-def]
    form = {"basket_key": basket_key, "method": "cash", "amount": "2.50", "tender_key": tender_key}
    return post(client, "/till/pay", form, htmx=True)


def chains_intact() -> None:
    assert all(state.fault is None for state in verify_all())
    assert verify_audit_chain() is None


def test_the_database_connection_dropped_mid_checkout_saves_nothing_and_the_retry_sells_once(
    app, client, monkeypatch
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's; SQLite has no connection to drop")
    open_till_for(client)
    croissant = make_menu()["croissant"]
    killer = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    original = printing.queue_for_sale
    dropped = []

    def drop_the_connection_then_go_on(*args, **kwargs):  # type: ignore[no-untyped-def]
        # The sale, its lines, payments, stock and ledger link are flushed: end the connection
        # under them, as a PostgreSQL restart or a network blip would.
        if not dropped:
            pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
            with killer.connect() as conn:
                dropped.append(conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar())
        return original(*args, **kwargs)

    monkeypatch.setattr(printing, "queue_for_sale", drop_the_connection_then_go_on)
    basket_key, first = tap_and_pay(client, croissant.id, "tender-1")
    killer.dispose()

    assert dropped == [True]
    assert first.status_code == 503
    body = first.get_data(as_text=True)
    assert DATABASE_LOST in body.replace("&#39;", "'")
    assert 'id="basket"' in body  # the basket, with Pay, is still on the screen
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 0
    assert db.session.scalar(select(func.count()).select_from(SaleLine)) == 0
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0

    again = pay(client, basket_key, "tender-1")
    assert again.status_code == 200, again.get_data(as_text=True)
    twice = pay(client, basket_key, "tender-1")  # a nervous second tap
    assert twice.status_code in (200, 422)
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 1
    sale = db.session.scalar(select(Sale))
    assert sum(p.amount for p in db.session.scalars(select(Payment))) == sale.total == 250
    chains_intact()


@pytest.fixture
def on_a_tiny_disk(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[Flask, Path]]:
    """The app on a SQLite file in an 8 MB tmpfs of its own (mounting needs root)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    try:
        path = disk / "bakery.sqlite"
        shutil.copy(sqlite_template, path)
        app = create_app(base_config(f"sqlite:///{path}", tmp_path))
        app.test_client_class = RequestIsolatedClient
        with app.app_context():
            yield app, disk
            db.session.remove()
            db.engine.dispose()
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Fill the disk to the last byte with a file; return it (delete it to free the space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 1):
            chunk = b"\0" * size
            try:
                while os.write(fd, chunk):
                    pass
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_refuses_the_sale_clearly_corrupts_nothing_and_the_retry_sells_once(on_a_tiny_disk):
    app, disk = on_a_tiny_disk
    client = app.test_client()
    open_till_for(client)
    croissant = make_menu()["croissant"]
    db.session.commit()
    filler = fill(disk)

    # Writes that fit in space SQLite already holds go through; the first that must grow the
    # write-ahead log onto the full disk is refused (a tap or a Pay, whichever comes first).
    refused = None
    for attempt in range(50):
        tapped = post(client, "/till/lines", {"product_id": str(croissant.id)}, htmx=True)
        if tapped.status_code != 200:
            refused, at = tapped, "tap"
            break
        basket_key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
        db.session.rollback()
        answer = pay(client, basket_key or "", f"tender-{attempt}")
        if answer.status_code != 200:
            refused, at = answer, "pay"
            break
    assert refused is not None, "the disk never filled"
    assert refused.status_code == 507, refused.get_data(as_text=True)
    assert DISK_FULL in refused.get_data(as_text=True).replace("&#39;", "'")
    sold_before = db.session.scalar(select(func.count()).select_from(Sale))
    db.session.rollback()

    filler.unlink()  # a manager makes space
    if at == "tap":
        assert post(client, "/till/lines", {"product_id": str(croissant.id)}, htmx=True).status_code == 200
        basket_key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
        db.session.rollback()
    again = pay(client, basket_key or "", f"tender-{attempt}")
    assert again.status_code == 200, again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Sale)) == sold_before + 1
    for sale in db.session.scalars(select(Sale)):
        assert (
            sum(p.amount for p in db.session.scalars(select(Payment).where(Payment.sale_id == sale.id)))
            == sale.total
        )
    chains_intact()
    db.session.remove()
    db.engine.dispose()
    with sqlite3.connect(disk / "bakery.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


JOBS = 60  # enough that the worker is still busy when it is killed, even on a fast machine


def start_worker(app: Flask, folder: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "BAKERY_DATABASE_URL": app.config["DATABASE_URL"],
        "BAKERY_SECRET_KEY": app.config["SECRET_KEY"],
        "BAKERY_LEDGER_KEY": app.config["LEDGER_KEY"],
        "BAKERY_WITNESS_PATH": app.config["WITNESS_PATH"],
        "BAKERY_PRINT_LEASE_SECONDS": "2",
        "FLASK_APP": "bakery",
        "PYTHONPATH": os.getcwd(),
    }
    with (folder / "worker.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "printers", "work", "--interval", "0.1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def test_a_print_worker_killed_mid_queue_leaves_nothing_lost_and_nothing_printed_twice(app, tmp_path):
    from tests.factories import make_till

    with VirtualPrinter() as virtual:
        printer = receipt_printer(make_till(), virtual.port)
        for _ in range(JOBS):
            printing.queue_test_page(printer.id, SYSTEM)
        db.session.commit()

        first = start_worker(app, tmp_path)
        try:
            virtual.wait_for_jobs(3, timeout=30)
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        printed_when_killed = len(virtual.jobs)
        assert printed_when_killed < JOBS, "the worker printed everything before it was killed"

        second = start_worker(app, tmp_path)
        # Read the queue on a plain connection of our own: the app's session would take SQLite's
        # write lock (BEGIN IMMEDIATE) outside a request and starve the worker.
        reader = create_engine(db.engine.url)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with reader.connect() as conn:
                    states = list(conn.execute(text("SELECT state FROM print_jobs")).scalars())
                if all(s in ("done", "uncertain", "failed", "expired") for s in states):
                    break
                time.sleep(0.2)
        finally:
            reader.dispose()
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=20)
        done = states.count("done")
        uncertain = states.count("uncertain")
        assert done + uncertain == JOBS, (sorted(set(states)), (tmp_path / "worker.log").read_text()[-3000:])
        assert uncertain <= 1  # at most the page in the printer when the worker died
        # Every page printed once: the uncertain one may or may not have come out, none twice.
        assert done <= len(virtual.jobs) <= done + uncertain
