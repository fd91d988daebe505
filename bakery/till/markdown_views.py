"""The end-of-day markdown on the till: one tap on the order."""

from __future__ import annotations

from flask import g
from werkzeug.wrappers import Response

from bakery.extensions import db
from bakery.security import actor
from bakery.services import till as till_services
from bakery.services.errors import ServiceError
from bakery.till.routes import _basket_response, _refused, bp


@bp.post("/markdown")
def mark_down() -> Response:
    """Take the shop's end-of-day markdown off the order's batch-baked lines; the basket swaps
    with the reduction on each line, or says why nothing changed."""
    try:
        basket = till_services.mark_down(g.till.id, actor())
    except ServiceError as refused:
        db.session.rollback()
        return _refused(refused)
    return _basket_response(till_services.price(basket))
