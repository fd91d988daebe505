"""The till's refund screens: find a sale (list, receipt number or QR), choose lines, manager PIN."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bakery.extensions import db
from bakery.forms import parse_whole_number
from bakery.htmx import hx, is_htmx
from bakery.security import actor
from bakery.services import auth, printing
from bakery.services import till as till_services
from bakery.services.errors import ServiceError
from bakery.till.forms import RefundForm, refund_quantities
from bakery.till.routes import bp


def _with_managers(form: RefundForm) -> RefundForm:
    form.manager_id.choices = [(0, "Choose a manager")] + [
        (user.id, user.display_name) for user in auth.managers()
    ]
    return form


def _refund_page(
    sale_id: int,
    form: RefundForm,
    chosen: dict[int, int] | None = None,
    status: int = 200,
    error: str | None = None,
) -> Response:
    view = till_services.refundable_sale(g.till.id, sale_id, chosen)
    template = "till/_refund_form.html" if is_htmx() else "till/refund.html"
    return hx(render_template(template, view=view, form=form, error=error), status)


@bp.get("/refunds")
def find_sale() -> Response | tuple[str, int]:
    """Today's sales on this till, newest first, and a box for a receipt number or a scanned QR code."""
    typed = request.args.get("receipt", "").strip()[:80]
    error, status = None, 200
    if typed:
        try:
            sale = till_services.find_sale(g.till.id, typed)
        except ServiceError as refused:
            error, status = refused.message, refused.status
        else:
            return redirect(url_for("till.show_refund", sale_id=sale.id))
    sales = till_services.todays_sales(g.till.id)
    return render_template("till/refund_find.html", sales=sales, typed=typed, error=error), status


@bp.get("/refunds/<int:sale_id>")
def show_refund(sale_id: int) -> Response:
    """A sale's lines with what remains refundable, steppers at 0, cash or card, reason, manager PIN."""
    view = till_services.refundable_sale(g.till.id, sale_id)
    form = _with_managers(RefundForm(formdata=None, key=till_services.new_key(), method=view.method))
    return _refund_page(sale_id, form)


@bp.get("/refunds/<int:sale_id>/lines/<int:line_id>")
def show_refund_line(sale_id: int, line_id: int) -> str:
    """One line's quantity stepper after a tap on minus or plus (kept between 0 and what remains)."""
    qty = request.args.get(f"qty-{line_id}", 0, type=parse_whole_number)
    step = request.args.get("step", 0, type=parse_whole_number)
    line = till_services.refundable_line(g.till.id, sale_id, line_id, qty, step=step)
    return render_template("till/_refund_line.html", rl=line, sale_id=sale_id)


@bp.post("/refunds/<int:sale_id>")
def refund_sale(sale_id: int) -> Response:
    """Refund the chosen lines; show the refund receipt and what to give back, or why not."""
    form = _with_managers(RefundForm())
    view = till_services.refundable_sale(g.till.id, sale_id)
    try:
        chosen = refund_quantities(request.form, [line.line.id for line in view.lines])
    except ValueError as unreadable:
        return _refund_page(sale_id, form, None, 422, str(unreadable))
    if not form.validate_on_submit():
        return _refund_page(sale_id, form, chosen, 422)
    try:
        refund = till_services.refund(
            g.till.id,
            sale_id,
            chosen,
            form.method.data or "",
            form.reason.data or "",
            form.manager_id.data or 0,
            form.manager_pin.data or "",
            actor(),
            key=form.key.data,
        )
    except ServiceError as refused:
        db.session.rollback()
        return _refund_page(sale_id, form, chosen, refused.status, refused.message)
    receipt = printing.for_sale(refund)
    if not is_htmx():
        flash(till_services.give_back(refund))
        return redirect(url_for("till.show_receipt", sale_id=refund.id))
    body = render_template(
        "till/_refund_done.html",
        refund=refund,
        receipt=receipt,
        original=view.sale,
        give_back=till_services.give_back(refund),
    )
    return hx(body, trigger="refund-completed")
