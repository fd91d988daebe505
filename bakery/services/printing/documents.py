"""Documents printing builds itself: the drawer kick, the test page and the kitchen ticket."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bakery.formatting import local_time
from bakery.models import Printer, Sale, SaleLine
from printers import (
    QR,
    Columns,
    Cut,
    Document,
    DrawerKick,
    Rule,
    Text,
    get_profile,
)


def drawer_document() -> Document:
    """Only a drawer kick: the printer's pin and pulse come from its profile."""
    return Document(kind="drawer", blocks=(DrawerKick(),), title="Open drawer")


def test_page_document(printer: Printer, now: datetime) -> Document:
    """A test page: the printer's name and model, a ruler at its width, £ € and accents, a QR."""
    profile = get_profile(printer.profile)
    ruler = ("1234567890" * 8)[: profile.columns]
    return Document(
        kind="test",
        title=f"Test page {printer.name}",
        blocks=(
            Text("TEST PAGE", bold=True, align="center", size="double"),
            Text(printer.name, align="center"),
            Text(f"{profile.name}: {profile.paper_mm} mm, {profile.columns} columns", align="center"),
            Text(now.strftime("%Y-%m-%d %H:%M UTC"), align="center"),
            Rule(),
            Text(ruler),
            Columns("£ € é ü ç ł ś ż", "£12.34"),
            Text("Zażółć gęślą jaźń · Crème brûlée", align="center"),
            Rule(),
            QR(f"test:{printer.id}"),
            Cut(),
        ),
    )


def other_service(eat_in: bool) -> str:
    """The mark on a line served the other way from its order: "TAKEAWAY" in an eat-in order, "EAT IN"
    in a takeaway one (its VAT may differ, and the kitchen must pack or plate it)."""
    return "EAT IN" if eat_in else "TAKEAWAY"


def kitchen_ticket(sale: Sale, lines: Sequence[SaleLine], till_name: str) -> Document:
    """A kitchen ticket: the order number, eat in or takeaway, items and notes in big type.

    Rule: a line served the other way from its order (a takeaway in an eat-in order, or the
    reverse) carries that mark under it in big type.
    """
    blocks: list[Any] = [
        Text(f"{till_name} #{sale.receipt_no}", bold=True, size="double"),
        Text(local_time(sale.created_at, "HH:mm") + (" EAT IN" if sale.eat_in else " TAKEAWAY")),
        Rule(),
    ]
    for line in lines:
        blocks.append(Text(f"{line.qty} x {line.description}", bold=True, size="double"))
        if line.eat_in != sale.eat_in:
            blocks.append(Text(f"  ** {other_service(line.eat_in)} **", bold=True, size="tall"))
        if line.note:
            blocks.append(Text(f"  >> {line.note}", size="tall"))
    blocks += [Rule(), Cut()]
    return Document(kind="kitchen", blocks=tuple(blocks), title=f"Kitchen {till_name} #{sale.receipt_no}")
