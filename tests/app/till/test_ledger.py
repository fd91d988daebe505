"""The per-till ledger: every sale is chained; tampering is named by `flask bakery ledger verify`."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from bakery.extensions import db
from bakery.models import Basket, LedgerEntry, Sale
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import post


def sell(client, product_id, amount="10"):
    post(client, "/till/lines", {"product_id": str(product_id)}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    return post(client, "/till/pay", {"basket_key": key, "method": "cash", "amount": amount}, htmx=True)


def tamper(statement: str) -> None:
    """Someone with database access edits rows behind the app's back (triggers bypassed)."""
    db.session.rollback()
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for table in ("sales", "ledger_entries"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(statement))


@pytest.fixture
def three_sales(client):
    menu = make_menu()
    open_till_for(client)
    for _ in range(3):
        sell(client, menu["croissant"].id)
    return [s.id for s in db.session.scalars(select(Sale).order_by(Sale.id))]


def test_each_sale_appends_one_link_and_the_chain_verifies(runner, three_sales):
    assert [e.seq for e in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq))] == [1, 2, 3]
    result = runner.invoke(args=["bakery", "ledger", "verify"])
    assert result.exit_code == 0 and "intact" in result.output


def test_changing_one_field_of_a_sale_in_sql_is_named(runner, three_sales):
    tamper(f"UPDATE sales SET total = 1 WHERE id = {three_sales[1]}")
    result = runner.invoke(args=["bakery", "ledger", "verify"])
    assert result.exit_code == 1
    assert f"entry 2 (sale {three_sales[1]}" in result.output


def test_deleting_a_ledger_row_is_named(runner, three_sales):
    tamper("DELETE FROM ledger_entries WHERE seq = 2")
    result = runner.invoke(args=["bakery", "ledger", "verify"])
    assert result.exit_code == 1 and "missing" in result.output


def test_a_tail_rewritten_with_plain_sha256_is_named(runner, three_sales):
    import hashlib

    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.seq == 3))
    forged = hashlib.sha256((entry.prev_hash + "\n" + entry.record_json).encode()).hexdigest()
    tamper(f"UPDATE ledger_entries SET hash = '{forged}' WHERE seq = 3")
    result = runner.invoke(args=["bakery", "ledger", "verify"])
    assert result.exit_code == 1 and "entry 3" in result.output


def test_the_database_refuses_to_update_a_sale(three_sales):
    from sqlalchemy.exc import DBAPIError

    db.session.rollback()
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.execute(text("UPDATE sales SET total = 0"))


def test_the_managers_page_shows_each_chain_and_names_a_tampered_sale(client, three_sales):
    from tests.factories import make_user, sign_in

    sign_in(client, make_user("manager"))
    page = client.get("/office/ledger").get_data(as_text=True)
    assert "Intact" in page and ">3<" in page
    tamper(f"UPDATE sales SET total = 1 WHERE id = {three_sales[0]}")
    page = client.get("/office/ledger").get_data(as_text=True)
    assert f"entry 1 (sale {three_sales[0]}" in page


def test_every_field_of_a_sale_record_changes_its_link(three_sales):
    from bakery.domain.chain import GENESIS, canonical_json, link_hash
    from bakery.services.till.ledger import sale_record

    sale = db.session.get(Sale, three_sales[0])
    record = sale_record(sale, list(sale.lines), list(sale.payments))
    original = link_hash(b"k", GENESIS, canonical_json(record))
    for key, value in record.items():
        changed = {**record, key: [value, "x"] if isinstance(value, list) else f"{value}x"}
        assert link_hash(b"k", GENESIS, canonical_json(changed)) != original, key
    for index in range(len(record["lines"][0])):
        line = list(record["lines"][0])
        line[index] = f"{line[index]}x"
        changed = {**record, "lines": [line, *record["lines"][1:]]}
        assert link_hash(b"k", GENESIS, canonical_json(changed)) != original, f"lines[{index}]"
