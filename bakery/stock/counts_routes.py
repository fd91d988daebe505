"""Stock takes (managers, on a tablet): count sheets by location, a line counted with one tap,
approval as movements of the differences."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from bakery.extensions import db
from bakery.formatting import money
from bakery.htmx import fragments, hx, is_htmx
from bakery.security import actor
from bakery.services import stock
from bakery.services.errors import NotFound, ServiceError
from bakery.stock.counts_forms import ApproveCountForm, CancelCountForm, CountLineForm, StartCountForm

bp = Blueprint("counts", __name__, url_prefix="/office/counts")

Page = tuple[str, int]


def _refused(refused: ServiceError) -> str:
    """A refusal shown where the user is looking: nothing was changed, so drop half-done work."""
    if isinstance(refused, NotFound):
        raise refused
    db.session.rollback()
    return refused.message


def _list_page(error: str | None = None, status: int = 200) -> Page:
    return (
        render_template(
            "stock/counts.html",
            sheets=stock.sheets(),
            counts=stock.recent_counts(),
            labels={s.location: s.label for s in stock.sheets()},
            form=StartCountForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.get("/")
def list_counts() -> Page:
    """The count sheets (one per storage location, the shop floor first) and recent stock takes."""
    return _list_page()


@bp.post("/")
def start_count() -> Response | Page:
    """Open the location's stock take (or the one already open there) and go to its sheet."""
    form = StartCountForm()
    if not form.validate_on_submit():
        return _list_page("Choose a location from the list.", 422)
    try:
        count = stock.start_count(form.location.data or "", actor=actor())
    except ServiceError as refused:
        return _list_page(_refused(refused), 422)
    return redirect(url_for("counts.show_count", count_id=count.id), 303)


def _sheet_page(count_id: int, error: str | None = None, status: int = 200) -> Page:
    return (
        render_template(
            "stock/count.html",
            sheet=stock.count_sheet(count_id),
            line_form=CountLineForm(formdata=None),
            approve_form=ApproveCountForm(formdata=None),
            cancel_form=CancelCountForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.get("/<int:count_id>")
def show_count(count_id: int) -> Page:
    """A count sheet: every thing kept at the location, what is on hand now, and what was counted."""
    return _sheet_page(count_id)


@bp.post("/<int:count_id>/<any(item, product):kind>/<int:ident>")
def count_line(count_id: int, kind: str, ident: int) -> Response | Page:
    """Record one line's count; htmx swaps the line and the sheet's summary, a plain form returns to
    the sheet. Bad input re-renders the line with the message and the typed text (422)."""
    form = CountLineForm()
    typed = form.counted.data or ""
    target = {"stock_item_id": ident} if kind == "item" else {"product_id": ident}
    error = None
    if not form.validate_on_submit():
        error = "; ".join(e for errors in form.errors.values() for e in errors) or "Try again."
    else:
        try:
            line = stock.record_count(count_id, counted=typed, actor=actor(), **target)
        except ServiceError as refused:
            error = _refused(refused)
    if error is not None:
        if not is_htmx():
            return _sheet_page(count_id, error, 422)
        try:
            line = stock.sheet_line(count_id, kind, ident)
        except NotFound:
            return hx(render_template("stock/_count_error.html", error=error), 422, reswap="none")
        body = render_template(
            "stock/_count_line.html",
            line=line,
            sheet_open=True,
            count_id=count_id,
            line_form=form,
            error=error,
            typed=typed,
        )
        return hx(body, 422)
    if not is_htmx():
        flash(f"{line.name}: counted {line.counted}.")
        return redirect(url_for("counts.show_count", count_id=count_id, _anchor=f"line-{line.key}"), 303)
    sheet = stock.count_sheet(count_id)
    body = fragments(
        "stock/_count_line.html",
        "stock/_count_summary.html",
        line=line,
        sheet=sheet,
        sheet_open=True,
        count_id=count_id,
        line_form=CountLineForm(formdata=None),
        oob=True,
    )
    return hx(body, trigger="count-changed")


@bp.post("/<int:count_id>/approve")
def approve_count(count_id: int) -> Response | Page:
    """Approve the take: each counted line's difference becomes a count movement."""
    form = ApproveCountForm()
    if not form.validate_on_submit():
        return _sheet_page(count_id, "The note is at most 200 characters.", 422)
    try:
        count = stock.approve_count(count_id, actor=actor(), note=form.note.data or "")
    except ServiceError as refused:
        return _sheet_page(count_id, _refused(refused), 422)
    flash(f"Stock take approved: the differences are in stock, worth {money(count.value)} at cost.")
    return redirect(url_for("counts.show_count", count_id=count.id), 303)


@bp.post("/<int:count_id>/cancel")
def cancel_count(count_id: int) -> Response | Page:
    """Throw an open take away: nothing moves."""
    form = CancelCountForm()
    if not form.validate_on_submit():
        return _sheet_page(count_id, "This form is out of date. Open the page again.", 422)
    try:
        stock.cancel_count(count_id, actor=actor())
    except ServiceError as refused:
        return _sheet_page(count_id, _refused(refused), 422)
    flash("Stock take cancelled: nothing was changed.")
    return redirect(url_for("counts.list_counts"), 303)
