"""Documents shared by the printer tests."""

from __future__ import annotations

from printers.document import (
    QR,
    Columns,
    Cut,
    Document,
    DrawerKick,
    Feed,
    Rule,
    Text,
)


def golden_receipt() -> Document:
    """A receipt with £, €, western accents, Polish names, a QR code, a drawer kick and a cut."""
    return Document(
        kind="receipt",
        title="Receipt 1042",
        blocks=(
            Text("Crumb & Co-op", bold=True, align="center", size="double"),
            Text("12 Mill Lane, Leeds", align="center"),
            Rule(),
            Text("Served by Łukasz Żółć", underline=True),
            Columns("Pain au chocolat", "£2.40"),
            Columns("Crème brûlée tart with seasonal berries and a long name", "£4.95"),
            Columns("Müsli loaf", "€3.10"),
            Columns("Szarlotka (Grzegorz Brzęczyszczykiewicz's recipe)", "£3.25"),
            Rule("="),
            Columns("TOTAL", "£13.70", bold=True),
            Columns("Paid by card", "£13.70"),
            Feed(),
            Text("Dziękujemy! Merci! Danke schön!", align="center"),
            QR("https://crumb.example/r/1042"),
            DrawerKick(),
            Cut(),
        ),
    )
