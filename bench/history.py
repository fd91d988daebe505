"""A till's past, built in SQL: a year of completed sales (with their baskets, lines, payments,
ledger links, printed receipts and audit rows), closed cash sessions and Z reports.

The rows are made by `INSERT … SELECT` over a generated series of numbers, one statement per
table, so 100,000 sales take seconds on either engine (no ORM, no Python loop per row). The
till is left as the services would leave it: its receipt and Z counters and its ledger chain's
head follow on from the last past row, so the next sale numbers and chains as it would in a
shop's second year (the past links' hashes are not real: `ledger verify` is not for this data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, text

SALES_PER_DAY = 300
#: Every n-th past sale is attributed to the member, every m-th is refunded the same day.
MEMBER_EVERY = 10
REFUND_EVERY = 50
START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class PastTill:
    """Whom and what the past sales name: all must exist already."""

    till_id: int
    staff_id: int
    product_id: int
    member_id: int | None = None
    printer_id: int | None = None


def _numbers(dialect: str, count_param: str) -> str:
    """A common table expression `n(i)` holding 1..count."""
    if dialect == "postgresql":
        return f"WITH n(i) AS (SELECT generate_series(1, :{count_param}))"
    return f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :{count_param})"


def _at(dialect: str, minutes: str) -> str:
    """The past moment `minutes` after START, as the column type stores it."""
    if dialect == "postgresql":
        return f"(CAST(:start AS timestamptz) + ({minutes}) * interval '1 minute')"
    return f"datetime(:start, '+' || ({minutes}) || ' minutes')"


def _max_id(connection: Connection, table: str) -> int:
    return int(connection.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one())


def add_past_sales(connection: Connection, past: PastTill, count: int = 100_000) -> None:
    """Give the till `count` completed past sales (a year at SALES_PER_DAY a day), in the caller's
    transaction. Each day is a closed cash session with its Z report; one sale in REFUND_EVERY
    has a refund of its own later that day."""
    d = connection.dialect.name
    start = START.replace(tzinfo=None).isoformat(sep=" ") if d == "sqlite" else START.isoformat()
    days = -(-count // SALES_PER_DAY)
    minute_of_sale = f"((i - 1) / {SALES_PER_DAY}) * 1440 + (i - 1) % {SALES_PER_DAY} * 2"
    base = {"till": past.till_id, "staff": past.staff_id, "start": start}

    first_session = _max_id(connection, "cash_sessions") + 1
    connection.execute(
        text(
            f"{_numbers(d, 'days')} INSERT INTO cash_sessions"
            " (till_id, opened_by_id, opened_at, opening_float, closed_by_id, closed_at)"
            f" SELECT :till, :staff, {_at(d, '(i - 1) * 1440')}, 5000, :staff,"
            f" {_at(d, '(i - 1) * 1440 + 720')}"
            " FROM n"
        ),
        {**base, "days": days},
    )
    first_sale = _max_id(connection, "sales") + 1
    refunds = count // REFUND_EVERY
    refund_minute = f"(i * {REFUND_EVERY} - 1) / {SALES_PER_DAY} * 1440 + 700"  # late on its sale's day
    # Sales first (receipt numbers 1..count), then their refunds (count+1..), ids in the same order.
    connection.execute(
        text(
            f"{_numbers(d, 'count')} INSERT INTO sales (till_id, receipt_no, idempotency_key, kind,"
            " cash_session_id, staff_id, member_id, eat_in, subtotal, discount_total, total, vat_total,"
            " created_at)"
            f" SELECT :till, i, 'past-' || :till || '-' || i, 'sale', :session + (i - 1) / {SALES_PER_DAY},"
            f" :staff, CASE WHEN i % {MEMBER_EVERY} = 0 THEN CAST(:member AS INTEGER) END, false,"
            f" 250, 0, 250, 0, {_at(d, minute_of_sale)} FROM n"
        ),
        {**base, "count": count, "session": first_session, "member": past.member_id},
    )
    connection.execute(
        text(
            f"{_numbers(d, 'refunds')} INSERT INTO sales (till_id, receipt_no, idempotency_key, kind,"
            " refund_of_id, cash_session_id, staff_id, authorised_by_id, eat_in, subtotal, discount_total,"
            " total, vat_total, reason, created_at)"
            f" SELECT :till, :count + i, 'past-refund-' || :till || '-' || i, 'refund',"
            f" :first_sale + i * {REFUND_EVERY} - 1,"
            f" :session + (i * {REFUND_EVERY} - 1) / {SALES_PER_DAY}, :staff, :staff, false, -250, 0,"
            f" -250, 0, 'customer changed their mind', {_at(d, refund_minute)}"
            " FROM n"
        ),
        {**base, "count": count, "refunds": refunds, "first_sale": first_sale, "session": first_session},
    )
    total = count + refunds
    params = {**base, "total": total, "first_sale": first_sale, "product": past.product_id}
    connection.execute(
        text(
            f"{_numbers(d, 'total')} INSERT INTO sale_lines (sale_id, product_id, description, note, qty,"
            " unit_price, modifiers_price, line_discount, basket_discount_share, gross, rate_bp, vat_reason,"
            " eat_in, refund_of_line_id)"
            " SELECT :first_sale + i - 1, :product, 'Past sale', '', CASE WHEN i > :count THEN -1 ELSE 1 END,"
            " 250, 0, 0, 0, CASE WHEN i > :count THEN -250 ELSE 250 END, 0, 'cold food to take away',"
            " false, NULL FROM n"
        ),
        {**params, "count": count},
    )
    connection.execute(
        text(
            f"{_numbers(d, 'total')} INSERT INTO payments (sale_id, method, amount, tendered, change)"
            " SELECT :first_sale + i - 1, 'cash', CASE WHEN i > :count THEN -250 ELSE 250 END,"
            " CASE WHEN i > :count THEN 0 ELSE 500 END, CASE WHEN i > :count THEN 0 ELSE 250 END FROM n"
        ),
        {**params, "count": count},
    )
    connection.execute(
        text(
            f"{_numbers(d, 'count')} INSERT INTO baskets (key, till_id, status, eat_in, discount,"
            " discount_bp, created_by_id, created_at, sale_id)"
            " SELECT 'past-basket-' || :till || '-' || i, :till, 'paid', false, 0, 0, :staff,"
            f" {_at(d, minute_of_sale)}, :first_sale + i - 1 FROM n"
        ),
        {**params, "count": count},
    )
    # The ledger: each sale and refund, then each day's Z report, numbered on from 1.
    connection.execute(
        text(
            f"{_numbers(d, 'total')} INSERT INTO ledger_entries (till_id, seq, kind, ref_id, record_json,"
            " prev_hash, hash, at)"
            " SELECT :till, i, CASE WHEN i > :count THEN 'refund' ELSE 'sale' END, :first_sale + i - 1, '{}',"
            f" '{'0' * 64}', '{'a' * 64}', :start FROM n"
        ),
        {**params, "count": count},
    )
    first_z = _max_id(connection, "z_reports") + 1
    connection.execute(
        text(
            f"{_numbers(d, 'days')} INSERT INTO z_reports (till_id, z_no, session_id, counted_cash,"
            " expected_cash, variance, totals_json, closed_by_id, created_at)"
            " SELECT :till, i, :session + i - 1, 5000, 5000, 0,"
            ' \'{"perpetual": {"gross_sales": \' || (i * 75000) || \', "refunds": \' || (i * -1500)'
            " || ', \"sales\": ' || (i * 300) || ', \"variance\": 0, \"z_reports\": ' || i || '}}', :staff,"
            f" {_at(d, '(i - 1) * 1440 + 720')} FROM n"
        ),
        {**base, "days": days, "session": first_session},
    )
    connection.execute(
        text(
            f"{_numbers(d, 'days')} INSERT INTO ledger_entries (till_id, seq, kind, ref_id, record_json,"
            f" prev_hash, hash, at) SELECT :till, :total + i, 'z', :first_z + i - 1, '{{}}', '{'0' * 64}',"
            f" '{'a' * 64}', :start FROM n"
        ),
        {**base, "days": days, "total": total, "first_z": first_z},
    )
    if past.printer_id is not None:
        connection.execute(
            text(
                f"{_numbers(d, 'count')} INSERT INTO print_jobs (printer_id, kind, sale_id, copy_no,"
                " document_json, dedupe_key, state, attempts, next_attempt_at, created_at, finished_at)"
                " SELECT :printer, 'receipt', :first_sale + i - 1, 0, '{}',"
                f" 'past-receipt-' || :till || '-' || i, 'done', 1, {_at(d, minute_of_sale)},"
                f" {_at(d, minute_of_sale)}, {_at(d, minute_of_sale)} FROM n"
            ),
            {**params, "count": count, "printer": past.printer_id},
        )
    _follow_on(connection, past.till_id, receipts=total, z_reports=days, links=total + days)


def _follow_on(connection: Connection, till_id: int, *, receipts: int, z_reports: int, links: int) -> None:
    """Counters and the chain head carry on from the past rows."""
    moved = connection.execute(
        text("UPDATE till_counters SET last_receipt_no = :r, last_z_no = :z WHERE till_id = :till"),
        {"r": receipts, "z": z_reports, "till": till_id},
    ).rowcount
    if moved == 0:
        connection.execute(
            text("INSERT INTO till_counters (till_id, last_receipt_no, last_z_no) VALUES (:till, :r, :z)"),
            {"r": receipts, "z": z_reports, "till": till_id},
        )
    name = f"till:{till_id}"
    moved = connection.execute(
        text("UPDATE chain_heads SET seq = :seq, head_hash = :hash WHERE name = :name"),
        {"seq": links, "hash": "a" * 64, "name": name},
    ).rowcount
    if moved == 0:
        connection.execute(
            text("INSERT INTO chain_heads (name, seq, head_hash) VALUES (:name, :seq, :hash)"),
            {"seq": links, "hash": "a" * 64, "name": name},
        )
    if connection.dialect.name == "postgresql":
        # Autovacuum would do this in a shop; SQLite is left without statistics, as a shop's is.
        connection.execute(text("ANALYZE"))


def add_past_audit(connection: Connection, count: int = 100_000) -> None:
    """`count` past audit rows (sign-ins), numbered on from the audit chain's head."""
    d = connection.dialect.name
    start = START.replace(tzinfo=None).isoformat(sep=" ") if d == "sqlite" else START.isoformat()
    head = connection.execute(text("SELECT seq FROM chain_heads WHERE name = 'audit'")).scalar()
    after = int(head or 0)
    connection.execute(
        text(
            f"{_numbers(d, 'count')} INSERT INTO audit_events (seq, at, action, target, details,"
            f" prev_hash, hash) SELECT :after + i, {_at(d, '(i - 1) * 5')}, 'auth.signed_in', '', '{{}}',"
            f" '{'0' * 64}', '{'a' * 64}' FROM n"
        ),
        {"count": count, "after": after, "start": start},
    )
    connection.execute(text("UPDATE chain_heads SET seq = :seq WHERE name = 'audit'"), {"seq": after + count})
    if d == "postgresql":
        connection.execute(text("ANALYZE audit_events"))
