"""What every stockroom page shares: the blueprint, its template filters, and reading what was typed."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Blueprint
from sqlalchemy import select

from bakery.domain.clock import business_date
from bakery.domain.money import MoneyError, parse_pence
from bakery.domain.stock import (
    QuantityError,
    describe_quantity,
    describe_unit_cost,
    parse_quantity,
)
from bakery.extensions import db
from bakery.forms import parse_id
from bakery.models import (
    StockItem,
    Supplier,
)
from bakery.models.types import utcnow
from bakery.services.errors import NotFound, ServiceError
from bakery.services.settings import current_settings

bp = Blueprint("stockroom", __name__, url_prefix="/office/stock")

Page = tuple[str, int]


@bp.app_template_filter("quantity")
def quantity_filter(amount: int, unit: str) -> str:
    """A quantity in base units as a person reads it (16 kg, 250 g, 12 each)."""
    return describe_quantity(int(amount), unit)


@bp.app_template_filter("unit_cost")
def unit_cost_filter(cost: int, unit: str) -> str:
    """A cost per base unit as a manager reads it (£0.77/kg)."""
    return describe_unit_cost(int(cost), unit)


class BadInput(ServiceError):
    """What was typed could not be read; nothing was changed."""


def _form_key() -> str:
    return uuid.uuid4().hex


def _today() -> date:
    return business_date(utcnow(), current_settings().timezone)


def _quantity(text: str, unit: str, what: str, *, allow_zero: bool = False) -> int:
    try:
        return parse_quantity(text, unit, allow_zero=allow_zero)
    except QuantityError as wrong:
        raise BadInput(f"{what}: {wrong}") from wrong


def _pence(text: str, what: str) -> int:
    try:
        return parse_pence(text)
    except MoneyError as wrong:
        raise BadInput(f"{what}: {wrong}") from wrong


def _date(text: str, what: str, *, required: bool = True) -> date | None:
    text = (text or "").strip()
    if not text:
        if required:
            raise BadInput(f"Enter the {what}.")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as wrong:
        raise BadInput(f"The {what} must be a date like 2026-12-03.") from wrong


def _refused(refused: ServiceError) -> str:
    if isinstance(refused, NotFound):
        raise refused
    db.session.rollback()
    return refused.message


def _or_404(model: Any, row_id: int, what: str) -> Any:
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"That {what} does not exist.")
    return row


def _suppliers() -> list[Supplier]:
    return list(db.session.scalars(select(Supplier).order_by(Supplier.name)))


def _items() -> list[StockItem]:
    return list(db.session.scalars(select(StockItem).order_by(StockItem.name)))


def _chosen_id(form: Any, name: str, what: str) -> int | None:
    """An optional choice from a list: blank is none; anything else must be an id."""
    text = (form.get(name) or "").strip()
    if not text:
        return None
    ident = parse_id(text)
    if ident is None:
        raise BadInput(f"Choose a {what} from the list.")
    return ident


def _whole(text: str | None, what: str, most: int) -> int:
    """A whole number from 0 to `most` typed in ASCII digits."""
    cleaned = (text or "").strip()
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > len(str(most)) or int(cleaned) > most:
        raise BadInput(f"{what}: a whole number from 0 to {most:,}.")
    return int(cleaned)
