"""Goods in (managers): deliveries and the corrections linked to them."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from bakery.domain.stock import MAX_BASE_QTY
from bakery.extensions import db
from bakery.forms import parse_id
from bakery.models import (
    Delivery,
    PurchaseUnit,
    StockItem,
)
from bakery.security import actor
from bakery.services import stock
from bakery.services.errors import ServiceError
from bakery.stock.stockroom_base import (
    BadInput,
    Page,
    _chosen_id,
    _date,
    _form_key,
    _items,
    _or_404,
    _pence,
    _quantity,
    _refused,
    _suppliers,
    _today,
    _whole,
    bp,
)

# --- deliveries --------------------------------------------------------------------------------

#: Blank lines offered on a new delivery (blank ones are ignored).
DELIVERY_ROWS = 8


def _delivery_lines(form: Any) -> list[stock.LineIn]:
    """The filled-in lines of the delivery form, read into base units or purchase units and pence."""
    lines: list[stock.LineIn] = []
    for index in range(DELIVERY_ROWS):
        item_id = parse_id(form.get(f"item_{index}", ""))
        qty_text = (form.get(f"qty_{index}") or "").strip()
        if item_id is None and not qty_text:
            continue
        row = f"Line {index + 1}"
        item = db.session.get(StockItem, item_id) if item_id is not None else None
        if item is None:
            raise BadInput(f"{row}: choose what came.")
        unit_id = _chosen_id(form, f"unit_{index}", "purchase unit")
        if unit_id is not None:
            qty = _whole(qty_text, f"{row}: how many {item.name} came", MAX_BASE_QTY)
        else:
            qty = _quantity(qty_text, item.base_unit, row)
        lines.append(
            stock.LineIn(
                stock_item_id=item.id,
                qty=qty,
                cost=_pence(form.get(f"cost_{index}", ""), f"{row} cost"),
                purchase_unit_id=unit_id,
                lot_code=form.get(f"lot_{index}", ""),
                use_by=_date(form.get(f"use_by_{index}", ""), f"{row} use-by date", required=False),
            )
        )
    return lines


def _new_delivery_page(error: str | None = None, status: int = 200) -> Page:
    units = db.session.scalars(
        select(PurchaseUnit).options(selectinload(PurchaseUnit.item)).order_by(PurchaseUnit.stock_item_id)
    ).all()
    return (
        render_template(
            "stockroom/delivery_new.html",
            suppliers=_suppliers(),
            items=[i for i in _items() if i.active],
            purchase_units=units,
            rows=range(DELIVERY_ROWS),
            typed=request.form if request.method == "POST" else {},
            key=request.form.get("key") if request.method == "POST" else _form_key(),
            today=_today(),
            error=error,
        ),
        status,
    )


@bp.get("/deliveries")
def list_deliveries() -> str:
    """Deliveries, newest first, with their corrections."""
    deliveries = db.session.scalars(
        select(Delivery)
        .where(Delivery.corrects_id.is_(None))
        .options(selectinload(Delivery.lines), selectinload(Delivery.supplier))
        .order_by(Delivery.delivered_on.desc(), Delivery.id.desc())
        .limit(100)
    ).all()
    corrected = set(
        db.session.scalars(select(Delivery.corrects_id).where(Delivery.corrects_id.is_not(None))).all()
    )
    return render_template("stockroom/deliveries.html", deliveries=deliveries, corrected=corrected)


@bp.get("/deliveries/new")
def new_delivery() -> Page:
    """The goods-in form."""
    return _new_delivery_page()


@bp.post("/deliveries")
def record_delivery() -> Response | Page:
    """Record goods in."""
    try:
        delivered_on = _date(request.form.get("delivered_on", ""), "delivery date", required=False)
        delivery = stock.record_delivery(
            supplier_id=_chosen_id(request.form, "supplier_id", "supplier"),
            delivered_on=delivered_on or _today(),
            lines=_delivery_lines(request.form),
            reference=request.form.get("reference", ""),
            note=request.form.get("note", ""),
            key=request.form.get("key", ""),
            actor=actor(),
        )
    except ServiceError as refused:
        return _new_delivery_page(_refused(refused), 422)
    flash(f"Delivery of {delivery.delivered_on:%d %b %Y} recorded: {len(delivery.lines)} lines into stock.")
    return redirect(url_for("stockroom.show_delivery", delivery_id=delivery.id))


def _delivery_page(delivery: Delivery, error: str | None = None, status: int = 200) -> Page:
    corrections = db.session.scalars(
        select(Delivery)
        .where(Delivery.corrects_id == delivery.id)
        .options(selectinload(Delivery.lines))
        .order_by(Delivery.id)
    ).all()
    now_held = stock.delivered(delivery.id)
    items = {i.id: i for i in db.session.scalars(select(StockItem).where(StockItem.id.in_(now_held)))}
    return (
        render_template(
            "stockroom/delivery.html",
            delivery=delivery,
            corrections=corrections,
            now_held=now_held,
            items=items,
            key=_form_key(),
            typed=request.form if request.method == "POST" else {},
            error=error,
        ),
        status,
    )


@bp.get("/deliveries/<int:delivery_id>")
def show_delivery(delivery_id: int) -> Page:
    """One delivery, what it now amounts to with its corrections, and correcting it."""
    delivery = _or_404(Delivery, delivery_id, "delivery")
    if delivery.corrects_id is not None:
        return show_delivery(delivery.corrects_id)
    return _delivery_page(delivery)


@bp.post("/deliveries/<int:delivery_id>/corrections")
def correct_delivery(delivery_id: int) -> Response | Page:
    """Put a delivery right with a linked correction (the delivery itself is never edited)."""
    delivery = _or_404(Delivery, delivery_id, "delivery")
    try:
        corrected: dict[int, tuple[int, int]] = {}
        for item_id in stock.delivered(delivery_id):
            item = db.session.get(StockItem, item_id)
            if item is None:
                continue
            qty = _quantity(
                request.form.get(f"qty_{item_id}", ""), item.base_unit, item.name, allow_zero=True
            )
            corrected[item_id] = (qty, _pence(request.form.get(f"cost_{item_id}", ""), f"{item.name} cost"))
        stock.correct_delivery(
            delivery_id,
            corrected=corrected,
            reason=request.form.get("reason", ""),
            key=request.form.get("key", ""),
            actor=actor(),
        )
    except ServiceError as refused:
        message = _refused(refused)
        return _delivery_page(_or_404(Delivery, delivery_id, "delivery"), message, 422)
    flash(f"The delivery of {delivery.delivered_on:%d %b %Y} was corrected.")
    return redirect(url_for("stockroom.show_delivery", delivery_id=delivery_id))
