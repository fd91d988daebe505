"""The chain witness: each chain's head is kept in a signed file outside the database, so a tail
cut off together with its stored head is named by `flask bakery ledger verify` and `audit verify`."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text

from bakery.domain.witness import witness_line
from bakery.extensions import db
from bakery.models import AuditEvent, ChainHead, LedgerEntry, ZReport
from bakery.services import audit
from bakery.services.audit import SYSTEM
from bakery.services.till import cash
from bakery.services.till.ledger import chain_name
from bakery.services.till.report_documents import z_document
from tests.app.till.helpers import make_menu, open_till_for
from tests.app.till.test_ledger import sell
from tests.factories import make_user, post, sign_in


def witness_file(app: Flask) -> Path:
    return Path(app.config["WITNESS_PATH"])


def cut_the_tail(table: str, chain: str) -> None:
    """A DBA, triggers bypassed, deletes a chain's last row and rolls its stored head back by one."""
    db.session.rollback()
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        last = conn.execute(text(f"SELECT MAX(seq) FROM {table}")).scalar_one()
        prev = conn.execute(text(f"SELECT prev_hash FROM {table} WHERE seq = :s"), {"s": last}).scalar_one()
        conn.execute(text(f"DELETE FROM {table} WHERE seq = :s"), {"s": last})
        conn.execute(
            text("UPDATE chain_heads SET seq = seq - 1, head_hash = :h WHERE name = :n"),
            {"h": prev, "n": chain},
        )


@pytest.fixture
def three_sales(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    for _ in range(3):
        sell(client, menu["croissant"].id)
    return till


def test_each_commit_witnesses_the_heads_it_advanced_and_both_chains_verify(app, runner, three_sales):
    lines = witness_file(app).read_text().splitlines()
    ledger_head = db.session.get(ChainHead, chain_name(three_sales.id))
    assert lines[-1].split(" ")[:3] == [chain_name(three_sales.id), "3", ledger_head.head_hash]
    assert any(line.startswith("audit ") for line in lines)
    result = runner.invoke(args=["bakery", "ledger", "verify"])
    assert result.exit_code == 0 and "intact" in result.output and "witnessed to entry 3" in result.output
    assert runner.invoke(args=["bakery", "audit", "verify"]).exit_code == 0


def test_a_sale_cut_off_the_end_with_its_head_is_named(runner, three_sales):
    cut_the_tail("ledger_entries", chain_name(three_sales.id))
    assert db.session.scalar(select(LedgerEntry.seq).order_by(LedgerEntry.seq.desc()).limit(1)) == 2
    result = runner.invoke(args=["bakery", "ledger", "verify"])
    assert result.exit_code == 1
    assert f"(chain {chain_name(three_sales.id)})" in result.output
    assert "1 entry missing from the end" in result.output
    assert "intact" not in result.output


def test_an_audit_event_cut_off_the_end_with_its_head_is_named(runner, three_sales):
    last = db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    cut_the_tail("audit_events", audit.AUDIT_CHAIN)
    result = runner.invoke(args=["bakery", "audit", "verify"])
    assert result.exit_code == 1
    assert f"Audit chain broken at seq {last}: 1 entry missing from the end" in result.output


def test_the_managers_page_shows_the_cut(client, three_sales):
    sign_in(client, make_user("manager"))
    cut_the_tail("ledger_entries", chain_name(three_sales.id))
    page = client.get("/office/ledger").get_data(as_text=True)
    assert "1 entry missing from the end" in page


def test_a_rolled_back_transaction_writes_no_witness_line(app, three_sales):
    before = witness_file(app).read_bytes()
    audit.record("test.rolled_back", SYSTEM)
    db.session.flush()
    db.session.rollback()
    assert witness_file(app).read_bytes() == before
    with db.session.begin_nested() as savepoint:
        audit.record("test.savepoint", SYSTEM)
        db.session.flush()
        savepoint.rollback()
    db.session.commit()
    assert witness_file(app).read_bytes() == before


def test_only_the_furthest_head_of_a_transaction_is_witnessed(app, three_sales):
    before = witness_file(app).read_text().splitlines()
    first = audit.record("test.one", SYSTEM)
    second = audit.record("test.two", SYSTEM)
    db.session.commit()
    added = witness_file(app).read_text().splitlines()[len(before) :]
    assert [line.split(" ")[:3] for line in added] == [["audit", str(second.seq), second.hash]]
    assert second.seq == first.seq + 1


def test_a_forged_witness_line_is_reported_as_tampering(app, runner, three_sales):
    head = db.session.get(ChainHead, chain_name(three_sales.id))
    with witness_file(app).open("a") as handle:
        handle.write(witness_line(b"not the key", head.name, head.seq + 5, "0" * 64))
    for command in (["bakery", "ledger", "verify"], ["bakery", "audit", "verify"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 1 and "tampered with" in result.output, result.output


def test_a_missing_witness_file_is_not_called_intact(app, runner, three_sales):
    witness_file(app).unlink()
    for command in (["bakery", "ledger", "verify"], ["bakery", "audit", "verify"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 1 and "witness file is missing" in result.output
        assert "intact" not in result.output


def test_a_cut_tail_written_over_by_new_sales_is_still_named(client, runner):
    menu = make_menu()
    till, _ = open_till_for(client)
    for _ in range(2):
        sell(client, menu["croissant"].id)
    cut_the_tail("ledger_entries", chain_name(till.id))
    sell(client, menu["croissant"].id)
    result = runner.invoke(args=["bakery", "ledger", "verify"])
    assert result.exit_code == 1 and "two different links at entry 2" in result.output


def test_the_z_report_prints_the_chain_head_and_its_entry(client, three_sales):
    post(client, "/till/close", {"n1000": "10", "n200": "1", "n50": "1", "confirmed": "yes"})
    report = db.session.scalar(select(ZReport))
    head = db.session.get(ChainHead, chain_name(three_sales.id))
    document = z_document("Shop", three_sales.name, cash.z_report(three_sales.id, report.id))
    texts = [getattr(block, "text", "") for block in document.blocks]
    assert f"Chain {head.head_hash[:8].upper()} · entry {head.seq}" in texts
    assert head.seq == 4
