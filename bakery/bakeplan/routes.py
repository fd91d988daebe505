"""The bake plan (managers): tomorrow's suggestion, accepted as the day's production list and
printed in the kitchen; how good a past plan was; sell-through and waste per product per day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from bakery.bakeplan.forms import PlanForm, parse_day, parse_weeks, read_plan_form
from bakery.charts import bar_chart
from bakery.forms import parse_id
from bakery.htmx import hx, is_htmx
from bakery.security import actor
from bakery.services import stock
from bakery.services.errors import NotFound, ServiceError

bp = Blueprint("bakeplan", __name__, url_prefix="/office/bake-plan")


def _plan_context(day: date, weeks: int, form: PlanForm | None = None, **extra: Any) -> dict[str, Any]:
    plan = stock.accepted_plan(day)
    return {
        "day": day,
        "weeks": weeks,
        "rows": stock.suggestions(day, plan.weeks if plan else weeks),
        "plan": plan,
        "accepted": stock.accepted_lines(plan) if plan else [],
        "printers": stock.kitchen_printers() if plan else [],
        "form": form,
        **extra,
    }


def _plan(day: date, weeks: int, status: int = 200, **extra: Any) -> Response:
    """The plan as a page, or as the #bake-plan fragment htmx swaps in place."""
    template = "bakeplan/_plan.html" if is_htmx() else "bakeplan/plan.html"
    return hx(render_template(template, **_plan_context(day, weeks, **extra)), status)


@bp.get("/")
def show_plan() -> Response:
    """Tomorrow's suggested bake per product, to adjust and accept; once accepted, the plan."""
    weeks, error = parse_weeks(request.args.get("weeks"))
    return _plan(stock.tomorrow(), weeks, 422 if error else 200, error=error)


@bp.post("/accept")
def accept_plan() -> Response | BaseResponse:
    """Accept the plan as adjusted: it becomes the day's production list."""
    form = read_plan_form(request.form)
    day = form.day or stock.tomorrow()
    if form.error or form.errors or form.day is None:
        return _plan(
            day, form.weeks, 422, form=form, error=form.error or "Check the quantities marked below."
        )
    try:
        stock.accept_plan(form.day, form.quantities, key=form.key, actor=actor(), weeks=form.weeks)
    except stock.AlreadyPlanned as refused:
        return _plan(day, form.weeks, 409, error=refused.message)
    except ServiceError as refused:
        if isinstance(refused, NotFound):
            raise
        return _plan(day, form.weeks, 422, form=form, error=refused.message)
    if not is_htmx():
        flash(f"The plan for {day:%A %d %B} is accepted: it is the day's production list.")
        return redirect(url_for("bakeplan.show_plan"))
    return hx(
        render_template("bakeplan/_plan.html", **_plan_context(day, form.weeks, notice="Plan accepted.")),
        trigger="bake-plan-accepted",
    )


def _print_panel(day: date, status: int = 200, **extra: Any) -> Response:
    """The print panel htmx swaps in place (#print-panel), with a fresh form key for printing again."""
    body = render_template("bakeplan/_print_panel.html", day=day, printers=stock.kitchen_printers(), **extra)
    return hx(body, status, trigger="print-queued" if extra.get("notice") else None)


@bp.post("/print")
def print_production_list() -> Response | BaseResponse:
    """Queue the accepted plan's production list on a kitchen printer."""
    day = parse_day(request.form.get("day"))
    printer_id = parse_id(request.form.get("printer_id"))
    if day is None:
        abort(404)
    try:
        job = stock.print_production_list(
            day, printer_id if printer_id is not None else -1, key=request.form.get("key", ""), actor=actor()
        )
    except ServiceError as refused:
        if isinstance(refused, NotFound):
            raise
        if not is_htmx():
            flash(refused.message)
            return redirect(url_for("bakeplan.show_plan"))
        return _print_panel(day, 422, notice=None, error=refused.message)
    message = f"The production list is queued on {job.printer.name}."
    if not is_htmx():
        flash(message)
        return redirect(url_for("bakeplan.show_plan"))
    return _print_panel(day, notice=message, error=None)


@bp.get("/<day>/production-list")
def show_production_list(day: str) -> str:
    """The accepted plan's production list as a page (to read or print from a browser)."""
    when = parse_day(day)
    if when is None:
        abort(404)
    plan = stock.plan_or_404(when)
    return render_template(
        "bakeplan/production_list.html",
        day=when,
        plan=plan,
        lines=stock.production_list(plan),
        printers=stock.kitchen_printers(),
    )


@bp.get("/review")
def show_review() -> tuple[str, int]:
    """How good a day's plan was (yesterday's unless another day is asked for), and the waste
    the plans saved or cost over the recent weeks as a chart."""
    today = stock.tomorrow() - timedelta(days=1)
    asked = request.args.get("day")
    day = parse_day(asked) if asked else today - timedelta(days=1)
    weeks, error = parse_weeks(request.args.get("weeks"))
    if day is None:
        day, error = today - timedelta(days=1), "Choose a day as a date."
    saved = stock.waste_saved_by_day(day, weeks)
    chart = bar_chart(
        "Waste saved or cost at cost",
        [(f"{s.day:%d %b}", s.value) for s in saved],
        gains_and_losses=True,
        show_every=max(len(saved) // 12, 1),
    )
    return (
        render_template(
            "bakeplan/review.html",
            day=day,
            weeks=weeks,
            rows=stock.plan_review(day),
            plan=stock.accepted_plan(day),
            saved=saved,
            chart=chart,
            total_saved=sum(s.value for s in saved),
            error=error,
        ),
        422 if error else 200,
    )


@bp.get("/sell-through")
def show_sell_through() -> Response:
    """Sell-through and waste per product per day over a date range, in units and money."""
    today = stock.tomorrow() - timedelta(days=1)
    start_text, end_text = request.args.get("start"), request.args.get("end")
    start = parse_day(start_text) if start_text else today - timedelta(days=6)
    end = parse_day(end_text) if end_text else today
    error, result = None, None
    if start is None or end is None:
        error = "Choose the first and last day as dates."
    else:
        try:
            result = stock.sell_through(start, end)
        except ServiceError as refused:
            error = refused.message
    template = "bakeplan/_sell_through.html" if is_htmx() else "bakeplan/sell_through.html"
    return hx(
        render_template(
            template,
            result=result,
            start=start_text if start is None else start.isoformat(),
            end=end_text if end is None else end.isoformat(),
            error=error,
        ),
        422 if error else 200,
    )
