"""The race-safe write helpers, and the keys that make a nervous finger's second tap harmless
(one process; the same races across worker processes are in tests/race)."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from bakery.extensions import db
from bakery.models import Basket, CashMovement, PendingPayment, Sale, Till
from bakery.services.race_safety import begin_write, locked
from bakery.services.till import cash
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_till, make_user, pair, post

KEY_IN_FORM = re.compile(r'name="tender_key" value="([0-9a-f]{32})"')


def open_key() -> str:
    return db.session.scalar(select(Basket.key).where(Basket.status == "open").order_by(Basket.id.desc()))


def test_a_locked_row_is_read_fresh_over_what_the_session_already_held(app: Flask) -> None:
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: the reading transaction already holds the write lock, nobody can change the row")
    till = make_till("Front")
    stale = db.session.get(Till, till.id)
    assert stale.name == "Front"  # loaded into this session's identity map, no lock held
    other = create_engine(db.engine.url)
    with other.begin() as conn:
        conn.execute(update(Till).where(Till.id == till.id).values(name="Back"))
    other.dispose()
    assert db.session.get(Till, till.id).name == "Front"  # a plain read serves the stale copy
    assert locked(Till, till.id).name == "Back"
    assert stale.name == "Back"
    assert locked(Till, None) is None
    db.session.rollback()


def test_begin_write_restarts_a_deferred_transaction_that_has_not_written_sqlite(app: Flask) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's deferred transactions only; PostgreSQL locks rows instead")
    till = make_till("Deferred")
    with app.test_request_context("/", method="POST"):
        from flask import g

        g._committed = True  # this request committed once: its next BEGIN is deferred
        db.session.rollback()
        db.session.get(Till, till.id)  # a read starts a deferred transaction (a snapshot)
        other = create_engine(db.engine.url, connect_args={"timeout": 0.1})
        with other.begin() as conn:  # another writer commits after our snapshot
            conn.execute(update(Till).where(Till.id == till.id).values(location="kitchen"))
        begin_write()
        db.session.execute(update(Till).where(Till.id == till.id).values(name="Written"))
        db.session.commit()
        other.dispose()
    db.session.rollback()
    row = db.session.get(Till, till.id, populate_existing=True)
    assert (row.name, row.location) == ("Written", "kitchen")


def test_without_begin_write_that_write_fails_sqlite(app: Flask) -> None:
    """The failure begin_write prevents: a stale deferred snapshot cannot be upgraded to write."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    till = make_till("Stale")
    with app.test_request_context("/", method="POST"):
        from flask import g

        g._committed = True
        db.session.rollback()
        db.session.get(Till, till.id)
        other = create_engine(db.engine.url)
        with other.begin() as conn:
            conn.execute(update(Till).where(Till.id == till.id).values(location="kitchen"))
        other.dispose()
        with pytest.raises(OperationalError, match="locked"):
            db.session.execute(update(Till).where(Till.id == till.id).values(name="Lost"))
        db.session.rollback()


def test_a_tender_sent_twice_with_its_key_is_one_payment(client) -> None:
    menu = make_menu()
    open_till_for(client)
    post(
        client,
        "/till/lines",
        {"product_id": str(menu["latte"].id), "variant_id": str(menu["latte"].variants[0].id)},
        htmx=True,
    )
    page = post(client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True).get_data(
        as_text=True
    )
    keys = KEY_IN_FORM.findall(page)
    assert len(keys) == 2 and keys[0] != keys[1]  # the quick tenders and the other-amount form
    form = {"basket_key": open_key(), "tender_key": keys[1], "method": "card", "amount": "4.00"}
    first = post(client, "/till/pay", form, htmx=True)
    again = post(client, "/till/pay", form, htmx=True)
    assert first.status_code == again.status_code == 200
    assert "Still due" in again.get_data(as_text=True)
    assert db.session.scalars(select(PendingPayment.amount)).all() == [400]
    new_keys = KEY_IN_FORM.findall(first.get_data(as_text=True))
    assert keys[1] not in new_keys  # the next tender gets a key of its own


def test_a_completing_tender_sent_again_returns_the_same_sale(client) -> None:
    menu = make_menu()
    open_till_for(client)
    post(client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    form = {"basket_key": open_key(), "tender_key": uuid.uuid4().hex, "method": "cash", "amount": "5.00"}
    assert post(client, "/till/pay", form, htmx=True).status_code == 200
    assert post(client, "/till/pay", form, htmx=True).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 1


def test_a_malformed_tender_key_is_refused_and_nothing_is_paid(client) -> None:
    menu = make_menu()
    open_till_for(client)
    post(client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    form = {"basket_key": open_key(), "tender_key": "x'; --", "method": "cash", "amount": "5.00"}
    response = post(client, "/till/pay", form, htmx=True)
    assert response.status_code == 422
    assert "out of date" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 0


def test_a_paid_out_form_sent_twice_moves_the_cash_once(client) -> None:
    till, _ = open_till_for(client, opening_float=5000)
    form = {"direction": "out", "amount": "3.00", "reason": "milk", "key": uuid.uuid4().hex}
    assert post(client, "/till/cash/moves", form, htmx=True).status_code == 200
    assert post(client, "/till/cash/moves", form, htmx=True).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(CashMovement)) == 1
    assert cash.current_totals(till.id).expected_cash == 4700


def test_one_open_basket_per_till_is_a_database_rule(app: Flask) -> None:
    till = make_till()
    staff_id = make_user("staff").id
    db.session.add(Basket(key=str(uuid.uuid4()), till_id=till.id, created_by_id=staff_id, status="open"))
    db.session.add(Basket(key=str(uuid.uuid4()), till_id=till.id, created_by_id=staff_id, status="parked"))
    db.session.commit()
    db.session.add(Basket(key=str(uuid.uuid4()), till_id=till.id, created_by_id=staff_id, status="open"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_clock_in_and_out_sent_twice_with_their_keys_clock_once(client) -> None:
    from tests.app.hours.helpers import entries, hours_ago, worker

    ada, _ = worker("Ada Twice")
    pair(client, make_till("Clock"))
    pad = client.get(f"/till/clock/{ada.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    key = re.search(r'name="key" value="([0-9a-f]{32})"', pad).group(1)
    form = {"action": "in", "pin": "1234", "key": key}
    first = post(client, f"/till/clock/{ada.id}", form, htmx=True)
    again = post(client, f"/till/clock/{ada.id}", form, htmx=True)
    assert first.status_code == again.status_code == 200
    assert "clocked in at" in again.get_data(as_text=True)
    [entry] = entries()
    entry.clock_in = hours_ago(3)
    db.session.commit()
    form = {"action": "out", "pin": "1234", "key": uuid.uuid4().hex, "break_minutes": "0"}
    assert post(client, f"/till/clock/{ada.id}", form, htmx=True).status_code == 200
    again = post(client, f"/till/clock/{ada.id}", form, htmx=True)
    assert again.status_code == 200 and "clocked out" in again.get_data(as_text=True)
    [entry] = entries()
    assert entry.clock_out is not None and entry.open_user_id is None
    # A new form (a new key) is a new clock-in.
    fresh_in = {"action": "in", "pin": "1234", "key": uuid.uuid4().hex}
    assert post(client, f"/till/clock/{ada.id}", fresh_in, htmx=True).status_code == 200
    assert len(entries()) == 2
