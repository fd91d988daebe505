"""X and Z reports as printable documents (printers.Document), from the figures the screens show."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bakery.domain.vat import VatBand, format_rate
from bakery.formatting import local_time, money
from printers.document import Block, Columns, Cut, Document, Rule, Text

if TYPE_CHECKING:
    from bakery.services.till.drawer_figures import SessionTotals, ZView


def _bands(bands: list[VatBand]) -> list[Block]:
    return [Columns(f"VAT {format_rate(b.rate_bp)} on {money(b.gross)}", money(b.vat)) for b in bands]


def _methods(by_method: dict[str, int]) -> list[Block]:
    return [Columns(method.title(), money(amount)) for method, amount in sorted(by_method.items())]


def x_document(shop_name: str, till_name: str, figures: SessionTotals, now: datetime) -> Document:
    """An X report: the open session's running totals, printed on request (nothing closes)."""
    f = figures
    blocks: list[Block] = [
        Text(shop_name, bold=True, align="center"),
        Text(f"X REPORT · {till_name}", bold=True, align="center", size="double"),
        Text(local_time(now, "dd/MM/yyyy HH:mm"), align="center"),
        Rule(),
        Columns("Sales", str(f.sales_count)),
        Columns("Gross sales", money(f.gross_sales)),
        Columns("Refunds", money(f.refunds)),
        Columns("Discounts", money(f.discounts)),
        Rule(),
        *_methods(f.by_method),
        Rule(),
        *_bands([VatBand(*band) for band in f.bands]),
        Rule(),
        Columns("Float", money(f.session.opening_float)),
        Columns("Paid in/out", money(f.paid_in_out)),
        Columns("Expected cash", money(f.expected_cash), bold=True),
        Cut(),
    ]
    return Document(kind="x_report", blocks=tuple(blocks), title=f"X report {till_name}")


def z_document(shop_name: str, till_name: str, view: ZView) -> Document:
    """A Z report: the closed session's figures, counted against expected, and the grand totals."""
    v = view
    report = v.report
    blocks: list[Block] = [
        Text(shop_name, bold=True, align="center"),
        Text(f"Z REPORT {report.z_no} · {till_name}", bold=True, align="center", size="double"),
        Text(local_time(report.created_at, "dd/MM/yyyy HH:mm"), align="center"),
        Text(f"Closed by {v.closed_by}", align="center"),
        Rule(),
        Columns("Sales", str(v.sales_count)),
        Columns("Gross sales", money(v.gross_sales)),
        Columns("Refunds", money(v.refunds)),
        Columns("Discounts", money(v.discounts)),
        Columns("Net sales", money(v.net_sales), bold=True),
        Rule(),
        *_methods(v.by_method),
        Rule(),
        *_bands(v.bands),
        Rule(),
        Columns("Float", money(v.opening_float)),
        Columns("Paid in/out", money(v.paid_in_out)),
        Columns("Expected cash", money(report.expected_cash)),
        Columns("Counted cash", money(report.counted_cash)),
        Columns("Variance", money(report.variance), bold=True),
        Rule(),
        Text("Since the first Z report", bold=True),
        Columns("Z reports", str(v.perpetual.z_reports)),
        Columns("Net sales", money(v.perpetual.net_sales)),
        Columns("Variance", money(v.perpetual.variance)),
        Rule(),
        # The chain's head when the till closed: a copy of it outside the database.
        Text(f"Chain {v.chain_tag} · entry {v.chain_seq}", align="center"),
        Cut(),
    ]
    return Document(kind="z_report", blocks=tuple(blocks), title=f"Z report {report.z_no}")
