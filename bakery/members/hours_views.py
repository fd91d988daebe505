"""A member's own hours (phone-first): their entries this period, confirm one, or flag it as wrong.

Every entry is looked up within the signed-in member's own records: another member's entry
answers 404, page or fragment alike.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from bakery.htmx import hx, is_htmx
from bakery.members.routes import bp
from bakery.rota.forms import ConfirmForm, FlagForm
from bakery.security import actor, current_member_id
from bakery.services import members
from bakery.services.errors import NotFound, ServiceError


def _member_id() -> int:
    member_id = current_member_id()
    if member_id is None:  # pragma: no cover - the permission map admits members only
        raise NotFound("There is no member record for this sign-in.")
    return member_id


def _entry(
    row: members.EntryRow, status: int = 200, error: str | None = None, form: FlagForm | None = None
) -> Response:
    template = "members/_hours_entry.html" if is_htmx() else "members/hours_entry.html"
    return hx(
        render_template(template, r=row, error=error, flag_form=form or FlagForm(formdata=None)), status
    )


@bp.get("/me/hours")
def show_hours() -> str:
    """The member's entries this financial period (or the last 8 weeks), newest first."""
    return render_template(
        "members/hours.html", view=members.member_hours(_member_id()), flag_form=FlagForm(formdata=None)
    )


@bp.get("/me/hours/<int:entry_id>")
def show_hours_entry(entry_id: int) -> Response:
    """One of the member's entries (a card fragment for htmx, or a page)."""
    return _entry(members.member_entry(_member_id(), entry_id))


def _after(row: members.EntryRow, message: str) -> Response:
    if is_htmx():
        return _entry(row)
    flash(message)
    return redirect(url_for("members.show_hours"))


@bp.post("/me/hours/<int:entry_id>/confirm")
def confirm_hours(entry_id: int) -> Response:
    """The member says the entry is right."""
    member_id = _member_id()
    ConfirmForm().validate_on_submit()
    try:
        row = members.confirm_entry(member_id, entry_id, actor())
    except NotFound:
        raise
    except ServiceError as refused:
        return _entry(members.member_entry(member_id, entry_id), refused.status, refused.message)
    return _after(row, "Thank you: entry confirmed.")


@bp.post("/me/hours/<int:entry_id>/flag")
def flag_hours(entry_id: int) -> Response:
    """The member says the entry is wrong, and what is wrong (up to 280 characters)."""
    member_id = _member_id()
    row = members.member_entry(member_id, entry_id)
    form = FlagForm()
    if not form.validate_on_submit():
        return _entry(row, 422, form=form)
    try:
        row = members.flag_entry(member_id, entry_id, form.comment.data or "", actor())
    except ServiceError as refused:
        return _entry(members.member_entry(member_id, entry_id), refused.status, refused.message, form)
    return _after(row, "Thank you: a manager will look at this entry.")
