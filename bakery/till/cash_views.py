"""The till's cash screens: the X report with paid in/out, the count to close, the Z report."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from bakery.domain.cash_count import CashCountError, count_total
from bakery.domain.money import MoneyError, parse_pence
from bakery.extensions import db
from bakery.formatting import money
from bakery.htmx import hx, is_htmx
from bakery.security import actor
from bakery.services import printing
from bakery.services import till as till_services
from bakery.services.errors import ServiceError
from bakery.services.till import SessionTotals
from bakery.till.forms import CashCountForm, PayInOutForm
from bakery.till.routes import bp


def _to_open_screen() -> Response:
    """A closed till has no X report or count: the float screen (at till.sell) comes first."""
    if is_htmx():
        return hx("", 200, redirect=url_for("till.sell"))
    return redirect(url_for("till.sell"))


def _cash_page(
    figures: SessionTotals, form: PayInOutForm, status: int = 200, error: str | None = None, done: str = ""
) -> Response:
    template = "till/_cash_x.html" if is_htmx() else "till/cash_x.html"
    body = render_template(template, figures=figures, form=form, error=error, done=done)
    return hx(body, status, trigger="cash-moved" if done else None)


@bp.get("/cash")
def show_cash() -> Response:
    """The X report: the open session's running totals, and the paid in/out form."""
    figures = till_services.current_totals(g.till.id)
    if figures is None:
        return _to_open_screen()
    return _cash_page(figures, PayInOutForm(formdata=None))


@bp.post("/cash/x-report")
def print_x_report() -> Response:
    """Print the X report on the till's receipt printer (nothing closes); while the printer is
    offline or out of paper, say that the report waits for it."""
    try:
        printed = till_services.print_x_report(g.till.id, actor())
    except ServiceError:
        return _to_open_screen()
    if not printed:
        flash("This till has no receipt printer: the X report is on screen.")
    elif (printer := printing.till_printing(g.till.id)).problem:
        flash(
            f"The receipt printer is {printer.label.lower()}: the X report is waiting for the printer "
            "and prints when it is back."
        )
    else:
        flash("X report sent to the printer.")
    return redirect(url_for("till.show_cash"))


@bp.post("/cash/moves")
def pay_in_out() -> Response:
    """Pay cash into or out of the drawer with a reason; the X report updates."""
    form = PayInOutForm()
    error, status = "", 422
    if form.validate_on_submit():
        try:
            amount = parse_pence(form.amount.data or "", allow_zero=False, maximum=till_services.MAX_FLOAT)
            signed = amount if form.direction.data == "in" else -amount
            till_services.pay_in_out(
                g.till.id, signed, form.reason.data or "", actor(), key=form.key.data or None
            )
        except (MoneyError, ServiceError) as refused:
            db.session.rollback()
            error, status = str(refused), getattr(refused, "status", 422)
        else:
            done = f"Paid {form.direction.data} {money(amount)}: {form.reason.data}"
            if not is_htmx():
                flash(done)
                return redirect(url_for("till.show_cash"))
            figures = till_services.current_totals(g.till.id)
            if figures is not None:
                return _cash_page(figures, PayInOutForm(formdata=None), done=done)
    figures = till_services.current_totals(g.till.id)
    if figures is None:
        return _to_open_screen()
    return _cash_page(figures, form, status, error or None)


@bp.get("/close")
def show_close() -> Response | str:
    """Close the till: count the notes and coins in the drawer (a blind count: no expected figure)."""
    if till_services.open_session_for(g.till.id) is None:
        return _to_open_screen()
    return render_template("till/cash_close.html", form=CashCountForm(formdata=None))


@bp.post("/close")
def close_till() -> Response | tuple[str, int]:
    """Total the count and ask in the till's confirm panel (the count kept, its total said); its
    Close the till button closes the session with a numbered Z report, which is then shown."""
    form = CashCountForm()
    if not form.validate_on_submit():
        error = "Count each note and coin as a whole number (leave it blank for none)."
        return render_template("till/cash_close.html", form=form, error=error), 422
    if form.confirmed.data != "yes":
        if till_services.open_session_for(g.till.id) is None:
            return _to_open_screen()
        try:
            counted = count_total(form.counts())
        except CashCountError as refused:
            return render_template("till/cash_close.html", form=form, error=str(refused)), 422
        return render_template("till/cash_close.html", form=form, confirm_total=counted), 200
    try:
        report = till_services.close_counted(g.till.id, form.counts(), actor())
    except ServiceError as refused:
        db.session.rollback()
        return render_template("till/cash_close.html", form=form, error=refused.message), refused.status
    return redirect(url_for("till.show_z_report", z_id=report.id))


@bp.get("/z/<int:z_id>")
def show_z_report(z_id: int) -> str:
    """A Z report of this till (read-only): counted against expected, totals, chain tag, grand totals."""
    return render_template("till/cash_z.html", z=till_services.z_report(g.till.id, z_id))
