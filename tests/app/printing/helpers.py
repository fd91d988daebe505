"""Helpers for printing tests: a till with a receipt printer, sales rung up through the till."""

from __future__ import annotations

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import Basket, Printer, PrintJob, Sale, Till
from bakery.services import printing
from bakery.services.audit import SYSTEM
from bakery.services.printing import PrinterInput
from tests.factories import post

STATUS_PROFILE = "epson-tm-t20-80"  # answers DLE EOT status queries, as the virtual printer does


def receipt_printer(till: Till, port: int, *, profile: str = STATUS_PROFILE, **extra) -> Printer:
    """A receipt printer for `till` on 127.0.0.1:`port` (a VirtualPrinter in the tests)."""
    return printing.save_printer(
        None,
        PrinterInput(
            name=extra.pop("name", f"Receipts {till.name}"),
            location="counter",
            profile=profile,
            connection={"kind": "network", "host": "127.0.0.1", "port": port, "timeout": 2.0},
            receipt_till_id=till.id,
            **extra,
        ),
        SYSTEM,
    )


def sell(client, product_id: int, method: str = "cash", amount: str = "20", *, receipt: bool = True) -> Sale:
    """Ring up one product on the client's till, pay for it and, as a customer who wants the
    receipt would, tap Print receipt after Pay where the till has a receipt printer
    (`receipt=False`: No receipt)."""
    post(client, "/till/lines", {"product_id": str(product_id)}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    response = post(client, "/till/pay", {"basket_key": key, "method": method, "amount": amount}, htmx=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    sale = db.session.scalar(select(Sale).order_by(Sale.id.desc()))
    assert sale is not None
    if receipt and printing.receipt_printer_for(sale.till_id) is not None:
        printed = post(client, f"/till/sales/{sale.id}/receipt", {}, htmx=True)
        assert printed.status_code == 200, printed.get_data(as_text=True)
    return sale


def jobs(**where) -> list[PrintJob]:
    """Print jobs, oldest first, filtered by column values."""
    db.session.expire_all()
    query = select(PrintJob).order_by(PrintJob.id)
    for name, value in where.items():
        query = query.where(getattr(PrintJob, name) == value)
    return list(db.session.scalars(query))
