"""Stock lists (managers): an item's movement history with filters, the low-stock list, and the
purchase list by supplier as a page, a CSV download and a PDF."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, g, render_template, request

from bakery.domain.clock import business_date
from bakery.models.types import utcnow
from bakery.services import stock

bp = Blueprint("stock_lists", __name__, url_prefix="/office/stock-lists")

Page = tuple[str, int]


def _day(name: str) -> tuple[date | None, str | None]:
    """A `?from=` or `?to=` day (YYYY-MM-DD), or None; with a message when it cannot be read."""
    text = (request.args.get(name) or "").strip()
    if not text:
        return None, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, "Enter dates like 2026-12-03."


@bp.get("/items/<int:item_id>/movements")
def show_movements(item_id: int) -> Page:
    """Every movement of one item, newest first, filtered by reason and date range."""
    reason = request.args.get("reason") or ""
    start, wrong_start = _day("from")
    end, wrong_end = _day("to")
    error = wrong_start or wrong_end
    if start and end and end < start:
        error, start, end = "The end date is before the start date.", None, None
    history = stock.movement_history(item_id, reason=reason, start=start, end=end)
    return (
        render_template(
            "stock/movements.html",
            history=history,
            reasons=stock.MOVEMENT_REASONS,
            reason=reason if reason in stock.MOVEMENT_REASONS else "",
            start=start,
            end=end,
            error=error,
        ),
        422 if error else 200,
    )


@bp.get("/low-stock")
def show_low_stock() -> str:
    """Items at or below their reorder level (and any below zero), by supplier."""
    return render_template("stock/low_stock.html", items=stock.low_stock())


@bp.get("/purchase-list")
def show_purchase_list() -> str:
    """What to order to bring every item back to par, grouped by supplier, in purchase units."""
    return render_template("stock/purchase_list.html", orders=stock.purchase_list())


def _today() -> date:
    return business_date(utcnow(), g.shop.timezone)


@bp.get("/purchase-list.csv")
def export_purchase_list() -> Response:
    """The purchase list as CSV, one row per item."""
    return Response(
        stock.purchase_list_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="purchase-list-{_today().isoformat()}.csv"'},
    )


@bp.get("/purchase-list.pdf")
def download_purchase_list() -> Response:
    """The purchase list as an A4 PDF, a section per supplier."""
    return Response(
        stock.purchase_list_pdf(today=_today()),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="purchase-list-{_today().isoformat()}.pdf"'},
    )
