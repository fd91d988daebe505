"""Opening balances (admin): a CSV of members' purchases and hours from the old system, uploaded,
previewed per member and confirmed into an open period (routes on the dividends blueprint)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from bakery.dividends.forms import OpeningConfirmForm, OpeningUploadForm
from bakery.dividends.routes import bp
from bakery.domain.opening_import import HEADER, MAX_BYTES
from bakery.extensions import db
from bakery.security import actor
from bakery.services import dividends
from bakery.services.errors import ServiceError


def _opening_page(
    period_id: int, form: OpeningUploadForm | None = None, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    period = dividends.get_period(period_id)
    return (
        render_template(
            "dividends/opening.html",
            period=period,
            active=dividends.active_opening_import(period.id),
            waiting=dividends.staged_opening_import(period.id, actor().user_id),
            form=form or OpeningUploadForm(formdata=None),
            header=",".join(HEADER),
            error=error,
        ),
        status,
    )


@bp.get("/admin/dividends/periods/<int:period_id>/opening-balances")
def show_opening(period_id: int) -> tuple[str, int]:
    """The period's opening balances from the old system, and uploading a file of them."""
    return _opening_page(period_id)


@bp.post("/admin/dividends/periods/<int:period_id>/opening-balances")
def upload_opening(period_id: int) -> Response | tuple[str, int]:
    """Check an uploaded file and show its preview; a file that does not add up is refused, naming the row."""
    form = OpeningUploadForm()
    if not form.validate_on_submit():
        return _opening_page(period_id, form, status=422)
    upload = form.file.data
    try:
        staged = dividends.stage_opening(
            period_id, upload.read(opening_limit()), upload.filename or "", actor()
        )
    except ServiceError as refused:
        db.session.rollback()
        return _opening_page(period_id, form, refused.message, 422)
    return redirect(url_for("dividends.show_opening_preview", period_id=period_id, import_id=staged.id))


def opening_limit() -> int:
    """Read at most one byte past the largest file, so a larger one is refused by its size."""

    return MAX_BYTES + 1


def _preview_page(
    period_id: int,
    import_id: int,
    form: OpeningConfirmForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    view = dividends.opening_preview(import_id, period_id)
    return (
        render_template(
            "dividends/opening_preview.html",
            period=dividends.get_period(period_id),
            view=view,
            form=form or OpeningConfirmForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.get("/admin/dividends/periods/<int:period_id>/opening-balances/<int:import_id>")
def show_opening_preview(period_id: int, import_id: int) -> tuple[str, int]:
    """A staged file's preview: per member their purchases and hours, and the totals."""
    try:
        return _preview_page(period_id, import_id)
    except ServiceError as refused:
        db.session.rollback()
        return _opening_page(period_id, error=refused.message, status=422)


@bp.post("/admin/dividends/periods/<int:period_id>/opening-balances/<int:import_id>/confirm")
def confirm_opening(period_id: int, import_id: int) -> Response | tuple[str, int]:
    """Import the previewed file (once, however often the button is pressed)."""
    form = OpeningConfirmForm()
    if not form.validate_on_submit():
        return _preview_page(period_id, import_id, form, "Reload the page and try again.", 422)
    try:
        done = dividends.confirm_opening(import_id, period_id, replace=bool(form.replace.data), actor=actor())
    except ServiceError as refused:
        db.session.rollback()
        try:
            return _preview_page(period_id, import_id, form, refused.message, 422)
        except ServiceError:
            db.session.rollback()
            return _opening_page(period_id, error=refused.message, status=422)
    flash(
        f"Imported {done.row_count} rows for {done.member_count} members from {done.filename}: "
        "they count in this period's patronage."
    )
    return redirect(url_for("dividends.show_opening", period_id=period_id))
