"""Clocking in and out at the till: tap your name, enter your PIN (and your breaks when leaving).

These need only a paired tablet, not a staff session: the PIN is checked by the service, and a
wrong one counts towards the person's lock-out.
"""

from __future__ import annotations

from flask import g, render_template
from werkzeug.wrappers import Response

from bakery.htmx import hx, is_htmx
from bakery.models import User
from bakery.rota.forms import BREAK_CHOICES, ClockForm
from bakery.security import actor
from bakery.services import members
from bakery.services.auth import SignInRefused
from bakery.services.errors import ServiceError
from bakery.till.routes import _staff, _till_user, bp


def _present() -> dict[int, members.EntryRow]:
    return {row.entry.user_id: row for row in members.open_entries()}


def _pad(user: User, form: ClockForm, status: int = 200, error: str | None = None) -> Response:
    template = "till/_clock_pad.html" if is_htmx() else "till/clock_pad.html"
    body = render_template(
        template,
        user=user,
        form=form,
        open_entry=members.open_entry(user.id),
        breaks=BREAK_CHOICES,
        error=error,
    )
    return hx(body, status)


def _result(status: int, **context: object) -> Response:
    """The outcome where the pad was (a whole page without htmx)."""
    template = "till/_clock_done.html" if is_htmx() else "till/clock.html"
    return hx(render_template(template, **context), status)


@bp.get("/clock")
def show_clock() -> str:
    """Staff tiles for clocking in or out, showing who is in."""
    return render_template("till/clock.html", staff=_staff(), present=_present())


@bp.get("/clock/<int:user_id>")
def show_clock_pad(user_id: int) -> Response:
    """The PIN pad to clock in, or to clock out with breaks, for the person whose tile was tapped."""
    user = _till_user(user_id)
    action = "out" if members.open_entry(user.id) else "in"
    return _pad(user, ClockForm(formdata=None, action=action, break_minutes=0))


@bp.post("/clock/<int:user_id>")
def clock_in_out(user_id: int) -> Response:
    """Clock in or out as the pad said; show "Ada clocked in at 07:58", or why not."""
    user = _till_user(user_id)
    form = ClockForm()
    if not form.validate_on_submit():
        return _pad(user, form, 422)
    try:
        if form.action.data == "in":
            done = members.clock_in(
                user.id, form.pin.data or "", g.device, actor(), key=form.key.data or None
            )
        else:
            done = members.clock_out(
                user.id,
                form.pin.data or "",
                g.device,
                actor(),
                break_minutes=form.break_minutes.data or 0,
                key=form.key.data or None,
            )
    except SignInRefused as refused:
        return _pad(
            user,
            ClockForm(formdata=None, action=form.action.data, break_minutes=form.break_minutes.data),
            401,
            refused.message,
        )
    except (members.AlreadyClockedIn, members.NotClockedIn) as refused:
        return _result(refused.status, refused=refused.message)
    except ServiceError as refused:
        return _pad(
            user,
            ClockForm(formdata=None, action=form.action.data, break_minutes=form.break_minutes.data),
            refused.status,
            refused.message,
        )
    return _result(200, done=done)
