"""A person's own rota on their phone: published shifts and what changed, swaps, time off, when
they can and cannot work, and the calendar address their phone subscribes to.

Everything is looked up within the signed-in person's own records; someone else's answers 404.
The calendar feed itself is public at its unguessable address (a phone's calendar cannot sign in).
"""

from __future__ import annotations

from datetime import date

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from bakery.domain.clock import business_date
from bakery.domain.rota_times import WEEKDAYS
from bakery.members.forms import ConfirmForm
from bakery.members.rota_forms import TimeOffRead, WindowRead, read_time_off, read_window
from bakery.members.routes import bp
from bakery.models.types import utcnow
from bakery.security import actor
from bakery.services import rota
from bakery.services.errors import ServiceError


def _today() -> date:
    return business_date(utcnow(), g.shop.timezone)


def _csrf_ok() -> bool:
    return ConfirmForm().validate_on_submit()


def _page(
    status: int = 200,
    *,
    error: str | None = None,
    window: WindowRead | None = None,
    time_off: TimeOffRead | None = None,
    new_token: str | None = None,
) -> tuple[str, int]:
    me = current_user.id
    today = _today()
    return (
        render_template(
            "members/rota.html",
            weeks=rota.own_weeks(me, today),
            board=rota.swap_board(me),
            windows=rota.own_windows(me, today),
            time_off=rota.own_time_off(me, today),
            has_feed=rota.has_feed(me),
            new_token=new_token,
            error=error,
            window_form=window,
            time_off_form=time_off,
            weekdays=WEEKDAYS,
            today=today,
            now=utcnow(),
        ),
        status,
    )


def _done(message: str, anchor: str) -> BaseResponse:
    flash(message)
    return redirect(url_for("members.show_rota") + anchor)


@bp.get("/me/rota")
def show_rota() -> tuple[str, int]:
    """The person's published shifts for this week and the next four, what changed since they last
    looked, swaps they asked for or could take, their time off and their stated hours."""
    return _page()


@bp.post("/me/rota/seen")
def mark_rota_seen() -> BaseResponse | tuple[str, int]:
    """The person has read the changes: the marks go until the next change."""
    if not _csrf_ok():
        return _page(422, error="Reload the page and try again.")
    ids = [int(v) for v in request.form.getlist("week") if v.isascii() and v.isdigit() and len(v) < 10]
    rota.mark_seen(current_user.id, ids)
    return _done("Thank you: your rota is up to date.", "#my-shifts")


@bp.post("/me/rota/shifts/<int:shift_id>/swap")
def ask_swap(shift_id: int) -> BaseResponse | tuple[str, int]:
    """Ask for someone to take one of your shifts."""
    if not _csrf_ok():
        return _page(422, error="Reload the page and try again.")
    try:
        rota.request_swap(current_user.id, shift_id, actor())
    except ServiceError as refused:
        if refused.status == 404:
            raise
        return _page(refused.status, error=refused.message)
    return _done(
        "Swap asked for: a qualified colleague can offer to take it, then a manager decides.", "#swaps"
    )


@bp.post("/me/rota/swaps/<int:swap_id>/accept")
def accept_swap(swap_id: int) -> BaseResponse | tuple[str, int]:
    """Offer to take a colleague's shift."""
    if not _csrf_ok():
        return _page(422, error="Reload the page and try again.")
    try:
        rota.accept_swap(current_user.id, swap_id, actor())
    except ServiceError as refused:
        if refused.status == 404:
            raise
        return _page(refused.status, error=refused.message)
    return _done("Thank you: a manager will confirm the swap.", "#swaps")


@bp.post("/me/rota/swaps/<int:swap_id>/withdraw")
def withdraw_swap(swap_id: int) -> BaseResponse | tuple[str, int]:
    """Take back your swap request."""
    if not _csrf_ok():
        return _page(422, error="Reload the page and try again.")
    rota.withdraw_swap(current_user.id, swap_id, actor())
    return _done("Swap request withdrawn: the shift stays yours.", "#swaps")


@bp.post("/me/rota/time-off")
def ask_time_off() -> BaseResponse | tuple[str, int]:
    """Ask for days off (no reason is asked)."""
    read = read_time_off(request.form)
    if not _csrf_ok():
        return _page(422, error="Reload the page and try again.", time_off=read)
    if read.error or read.first is None or read.last is None:
        return _page(422, error=read.error, time_off=read)
    try:
        rota.request_time_off(current_user.id, read.first, read.last, _today(), actor())
    except ServiceError as refused:
        return _page(refused.status, error=refused.message, time_off=read)
    return _done("Time off asked for: a manager will answer.", "#time-off")


@bp.post("/me/rota/time-off/<int:request_id>/withdraw")
def withdraw_time_off(request_id: int) -> BaseResponse | tuple[str, int]:
    """Take back time off before its first day."""
    if not _csrf_ok():
        return _page(422, error="Reload the page and try again.")
    rota.withdraw_time_off(current_user.id, request_id, _today(), actor())
    return _done("Time off withdrawn.", "#time-off")


@bp.post("/me/rota/availability")
def add_availability() -> BaseResponse | tuple[str, int]:
    """State a time you can or cannot work, every week or on one date (never why)."""
    read = read_window(request.form)
    if not _csrf_ok():
        return _page(422, error="Reload the page and try again.", window=read)
    if read.window is None:
        return _page(422, error=read.error, window=read)
    try:
        rota.add_window(current_user.id, read.window, _today(), actor())
    except ServiceError as refused:
        return _page(refused.status, error=refused.message, window=read)
    return _done("Saved: managers see it while they plan.", "#availability")


@bp.post("/me/rota/availability/<int:window_id>/remove")
def remove_availability(window_id: int) -> BaseResponse | tuple[str, int]:
    """Remove one of your stated times."""
    if not _csrf_ok():
        return _page(422, error="Reload the page and try again.")
    rota.remove_window(current_user.id, window_id, actor())
    return _done("Removed.", "#availability")


@bp.post("/me/rota/calendar")
def make_calendar_link() -> tuple[str, int]:
    """Make (or replace) your calendar address; it is shown this once."""
    if not _csrf_ok():
        return _page(422, error="Reload the page and try again.")
    token = rota.new_feed_token(current_user.id, actor())
    return _page(new_token=token)


@bp.post("/me/rota/calendar/stop")
def stop_calendar_link() -> BaseResponse | tuple[str, int]:
    """Stop your calendar address: a phone subscribed to it gets nothing more."""
    if not _csrf_ok():
        return _page(422, error="Reload the page and try again.")
    rota.stop_feed(current_user.id, actor())
    return _done("Your calendar address no longer works.", "#calendar")


@bp.get("/rota/feed/<token>.ics")
def rota_feed(token: str) -> Response:
    """A person's published shifts as iCalendar, at the address only they were shown."""
    body = rota.feed_text(token, request.host.split(":")[0] or "bakery")
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="rota.ics"',
            "Cache-Control": "private, max-age=300",
            "X-Robots-Tag": "noindex",
            "Referrer-Policy": "no-referrer",
        },
    )
