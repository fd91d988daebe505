"""The sales of a period line by line, as CSV for the accountant, streamed as it is read.

One row per sale line: receipt, local time, till, staff, product, quantity, gross, VAT rate,
discount and the member's number (blank when none). Text typed by people (names, products) is
made safe for a spreadsheet (`bakery.domain.spreadsheet`); amounts are plain numbers in pounds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select

from bakery.domain.clock import to_local
from bakery.domain.spreadsheet import pounds, safe_text
from bakery.domain.vat import format_rate
from bakery.extensions import db
from bakery.models import Member, Sale, SaleLine, Till, User
from bakery.services.reports.common import Scope, in_scope

HEADER = (
    "receipt",
    "kind",
    "time",
    "till",
    "staff",
    "product",
    "qty",
    "gross",
    "vat_rate",
    "vat",
    "discount",
    "member_number",
)
#: Rows read from the database and written out at a time.
BATCH = 2_000


def lines_csv(where: Scope) -> Iterator[str]:
    """The scope's sale lines as CSV text, a batch of rows at a time (never the whole file in memory).

    Rule: rows in the order the sales were made; every text cell is made spreadsheet-safe; gross,
    VAT and discount are pounds with two decimals (refunds negative); the discount is the line's
    own plus its share of the order's.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    statement = (
        select(
            Till.name,
            Sale.receipt_no,
            Sale.kind,
            Sale.created_at,
            User.display_name,
            SaleLine.description,
            SaleLine.qty,
            SaleLine.gross,
            SaleLine.rate_bp,
            SaleLine.vat,
            SaleLine.line_discount + SaleLine.basket_discount_share,
            Member.number,
        )
        .join(Sale, Sale.id == SaleLine.sale_id)
        .join(Till, Till.id == Sale.till_id)
        .join(User, User.id == Sale.staff_id)
        .outerjoin(Member, Member.id == Sale.member_id)
        .where(in_scope(Sale.created_at, where))
        .order_by(Sale.created_at, Sale.id, SaleLine.id)
        .execution_options(yield_per=BATCH)
    )
    yield _drain(buffer)
    for (
        till,
        receipt_no,
        kind,
        at,
        staff,
        product,
        qty,
        gross,
        rate,
        vat,
        discount,
        member,
    ) in db.session.execute(statement):
        writer.writerow(
            (
                safe_text(f"{till} {receipt_no}"),
                kind,
                to_local(at, where.timezone).strftime("%Y-%m-%d %H:%M:%S"),
                safe_text(till),
                safe_text(staff),
                safe_text(product),
                int(qty),
                pounds(int(gross)),
                format_rate(int(rate)),
                pounds(int(vat)),
                pounds(int(discount)),
                safe_text(member),
            )
        )
        if buffer.tell() > 64_000:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def lines_filename(where: Scope) -> str:
    """A file name naming the period: sales-lines-2026-01-01-to-2026-03-31.csv."""
    return f"sales-lines-{where.period.start.isoformat()}-to-{where.period.end.isoformat()}.csv"
