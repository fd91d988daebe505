"""A till in the shop's second year: 100,000 past sales on it, and every request that staff,
managers and members make still reaches the past only through indexes.

The past is built in SQL (bench.history, the same rows `make bench`'s second-year row uses).
Each request runs once on the till with the past and once on a fresh till in the same database;
the work the database did must not grow with the past: on SQLite, the virtual machine's steps
(a full scan of 100,000 rows is millions of them); on PostgreSQL, the rows each plan node read
(EXPLAIN ANALYZE). The plans of the queries the issue named are held to their indexes by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Basket, Sale, Till, User
from bakery.models.types import utcnow
from bakery.services import printing
from bakery.services.audit import Actor
from bakery.services.till import cash
from bench.history import PastTill, add_past_audit, add_past_sales
from tests.app.printing.helpers import receipt_printer
from tests.app.sql_watch import (
    Statement,
    Watch,
    postgres_indexes,
    postgres_rows_read,
    sqlite_full_scans,
    sqlite_plan,
    watching,
)
from tests.app.till.helpers import make_menu
from tests.conftest import CSRF_IN_PAGE
from tests.factories import make_member, make_till, make_user, pair, pin_in, sign_in

PAST_SALES = 100_000
#: Rows a PostgreSQL plan node may read from a history table for one request's statement.
PG_ROWS_READ = 500


@dataclass
class Counter:
    """A till on a tablet of its own, open for trade."""

    till: Till
    staff: User
    client: FlaskClient
    token: str

    def post(self, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
        return self.client.post(url, data=data, headers={"X-CSRFToken": self.token, "HX-Request": "true"})

    def open_key(self) -> str:
        db.session.rollback()
        key = db.session.scalar(
            select(Basket.key).where(Basket.till_id == self.till.id, Basket.status == "open")
        )
        assert key is not None
        return key


def _counter(app: Flask, staff: User) -> Counter:
    client = app.test_client()
    till = make_till()
    pair(client, till)
    pin_in(client, staff)
    cash.open_session(till.id, 10000, Actor(staff.id, till.id))
    found = CSRF_IN_PAGE.search(client.get("/till/sell").get_data(as_text=True))
    assert found
    return Counter(till, staff, client, found.group(1))


@dataclass
class Shop:
    """Two tills on the same database: one with a year of sales behind it, one fresh."""

    old: Counter
    new: Counter
    product_id: int
    member_number: str
    manager: FlaskClient
    member_client: FlaskClient


@pytest.fixture
def shop(app: Flask) -> Shop:
    menu = make_menu()
    staff = make_user("staff", pin="1234")
    old, new = _counter(app, staff), _counter(app, staff)
    # Nothing listens on port 9: receipts stay queued, as with a printer switched off.
    printer_id = receipt_printer(old.till, 9).id
    receipt_printer(new.till, 9, name="Receipts fresh")
    member_user = make_user("member")
    member = make_member(member_user)
    past = PastTill(old.till.id, staff.id, menu["croissant"].id, member.id, printer_id)
    db.session.commit()  # the bulk insert needs the write lock the test's session would hold
    with db.engine.begin() as connection:
        add_past_sales(connection, past, PAST_SALES)
        add_past_audit(connection, PAST_SALES)
    manager = app.test_client()
    sign_in(manager, make_user("admin"))
    member_client = app.test_client()
    sign_in(member_client, member_user)
    return Shop(old, new, menu["croissant"].id, member.number, manager, member_client)


def _watched(run: Callable[[], object]) -> Watch:
    db.session.rollback()
    with watching(db.engine) as watch:
        run()
    return watch


def _growth(engine_name: str, old: Watch, new: Watch) -> list[str]:
    """What in `old` did more work than the same request on the fresh till."""
    if engine_name == "sqlite":
        # Steps are in tens of VM instructions; a scan of the past is hundreds of thousands.
        if old.steps > new.steps * 1.5 + 50:
            return [f"SQLite steps {old.steps} with the past, {new.steps} fresh:\n{old.listing()}"]
        return []
    problems = []
    for statement in old.statements:
        if statement.verb != "SELECT":
            continue
        for table, rows in postgres_rows_read(db.engine, statement).items():
            if rows > PG_ROWS_READ:
                problems.append(f"{rows} rows of {table}: {statement.sql[:300]}")
    return problems


def _sale(counter: Counter, product_id: int) -> None:
    counter.post("/till/lines", {"product_id": str(product_id)})
    key = counter.open_key()
    reply = counter.post("/till/pay", {"basket_key": key, "method": "cash", "amount": "2.50"})
    assert reply.status_code == 200 and "Change" in reply.get_data(as_text=True), reply.get_data(as_text=True)


def _pay(counter: Counter) -> Callable[[], object]:
    key = counter.open_key()
    return lambda: counter.post("/till/pay", {"basket_key": key, "method": "cash", "amount": "2.50"})


def _close(counter: Counter) -> Callable[[], object]:
    return lambda: counter.post("/till/close", {})


def _claim() -> object:
    return printing.claim_next("worker-test", utcnow() + timedelta(minutes=1), timedelta(seconds=30))


#: Each request as (what comes before it, on this counter) → the request itself.
REQUESTS: dict[str, Callable[[Shop, Counter], Callable[[], object]]] = {
    "tap": lambda s, c: lambda: c.post("/till/lines", {"product_id": str(s.product_id)}),
    "pay": lambda s, c: _pay(c),
    "selling screen": lambda s, c: lambda: c.client.get("/till/sell"),
    "printer panel": lambda s, c: lambda: c.client.get("/till/printer"),
    "park list": lambda s, c: lambda: c.client.get("/till/parked", headers={"HX-Request": "true"}),
    "today's sales to refund": lambda s, c: lambda: c.client.get("/till/refunds"),
    "a sale to refund": lambda s, c: lambda: c.client.get(f"/till/refunds/{_last_sale(c)}"),
    "X report": lambda s, c: lambda: c.client.get("/till/cash"),
    "print queue claim": lambda s, c: _claim,
    "Z report (close)": lambda s, c: _close(c),
}


def _last_sale(counter: Counter) -> int:
    db.session.rollback()
    found = db.session.scalar(select(func.max(Sale.id)).where(Sale.till_id == counter.till.id))
    assert found is not None
    return int(found)


def test_no_request_does_more_work_on_a_till_with_a_year_of_sales_behind_it(shop: Shop) -> None:
    """Each request, on the till with 100,000 past sales and then on a fresh one: no more work in the database (SQLite steps; PostgreSQL rows read)."""
    engine_name = db.engine.dialect.name
    problems = []
    for counter in (shop.old, shop.new):
        _sale(counter, shop.product_id)
    for name, request in REQUESTS.items():
        watches = []
        for counter in (shop.old, shop.new):
            if name == "pay":
                counter.post("/till/lines", {"product_id": str(shop.product_id)})
            watches.append(_watched(request(shop, counter)))
        old, new = watches
        if name in ("tap", "pay") and old.count != new.count:
            problems.append(f"{name}: {old.count} statements with the past, {new.count} fresh")
        problems += [f"{name}: {p}" for p in _growth(engine_name, old, new)]
    assert not problems, "\n\n".join(problems)


def test_office_and_member_pages_do_not_read_the_whole_past(shop: Shop) -> None:
    """The audit log's first and a later page, and the member's purchases this period, read only
    what they show (the audit log holds 100,000 past events, the member 10,000 past sales)."""
    engine_name = db.engine.dialect.name
    member = shop.member_client
    requests = {
        "audit log": lambda: shop.manager.get("/office/audit"),
        "audit log page 40": lambda: shop.manager.get("/office/audit?page=40"),
        "member's purchases": lambda: member.get(f"/members/{shop.member_number}/purchases"),
    }
    problems = []
    for name, request in requests.items():
        watch = _watched(request)
        if engine_name == "sqlite":
            problems += [f"{name}: {s.steps} steps: {s.sql[:200]}" for s in watch.statements if s.steps > 500]
        else:
            problems += [f"{name}: {p}" for p in _growth(engine_name, watch, watch)]
    assert not problems, "\n\n".join(problems)


#: The queries the till runs on every sale, and the index each must use.
NAMED_PLANS = {
    "the open basket": ("baskets", {"ix_baskets_till_id_status", "uq_baskets_open_till"}),
    "a sale's ledger link": ("ledger_entries", {"ix_ledger_entries_till_id_kind_ref_id"}),
    # PostgreSQL may rather take today's sales of every till: also bounded by the day.
    "today's sales": ("sales", {"ix_sales_till_id_created_at", "ix_sales_created_at"}),
    "parked orders": ("baskets", {"ix_baskets_status_created_at"}),
}


def _named(statement: Statement) -> str | None:
    sql = " ".join(statement.sql.split())
    if sql.startswith("SELECT baskets.") and "baskets.status = " in sql:
        return "the open basket" if "baskets.till_id = " in sql else "parked orders"
    if "FROM ledger_entries WHERE ledger_entries.till_id" in sql and "ref_id" in sql:
        return "a sale's ledger link"
    if "FROM sales" in sql and "sales.created_at >= " in sql and "sales.till_id = " in sql:
        return "today's sales"
    return None


def test_the_sale_path_queries_use_their_indexes(shop: Shop) -> None:
    """EXPLAIN (SQLite: EXPLAIN QUERY PLAN) of the open basket, a sale's ledger link (a receipt shown
    again), today's sales and the parked orders, as the till sent them on the till with the past:
    each uses its index."""
    watch = Watch()
    for run in (
        lambda: shop.old.post("/till/lines", {"product_id": str(shop.product_id)}),
        lambda: _pay(shop.old)(),
        lambda: shop.old.client.get(f"/till/receipts/{_last_sale(shop.old)}", headers={"HX-Request": "true"}),
        lambda: shop.old.client.get("/till/refunds"),
        lambda: shop.old.client.get("/till/parked", headers={"HX-Request": "true"}),
    ):
        watch.statements += _watched(run).statements
    seen: dict[str, set[str]] = {}
    for statement in watch.statements:
        name = _named(statement)
        if name is None:
            continue
        if db.engine.dialect.name == "sqlite":
            used = {word for line in sqlite_plan(db.engine, statement) for word in line.split()}
            assert not sqlite_full_scans(db.engine, statement), sqlite_plan(db.engine, statement)
        else:
            used = postgres_indexes(db.engine, statement)
        seen.setdefault(name, set()).update(used)
    assert set(seen) == set(NAMED_PLANS), seen
    for name, (_, indexes) in NAMED_PLANS.items():
        assert seen[name] & indexes, f"{name}: the plan uses {sorted(seen[name])}"
