"""Timesheets (managers): who is in now, a week's hours per person, corrections, approval, payroll CSV."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from bakery.domain import hours as rules
from bakery.domain.clock import business_date, to_local
from bakery.htmx import hx, is_htmx
from bakery.models.types import utcnow
from bakery.rota.forms import ApproveForm, CorrectionForm
from bakery.security import actor
from bakery.services import members, rota
from bakery.services.errors import ServiceError

bp = Blueprint("rota", __name__, url_prefix="/office/timesheets")

bp.add_app_template_filter(rules.duration_text, "duration")
bp.add_app_template_filter(rules.hours_decimal, "hours_decimal")


def _today() -> date:
    return business_date(utcnow(), g.shop.timezone)


def _week(text: str | None) -> tuple[date, str | None]:
    """The Monday named by `?week=` (this week if none), and an error for an unreadable one."""
    try:
        return rules.parse_week(text, _today()), None
    except rules.HoursError as unreadable:
        return rules.week_start(_today()), str(unreadable)


def _entry_week(entry_id: int) -> date:
    return rules.week_start(business_date(members.get_entry(entry_id).clock_in, g.shop.timezone))


def _page(monday: date, status: int = 200, error: str | None = None) -> tuple[str, int]:
    return (
        render_template(
            "rota/timesheets.html",
            sheet=members.timesheet(monday),
            present=members.open_entries(),
            flags=rota.flags_now(),
            approve_form=ApproveForm(formdata=None),
            error=error,
        ),
        status,
    )


def _person(
    user_id: int,
    monday: date,
    status: int = 200,
    *,
    error: str | None = None,
    notice: str | None = None,
    editing: int | None = None,
    form: CorrectionForm | None = None,
) -> Response:
    """One person's week as the fragment htmx swaps in place (#person-<id>)."""
    return hx(
        render_template(
            "rota/_timesheet_person.html",
            p=members.person_week(user_id, monday),
            week=monday,
            approve_form=ApproveForm(formdata=None),
            error=error,
            notice=notice,
            editing=editing,
            form=form,
        ),
        status,
    )


@bp.get("/")
def show_timesheets() -> tuple[str, int]:
    """A week (Mon-Sun, `?week=2026-11-23`) of everyone's hours, with who is in now."""
    monday, error = _week(request.args.get("week"))
    return _page(monday, 422 if error else 200, error)


@bp.get("/who-is-in")
def show_who_is_in() -> str:
    """Who is clocked in now and since when, and who is late or missing for a published shift
    today (the fragment polls itself every 30 seconds)."""
    template = "rota/_who_is_in.html" if is_htmx() else "rota/who_is_in.html"
    return render_template(template, present=members.open_entries(), flags=rota.flags_now())


def _correction_form(entry_id: int) -> CorrectionForm:
    entry = members.get_entry(entry_id)
    start = to_local(entry.clock_in, g.shop.timezone)
    end = to_local(entry.clock_out, g.shop.timezone) if entry.clock_out else None
    return CorrectionForm(
        formdata=None,
        day=start.date(),
        clock_in=start.time().replace(second=0, microsecond=0, tzinfo=None),
        clock_out=end.time().replace(second=0, microsecond=0, tzinfo=None) if end else None,
        break_minutes=entry.break_minutes,
    )


def _correction_page(
    entry_id: int, form: CorrectionForm, status: int = 200, error: str | None = None
) -> Response:
    monday = _entry_week(entry_id)
    if is_htmx():
        entry = members.get_entry(entry_id)
        return _person(entry.user_id, monday, status, error=error, editing=entry_id, form=form)
    body = render_template(
        "rota/correct.html", row=members.entry_row(entry_id), form=form, week=monday, error=error
    )
    return hx(body, status)


@bp.get("/entries/<int:entry_id>/correct")
def edit_entry(entry_id: int) -> Response:
    """The correction form for an entry (in place in the person's week, or as a page)."""
    return _correction_page(entry_id, _correction_form(entry_id))


@bp.post("/entries/<int:entry_id>/correct")
def correct_entry(entry_id: int) -> Response | BaseResponse:
    """Correct an entry's in, out and breaks with a reason; the original is kept and audited."""
    entry = members.get_entry(entry_id)
    user_id, monday = entry.user_id, _entry_week(entry_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _correction_page(entry_id, form, 422)
    try:
        clock_in, clock_out = rules.shift_from_local(
            form.day.data, form.clock_in.data, form.clock_out.data, g.shop.timezone
        )
        _, was_approved = members.correct_entry(
            entry_id, clock_in, clock_out, form.break_minutes.data or 0, form.reason.data or "", actor()
        )
    except (rules.HoursError, ServiceError) as refused:
        return _correction_page(entry_id, form, 422, str(refused))
    notice = "Entry corrected." + (" It had been approved: approve it again." if was_approved else "")
    if is_htmx():
        return _person(user_id, monday, notice=notice)
    flash(notice)
    return redirect(url_for("rota.show_timesheets", week=monday.isoformat()))


def _done(user_id: int, monday: date, notice: str) -> Response | BaseResponse:
    if is_htmx():
        return _person(user_id, monday, notice=notice)
    flash(notice)
    return redirect(url_for("rota.show_timesheets", week=monday.isoformat()))


def _refused(user_id: int, monday: date, refused: ServiceError) -> Response:
    if is_htmx():
        return _person(user_id, monday, refused.status, error=refused.message)
    body, _ = _page(monday, refused.status, refused.message)
    return hx(body, refused.status)


@bp.post("/entries/<int:entry_id>/approve")
def approve_entry(entry_id: int) -> Response | BaseResponse:
    """Approve one entry: its minutes count as the worker's labour patronage."""
    entry = members.get_entry(entry_id)
    user_id, monday = entry.user_id, _entry_week(entry_id)
    ApproveForm().validate_on_submit()
    try:
        members.approve_entry(entry_id, actor())
    except ServiceError as refused:
        return _refused(user_id, monday, refused)
    return _done(user_id, monday, "Entry approved.")


@bp.post("/people/<int:user_id>/approve")
def approve_week(user_id: int) -> Response | BaseResponse:
    """Approve a person's finished entries of the week (entries they flagged are left to check)."""
    form = ApproveForm()
    monday, error = _week(form.week.data if form.validate_on_submit() else "?")
    if error:
        return _refused(user_id, monday, ServiceError(error))
    try:
        done = members.approve_week(user_id, monday, actor())
    except ServiceError as refused:
        return _refused(user_id, monday, refused)
    notice = f"{done.approved} entr{'y' if done.approved == 1 else 'ies'} approved."
    if done.flagged_left:
        notice += f" {done.flagged_left} flagged by the worker: check and approve them one by one."
    if done.open_left:
        notice += f" {done.open_left} still open."
    return _done(user_id, monday, notice)


@bp.get("/export.csv")
def export_timesheets() -> Response | tuple[str, int]:
    """The week's approved entries as CSV for payroll: name, date, in, out, break, minutes, members."""
    monday, error = _week(request.args.get("week"))
    if error:
        return _page(monday, 422, error)
    return Response(
        members.payroll_csv(monday),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="hours-{monday.isoformat()}.csv"'},
    )
