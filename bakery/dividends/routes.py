"""Dividends (admin): periods, the allocation's preview, proposal, approval, payouts, dividends."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from bakery.dividends.forms import AllocationForm, ApproveForm, CloseEarlyForm, PayoutForm, PeriodForm
from bakery.domain import patronage_terms as terms
from bakery.extensions import db
from bakery.formatting import money
from bakery.models import FinancialPeriod, User
from bakery.security import actor
from bakery.services import dividends
from bakery.services.errors import ServiceError

bp = Blueprint("dividends", __name__)


@bp.app_template_filter("share_pct")
def share_pct(ppm: int) -> str:
    """A share in millionths as a percentage."""
    return dividends.format_share(ppm)


@bp.app_template_filter("patronage")
def patronage_text(amount: int, measure: str) -> str:
    """Patronage in its measure's words."""
    return dividends.format_patronage(measure, amount)


@bp.app_template_filter("period_result")
def period_result(surplus: int | None) -> str:
    """An allocation's surplus in words: "surplus £1,000.00", "loss of £1,500.00", "break-even"."""
    if surplus is None:
        return ""
    if surplus < 0:
        return f"loss of {money(-surplus)}"
    return f"surplus {money(surplus)}" if surplus else "break-even"


@bp.app_template_global("patronage_terms")
def patronage_terms() -> ModuleType:
    """The labels of patronage figures by measure (`bakery.domain.patronage_terms`)."""
    return terms


def _periods_page(
    form: PeriodForm | None = None, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "dividends/periods.html",
            periods=dividends.list_periods(),
            form=form or PeriodForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.get("/admin/dividends")
def list_periods() -> tuple[str, int]:
    """Financial periods with their status, and adding one."""
    return _periods_page()


@bp.post("/admin/dividends/periods")
def create_period() -> Response | tuple[str, int]:
    """Add a financial period (no overlaps, end on or after start)."""
    form = PeriodForm()
    if not form.validate_on_submit():
        return _periods_page(form, status=422)
    try:
        period = dividends.create_period(
            form.name.data or "",
            form.starts_on.data,
            form.ends_on.data,
            actor(),
        )
    except ServiceError as refused:
        return _periods_page(form, refused.message, 422)
    flash(f"Period {period.name} added.")
    return redirect(url_for("dividends.show_period", period_id=period.id))


def _allocation_form(period: FinancialPeriod, formdata: MultiDict[str, str] | None) -> AllocationForm:
    """The allocation form: from what was sent, or (nothing sent) from the last approved rules."""
    if formdata is None or "surplus" not in formdata:
        form = AllocationForm(formdata=None, meta={"csrf": False})
        form.fill(dividends.default_input(period))
        return form
    if request.method == "GET":
        return AllocationForm(formdata=formdata, meta={"csrf": False})
    return AllocationForm(formdata=formdata)


def _period_page(
    period: FinancialPeriod,
    form: AllocationForm,
    view: dividends.AllocationView | None = None,
    error: str | None = None,
    status: int = 200,
    close_form: CloseEarlyForm | None = None,
    close_error: str | None = None,
) -> tuple[str, int]:
    measures = {c.name: c.measure for c in dividends.member_classes()}
    ended = dividends.has_ended(period)
    if period.status == "approved":
        form.surplus.label.text = "Further surplus to share by this adjustment (a correction down as -12.34)"
    return (
        render_template(
            "dividends/period.html",
            period=period,
            allocations=dividends.allocations_of(period.id),
            form=form,
            measures=measures,
            adjustment=period.status == "approved",
            view=view,
            error=error,
            ended=ended,
            last_recorded=None if ended else dividends.last_recorded_day(period),
            close_form=close_form or CloseEarlyForm(formdata=None),
            close_error=close_error,
        ),
        status,
    )


@bp.get("/admin/dividends/periods/<int:period_id>")
def show_period(period_id: int) -> tuple[str, int]:
    """A period: its allocations, and the form to preview one (an adjustment once approved)."""
    period = dividends.get_period(period_id)
    return _period_page(period, _allocation_form(period, None))


@bp.post("/admin/dividends/periods/<int:period_id>/close-early")
def close_period_early(period_id: int) -> Response | tuple[str, int]:
    """End an open period on an earlier day, so that its allocation can go ahead once that day is over."""
    period = dividends.get_period(period_id)
    form = CloseEarlyForm()
    if not form.validate_on_submit():
        return _period_page(period, _allocation_form(period, None), status=422, close_form=form)
    try:
        closed = dividends.close_early(period.id, form.ends_on.data, actor())
    except ServiceError as refused:
        db.session.rollback()
        period = dividends.get_period(period_id)
        return _period_page(
            period, _allocation_form(period, None), status=422, close_form=form, close_error=refused.message
        )
    after = closed.period.ends_on + timedelta(days=1)
    if closed.next_period is not None:
        flash(
            f"{closed.period.name} now ends on {closed.period.ends_on.isoformat()}; "
            f"{closed.next_period.name} begins on {after.isoformat()}."
        )
    else:
        flash(
            f"{closed.period.name} now ends on {closed.period.ends_on.isoformat()}. Add the next period from "
            f"{after.isoformat()}: sales and hours from then belong to it."
        )
    return redirect(url_for("dividends.show_period", period_id=period.id))


@bp.get("/admin/dividends/periods/<int:period_id>/preview")
def preview_allocation(period_id: int) -> tuple[str, int]:
    """Preview the allocation for the figures and rules in the query (nothing is written).

    "Add a fund" comes here too, and rows ticked "Remove" are dropped: they change the form only.
    """
    period = dividends.get_period(period_id)
    form = _allocation_form(period, request.args)
    form.drop_removed_funds()
    if request.args.get("action") == "add_fund":
        form.funds.append_entry()
        return _period_page(period, form)
    if not form.validate():
        return _period_page(period, form, status=422)
    try:
        view = dividends.preview(period.id, form.to_input(), adjustment=period.status == "approved")
    except ServiceError as refused:
        return _period_page(period, form, error=refused.message, status=422)
    return _period_page(period, form, view)


@bp.post("/admin/dividends/periods/<int:period_id>/allocations")
def propose_allocation(period_id: int) -> Response | tuple[str, int]:
    """Propose the previewed allocation: its inputs are frozen with their hash."""
    period = dividends.get_period(period_id)
    form = _allocation_form(period, request.form)
    if not form.validate_on_submit():
        return _period_page(period, form, status=422)
    adjustment = period.status == "approved"
    try:
        allocation = dividends.propose(
            period.id,
            form.to_input(),
            actor(),
            adjustment=adjustment,
            expected_hash=form.preview_hash.data or None,
        )
    except dividends.ScenarioChanged as changed:
        view = dividends.preview(period.id, form.to_input(), adjustment=adjustment)
        return _period_page(period, form, view, changed.message, 409)
    except ServiceError as refused:
        db.session.rollback()
        return _period_page(dividends.get_period(period_id), form, error=refused.message, status=422)
    flash("Allocation proposed. A second admin approves it with the general meeting's resolution.")
    return redirect(url_for("dividends.show_allocation", allocation_id=allocation.id))


def _allocation_page(
    allocation_id: int, form: ApproveForm | None = None, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    allocation = dividends.get_allocation(allocation_id)
    people = {
        u.id: u.display_name
        for u in (
            db.session.get(User, allocation.proposed_by_id),
            db.session.get(User, allocation.approved_by_id or 0),
        )
        if u is not None
    }
    return (
        render_template(
            "dividends/allocation.html",
            allocation=allocation,
            view=dividends.allocation_view(allocation),
            people=people,
            form=form or ApproveForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.get("/admin/dividends/allocations/<int:allocation_id>")
def show_allocation(allocation_id: int) -> tuple[str, int]:
    """An allocation's frozen figures, and approving or withdrawing it."""
    return _allocation_page(allocation_id)


@bp.post("/admin/dividends/allocations/<int:allocation_id>/approve")
def approve_allocation(allocation_id: int) -> Response | tuple[str, int]:
    """Approve with the general meeting's resolution (a second admin, never the proposer)."""
    form = ApproveForm()
    if not form.validate_on_submit():
        return _allocation_page(allocation_id, form, status=422)
    try:
        dividends.approve(
            allocation_id,
            form.resolution_ref.data or "",
            form.resolution_date.data,
            actor(),
        )
    except ServiceError as refused:
        db.session.rollback()
        return _allocation_page(allocation_id, form, refused.message, 422)
    flash("Allocation approved: the period is locked and members can download their dividends.")
    return redirect(url_for("dividends.show_allocation", allocation_id=allocation_id))


@bp.post("/admin/dividends/allocations/<int:allocation_id>/withdraw")
def withdraw_allocation(allocation_id: int) -> Response | tuple[str, int]:
    """Withdraw a proposed allocation (never an approved one)."""
    try:
        allocation = dividends.withdraw(allocation_id, actor())
    except ServiceError as refused:
        db.session.rollback()
        return _allocation_page(allocation_id, error=refused.message, status=422)
    flash("Allocation withdrawn.")
    return redirect(url_for("dividends.show_period", period_id=allocation.period_id))


def _payouts_page(allocation_id: int, error: str | None = None, status: int = 200) -> tuple[str, int]:
    allocation = dividends.get_allocation(allocation_id)
    rows = dividends.payout_rows(allocation.id)
    return (
        render_template(
            "dividends/payouts.html",
            allocation=allocation,
            loss=max(-(allocation.surplus or 0), 0),
            rows=rows,
            remaining=[r for r in rows if r.method is None],
            methods=dividends.PAYOUT_METHODS,
            form=PayoutForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.get("/admin/dividends/allocations/<int:allocation_id>/payouts")
def list_payouts(allocation_id: int) -> tuple[str, int]:
    """The dividends to pay from an approved allocation, and how each was paid."""
    return _payouts_page(allocation_id)


@bp.post("/admin/dividends/allocations/<int:allocation_id>/lines/<int:line_id>/payout")
def record_payout(allocation_id: int, line_id: int) -> Response | tuple[str, int]:
    """Pay one member's dividend as cash, store credit or shares (once)."""
    form = PayoutForm()
    if not form.validate_on_submit():
        return _payouts_page(allocation_id, "Choose how to pay: cash, store credit or shares.", 422)
    try:
        payout = dividends.record_payout(
            line_id, form.method.data or "", actor(), allocation_id=allocation_id
        )
    except ServiceError as refused:
        db.session.rollback()
        return _payouts_page(allocation_id, refused.message, refused.status)
    flash(f"Paid {dividends.PAYOUT_METHODS[payout.method].lower()}.")
    return redirect(url_for("dividends.list_payouts", allocation_id=allocation_id))


@bp.post("/admin/dividends/allocations/<int:allocation_id>/payouts")
def pay_remaining(allocation_id: int) -> Response | tuple[str, int]:
    """Pay every remaining dividend of the allocation the same way."""
    form = PayoutForm()
    if not form.validate_on_submit():
        return _payouts_page(allocation_id, "Choose how to pay: cash, store credit or shares.", 422)
    try:
        count = dividends.pay_remaining(allocation_id, form.method.data or "", actor())
    except ServiceError as refused:
        db.session.rollback()
        return _payouts_page(allocation_id, refused.message, refused.status)
    flash(f"{count} dividend(s) paid: {dividends.PAYOUT_METHODS[form.method.data or 'cash'].lower()}.")
    return redirect(url_for("dividends.list_payouts", allocation_id=allocation_id))


@bp.get("/admin/dividends/allocations/<int:allocation_id>/statements/<int:member_id>.pdf")
def download_statement(allocation_id: int, member_id: int) -> Response:
    """Any member's statement for an approved allocation (admins)."""
    pdf, filename = dividends.statement_pdf(allocation_id, member_id)
    return _pdf(pdf, filename)


def _pdf(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


from bakery.dividends import opening_views  # noqa: E402, F401  (routes on this blueprint)
