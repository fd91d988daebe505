"""The weekly rota (managers): plan a week's shifts by person or by role, with the warnings in view;
copy last week, templates, publish, and the week on A4."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from bakery.domain import rota as rules
from bakery.domain.clock import business_date
from bakery.forms import parse_id
from bakery.htmx import hx, is_htmx
from bakery.models.types import utcnow
from bakery.planning.forms import (
    ShiftForm,
    blank_shift_form,
    parse_day,
    parse_version,
    read_shift_form,
    shift_form_for,
)
from bakery.security import actor
from bakery.services import rota
from bakery.services.errors import NotFound, ServiceError

bp = Blueprint("planning", __name__, url_prefix="/office/rota")

VIEWS = ("people", "roles")


def _today() -> date:
    return business_date(utcnow(), g.shop.timezone)


def _monday(text: str | None) -> tuple[date, str | None]:
    """The Monday of the week named by a date (this week when none), and an error for a bad one."""
    this_week = rules.monday_of(_today())
    if not text:
        return this_week, None
    day = parse_day(text)
    if day is None:
        return this_week, "That is not a date: showing this week."
    try:
        return rota.check_monday(rules.monday_of(day), _today()), None
    except ServiceError as wrong:
        return this_week, wrong.message


def _view(text: str | None) -> str:
    return text if text in VIEWS else "people"


def _context(monday: date, view: str, **extra: Any) -> dict[str, Any]:
    plan = rota.week_plan(monday)
    return {
        "plan": plan,
        "view": view,
        "this_week": rules.monday_of(_today()),
        "today": _today(),
        "templates": rota.templates(),
        "panel": None,
        "form": None,
        "notice": None,
        "error": None,
        **extra,
    }


def _week(monday: date, view: str, status: int = 200, **extra: Any) -> Response:
    """The week as a page, or as the #rota-week fragment htmx swaps in place."""
    template = "planning/_week.html" if is_htmx() else "planning/week.html"
    trigger = "rota-changed" if extra.get("notice") else None
    return hx(render_template(template, **_context(monday, view, **extra)), status, trigger=trigger)


def _done(monday: date, view: str, notice: str) -> Response | BaseResponse:
    if is_htmx():
        return _week(monday, view, notice=notice)
    flash(notice)
    return redirect(url_for("planning.show_week", week=monday.isoformat(), view=view))


def _refused(monday: date, view: str, refused: ServiceError) -> Response:
    """A refusal shown on the whole week (reloaded, so a change by someone else is in view)."""
    if isinstance(refused, NotFound) and not is_htmx():
        abort(404)
    return _week(monday, view, refused.status if refused.status != 404 else 409, error=refused.message)


def _panel(monday: date, view: str, form: ShiftForm, shift_id: int | None, status: int = 200) -> Response:
    """The shift form, as the #shift-panel fragment, or as the week page with the panel open."""
    if not is_htmx():
        return _week(monday, view, status, panel=shift_id or "new", form=form, error=form.error)
    plan = rota.week_plan(monday)
    body = render_template(
        "planning/_shift_panel.html",
        plan=plan,
        view=view,
        panel=shift_id or "new",
        form=form,
        error=form.error,
    )
    return hx(body, status, retarget="#shift-panel", reswap="outerHTML")


@bp.get("/")
def show_week() -> Response:
    """A week of the rota (`?week=` any day of it; this week if none), by person or by role."""
    monday, error = _monday(request.args.get("week"))
    return _week(monday, _view(request.args.get("view")), 422 if error else 200, error=error)


@bp.get("/shifts/new")
def new_shift() -> Response:
    """The form for a new shift on a day, for the person or role of the grid cell it came from."""
    day = parse_day(request.args.get("day"))
    monday, error = _monday(request.args.get("day"))
    view = _view(request.args.get("view"))
    if day is None or error:
        return _week(monday, view, 422, error=error or "Choose a day of the week.")
    form = blank_shift_form(
        day, parse_id(request.args.get("person", "")), parse_id(request.args.get("role", ""))
    )
    return _panel(monday, view, form, None)


@bp.post("/shifts")
def add_shift() -> Response | BaseResponse:
    """Add a shift; the week comes back with its warnings."""
    form = read_shift_form(request.form)
    view = _view(request.form.get("view"))
    monday, error = _monday(request.form.get("day"))
    if error and "day" not in form.errors:
        form.errors["day"] = error
        form.shift = None
    if form.shift is None:
        return _panel(monday, view, form, None, 422)
    try:
        shift = rota.add_shift(form.shift, actor())
    except ServiceError as refused:
        form.errors["form"] = refused.message
        return _panel(monday, view, form, None, 422)
    return _done(monday, view, f"Shift added: {shift.day:%a %d %b} {rules.clock_text(shift.start_minute)}.")


def _shift_week(shift_id: int) -> tuple[date, rota.ShiftView]:
    shift = rota.shift_or_404(shift_id)
    monday = rules.monday_of(shift.day)
    view = next(v for v in rota.week_plan(monday).shifts if v.id == shift_id)
    return monday, view


@bp.get("/shifts/<int:shift_id>")
def edit_shift(shift_id: int) -> Response:
    """The form for a shift: change its day, person, role or times, copy it, or remove it."""
    try:
        monday, view = _shift_week(shift_id)
    except NotFound:
        abort(404)
    return _panel(monday, _view(request.args.get("view")), shift_form_for(view), shift_id)


@bp.post("/shifts/<int:shift_id>")
def change_shift(shift_id: int) -> Response | BaseResponse:
    """Change (or move) a shift; refused and reloaded when someone else changed it meanwhile."""
    try:
        monday, _ = _shift_week(shift_id)
    except NotFound:
        abort(404)
    view = _view(request.form.get("view"))
    form = read_shift_form(request.form)
    if form.shift is None:
        return _panel(monday, view, form, shift_id, 422)
    try:
        rota.change_shift(shift_id, form.version, form.shift, actor())
    except rota.ChangedMeanwhile as refused:
        return _refused(monday, view, refused)
    except ServiceError as refused:
        form.errors["form"] = refused.message
        return _panel(monday, view, form, shift_id, 422)
    return _done(monday, view, "Shift changed.")


@bp.post("/shifts/<int:shift_id>/copy")
def copy_shift(shift_id: int) -> Response | BaseResponse:
    """Copy a shift to another day of the week, for the same person or another."""
    try:
        monday, shown = _shift_week(shift_id)
    except NotFound:
        abort(404)
    view = _view(request.form.get("view"))
    day = parse_day(request.form.get("to_day"))
    person_text = request.form.get("to_person", "")
    person = None if person_text in ("", "0") else parse_id(person_text)
    if day is None or (person_text not in ("", "0") and person is None):
        form = shift_form_for(shown)
        form.errors["copy"] = "Choose a day of this week and a person (or nobody) to copy to."
        return _panel(monday, view, form, shift_id, 422)
    try:
        rota.copy_shift(shift_id, day, person, actor())
    except ServiceError as refused:
        form = shift_form_for(shown)
        form.errors["copy"] = refused.message
        return _panel(monday, view, form, shift_id, 422)
    return _done(monday, view, f"Shift copied to {day:%a %d %b}.")


@bp.post("/shifts/<int:shift_id>/remove")
def remove_shift(shift_id: int) -> Response | BaseResponse:
    """Remove a shift (kept as cancelled in a published week, so the person is told)."""
    try:
        monday, _ = _shift_week(shift_id)
    except NotFound:
        abort(404)
    view = _view(request.form.get("view"))
    version = parse_version(request.form.get("version"))
    try:
        rota.remove_shift(shift_id, version, actor())
    except ServiceError as refused:
        return _refused(monday, view, refused)
    return _done(monday, view, "Shift removed.")


def _week_post() -> tuple[date, str, int | None, str | None]:
    """The week, view and version a week-wide form sends, and an error when one is wrong."""
    monday, error = _monday(request.form.get("week"))
    version = parse_version(request.form.get("version"))
    if version is None and not error:
        error = "This form is out of date. Open the rota again."
    return monday, _view(request.form.get("view")), version, error


@bp.post("/week/copy-last")
def copy_last_week() -> Response | BaseResponse:
    """Copy last week's shifts into this week (ones already here are not doubled)."""
    monday, view, version, error = _week_post()
    if error or version is None:
        return _week(monday, view, 422, error=error)
    try:
        added = rota.copy_last_week(monday, version, actor())
    except ServiceError as refused:
        return _refused(monday, view, refused)
    if not added:
        return _week(monday, view, error="Nothing to copy: last week has no shifts that this week lacks.")
    return _done(monday, view, f"{added} shift{'s' if added != 1 else ''} copied from last week.")


@bp.post("/week/template")
def save_template() -> Response | BaseResponse:
    """Save this week's shifts as a template (a typical week) under a name."""
    monday, view, _, error = _week_post()
    if error:
        return _week(monday, view, 422, error=error)
    try:
        template = rota.save_template(monday, request.form.get("name", ""), actor())
    except ServiceError as refused:
        return _week(monday, view, refused.status, error=refused.message)
    return _done(monday, view, f"Saved as the template {template.name}.")


@bp.post("/week/apply-template")
def apply_template() -> Response | BaseResponse:
    """Add a template's shifts to this week."""
    monday, view, version, error = _week_post()
    template_id = parse_id(request.form.get("template", ""))
    if not error and not template_id:
        error = "Choose a template."
    if error or version is None or template_id is None:
        return _week(monday, view, 422, error=error)
    try:
        added = rota.apply_template(template_id, monday, version, actor())
    except ServiceError as refused:
        return _refused(monday, view, refused)
    if not added:
        return _week(monday, view, error="Nothing added: this week already has every shift of that template.")
    return _done(monday, view, f"{added} shift{'s' if added != 1 else ''} added from the template.")


@bp.post("/week/publish")
def publish_week() -> Response | BaseResponse:
    """Publish the week: members see their shifts; changes after this are marked for them."""
    monday, view, version, error = _week_post()
    if error or version is None:
        return _week(monday, view, 422, error=error)
    try:
        rota.publish_week(monday, version, actor())
    except ServiceError as refused:
        return _refused(monday, view, refused)
    return _done(monday, view, f"The week of {monday:%d %B} is published: members can see their shifts.")


@bp.get("/week.pdf")
def print_week() -> Response:
    """The week's rota on A4 (landscape) for the staff-room wall."""
    monday, error = _monday(request.args.get("week"))
    if error:
        abort(404)
    pdf = rota.week_pdf(monday)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="rota-{monday.isoformat()}.pdf"'
    return response


@bp.get("/roles.css")
def role_colours() -> Response:
    """Each role's colour as a stylesheet (the CSP allows no inline styles): `.role-<id>`."""
    lines = [
        f".role-{role.id} {{ --role: {role.colour}; }}"
        for role in rota.active_roles()
        if rules_colour(role.colour)
    ]
    response = Response("\n".join(lines) + "\n", mimetype="text/css")
    response.headers["Cache-Control"] = "no-cache"
    return response


def rules_colour(text: str) -> bool:
    """A colour is written as #rrggbb (nothing else reaches a stylesheet)."""
    return len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in text[1:])


@bp.get("/day")
def show_day() -> Response:
    """A day planned against clocked: late and missing clock-ins, labour hours and cost against sales."""
    day = parse_day(request.args.get("day")) if request.args.get("day") else _today()
    status = 200
    error = None
    if day is None or abs((day - _today()).days) > 7 * rota.WEEKS_AROUND:
        day, status, error = _today(), 422, "That is not a date: showing today."
    body = render_template(
        "planning/day.html",
        report=rota.day_report(day),
        previous=day - timedelta(days=1),
        following=day + timedelta(days=1),
        error=error,
    )
    return hx(body, status)


# The requests and the settings pages add their routes to this blueprint.
from bakery.planning import requests_views, setup_routes  # noqa: E402, F401
