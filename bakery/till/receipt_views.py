"""After Pay: the customer's receipt, printed on request or shown as a QR code to scan."""

from __future__ import annotations

from flask import g, render_template
from werkzeug.wrappers import Response

from bakery.extensions import db
from bakery.htmx import hx
from bakery.models import Sale
from bakery.services import printing
from bakery.services.errors import NotFound, ServiceError
from bakery.till.routes import bp, receipt_choice


def _till_sale(sale_id: int) -> Sale:
    sale = db.session.get(Sale, sale_id)
    if sale is None or sale.till_id != g.till.id:
        raise NotFound("No such receipt on this till.")
    return sale


@bp.post("/sales/<int:sale_id>/receipt")
def print_receipt(sale_id: int) -> Response:
    """Print receipt, chosen after Pay: queue the sale's receipt once (a second tap prints
    nothing more) and say where it is; the printer's panel refreshes."""
    sale = _till_sale(sale_id)
    try:
        printing.print_receipt(g.till.id, sale.id)
    except ServiceError as refused:
        db.session.rollback()
        body = render_template(
            "till/_receipt_choice.html", sale=sale, **receipt_choice(sale, error=refused.message)
        )
        return hx(body, refused.status)
    body = render_template("till/_receipt_choice.html", sale=sale, **receipt_choice(sale, printed=True))
    return hx(body, trigger="printing-changed")


@bp.get("/sales/<int:sale_id>/qr")
def show_receipt_qr(sale_id: int) -> str:
    """The digital receipt's QR code, big enough to scan from a phone (nothing prints)."""
    sale = _till_sale(sale_id)
    return render_template("till/_receipt_qr.html", sale=sale, receipt=printing.for_sale(sale))
