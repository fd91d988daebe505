"""PPDS labels for a bake batch: a preview, "Print labels" on a chosen printer, or an A4 sheet
as a PDF. Staff, managers and admins may use them (signed in, or on a paired till)."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, NumberRange

from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.forms import WholeNumberField, coerce_id
from bakery.models import BakeBatch, Product
from bakery.models.types import utcnow
from bakery.security import actor
from bakery.services import stock as stock_services
from bakery.services.errors import ServiceError
from bakery.services.settings import current_settings
from bakery.stock.routes import bp
from printers import render_text

#: How far back the list of batches to label goes.
RECENT_DAYS = 14
#: The label roll's width for the preview (58 mm paper, Font A).
PREVIEW_COLUMNS = 32


class LabelsForm(FlaskForm):
    """How many labels, and on which printer."""

    printer_id = SelectField("Printer", coerce=coerce_id, validate_choice=False)
    count = WholeNumberField(
        "How many labels",
        validators=[
            DataRequired("Say how many labels."),
            NumberRange(
                min=1, max=stock_services.MAX_LABELS, message=f"1 to {stock_services.MAX_LABELS} labels."
            ),
        ],
    )
    key = HiddenField()


@bp.get("/labels")
def list_label_batches() -> str:
    """The batches baked in the last two weeks, newest first, each with its labels."""
    since = business_date(utcnow(), current_settings().timezone) - timedelta(days=RECENT_DAYS)
    rows = db.session.execute(
        select(BakeBatch, Product.name)
        .join(Product, Product.id == BakeBatch.product_id)
        .where(BakeBatch.baked_on >= since)
        .order_by(BakeBatch.baked_on.desc(), BakeBatch.id.desc())
    ).all()
    return render_template("stock/label_batches.html", rows=rows, days=RECENT_DAYS)


def _labels_page(
    batch_id: int, form: LabelsForm, status: int = 200, error: str | None = None
) -> tuple[str, int]:
    label = stock_services.batch_label(batch_id)
    printers = stock_services.label_printers()
    form.printer_id.choices = [(p.id, f"{p.name} ({p.location})") for p in printers]
    if form.count.data is None and not form.count.raw_data:
        form.count.data = label.batch.qty
    page = render_template(
        "stock/labels.html",
        label=label,
        form=form,
        printers=printers,
        preview=render_text(label.document, PREVIEW_COLUMNS),
        error=error,
        max_labels=stock_services.MAX_LABELS,
    )
    return page, status


@bp.get("/batches/<int:batch_id>/labels")
def show_labels(batch_id: int) -> tuple[str, int]:
    """A batch's label: what it says (allergens in bold), and how many to print where."""
    return _labels_page(batch_id, LabelsForm(formdata=None))


@bp.post("/batches/<int:batch_id>/labels")
def print_labels(batch_id: int) -> Response | tuple[str, int]:
    """Queue the batch's labels on the chosen printer (once per form, however often it is sent)."""
    form = LabelsForm()
    if not form.validate_on_submit():
        return _labels_page(batch_id, form, 422, "Check the printer and how many labels.")
    try:
        count = stock_services.print_labels(
            batch_id, form.printer_id.data, form.count.data or 0, key=form.key.data or "", actor=actor()
        )
    except ServiceError as refused:
        db.session.rollback()
        return _labels_page(batch_id, form, refused.status, refused.message)
    flash(f"{count} labels sent to the printer.")
    return redirect(url_for("stock.show_labels", batch_id=batch_id))


@bp.get("/batches/<int:batch_id>/labels.pdf")
def download_labels(batch_id: int) -> Response | tuple[str, int]:
    """The batch's labels as an A4 sheet (8 to a page), `?count=` of them (the batch's size by default)."""
    text = request.args.get("count", "").strip()
    try:
        if text and not (text.isdigit() and len(text) <= 4):
            raise ServiceError(f"Say how many labels: 1 to {stock_services.MAX_LABELS}.")
        name, pdf = stock_services.labels_pdf(batch_id, int(text) if text else None)
    except ServiceError as refused:
        form = LabelsForm(formdata=None)
        return _labels_page(batch_id, form, refused.status, refused.message)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
