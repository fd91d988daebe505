"""Reports (managers; VAT and the accountant's sales lines for admins): each page reads its filters,
asks the reports service for one set of figures, and renders it as a page, CSV or PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context

from bakery.charts import bar_chart
from bakery.formatting import money
from bakery.htmx import hx, is_htmx
from bakery.reports.filters import Filters, presets, read_filters
from bakery.services import reports

bp = Blueprint("reports", __name__, url_prefix="/office/reports")


def _refused(filters: Filters, page: str) -> Response:
    """The report's page with the filters as typed and what is wrong with them (422)."""
    template = f"reports/_{page}.html" if is_htmx() else f"reports/{page}.html"
    return hx(
        render_template(
            template, filters=filters, presets=presets(), tills=reports.till_choices(), report=None
        ),
        422,
    )


def _download(body: Any, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _dashboard_charts(d: reports.Dashboard) -> dict[str, Any]:
    """The dashboard's charts, by the heading of the section whose numbers they draw."""
    days = d.by_day
    return {
        "Sales by hour": bar_chart("Net sales by hour", [(r.label, r.net) for r in d.by_hour])
        if d.by_hour
        else None,
        "Sales by day": bar_chart(
            "Net sales by day",
            [(f"{r.day:%d %b}", r.net) for r in days],  # type: ignore[str-format]
            show_every=max(len(days) // 12, 1),
        )
        if days
        else None,
        "Cash-up variances": bar_chart(
            "Cash-up variance by day",
            [(f"{r.day:%d %b}", r.variance) for r in d.variances],  # type: ignore[str-format]
            show_every=max(len(d.variances) // 12, 1),
            height=200,
        )
        if d.variances
        else None,
    }


@bp.get("/")
def show_dashboard() -> Response:
    """The manager's dashboard for today, or the period and till the filters name."""
    filters = read_filters(request.args)
    if filters.scope is None:
        return _refused(filters, "dashboard")
    report = reports.dashboard(filters.scope)
    template = "reports/_dashboard.html" if is_htmx() else "reports/dashboard.html"
    body = render_template(
        template,
        filters=filters,
        presets=presets(),
        tills=reports.till_choices(),
        report=report,
        sections=reports.dashboard_sections(report, money),
        charts=_dashboard_charts(report),
    )
    return hx(body)


def _file(page: str, make: Callable[[reports.Scope], tuple[Any, str, str]]) -> Response:
    filters = read_filters(request.args)
    if filters.scope is None:
        return _refused(filters, page)
    body, mimetype, name = make(filters.scope)
    return _download(body, mimetype, name)


@bp.get("/dashboard.csv")
def download_dashboard_csv() -> Response:
    """The dashboard's tables as CSV."""

    def make(where: reports.Scope) -> tuple[Any, str, str]:
        d = reports.dashboard(where)
        return reports.dashboard_csv(d), "text/csv", reports.filename("dashboard", d, "csv")

    return _file("dashboard", make)


@bp.get("/dashboard.pdf")
def download_dashboard_pdf() -> Response:
    """The dashboard's tables as an A4 PDF."""

    def make(where: reports.Scope) -> tuple[Any, str, str]:
        d = reports.dashboard(where)
        return reports.dashboard_pdf(d), "application/pdf", reports.filename("dashboard", d, "pdf")

    return _file("dashboard", make)


@bp.get("/vat")
def show_vat() -> Response:
    """The VAT report for a period (this month so far unless the filters name another)."""
    today = reports.today()
    filters = read_filters(request.args, reports.Period(today.replace(day=1), today))
    if filters.scope is None:
        return _refused(filters, "vat")
    report = reports.vat_report(filters.scope)
    template = "reports/_vat.html" if is_htmx() else "reports/vat.html"
    charts = (
        {"By rate": bar_chart("VAT by rate", [(b.rate, b.vat) for b in report.bands])} if report.bands else {}
    )
    return hx(
        render_template(
            template,
            filters=filters,
            presets=presets(),
            tills=reports.till_choices(),
            report=report,
            sections=reports.vat_sections(report, money),
            charts=charts,
        )
    )


def _vat_scope_default() -> reports.Period:
    today = reports.today()
    return reports.Period(today.replace(day=1), today)


@bp.get("/vat.csv")
def download_vat_csv() -> Response:
    """The VAT report as CSV."""
    filters = read_filters(request.args, _vat_scope_default())
    if filters.scope is None:
        return _refused(filters, "vat")
    v = reports.vat_report(filters.scope)
    return _download(reports.vat_csv(v), "text/csv", reports.filename("vat", v, "csv"))


@bp.get("/vat.pdf")
def download_vat_pdf() -> Response:
    """The VAT report as an A4 PDF for the treasurer."""
    filters = read_filters(request.args, _vat_scope_default())
    if filters.scope is None:
        return _refused(filters, "vat")
    v = reports.vat_report(filters.scope)
    return _download(reports.vat_pdf(v), "application/pdf", reports.filename("vat", v, "pdf"))


@bp.get("/sales-lines.csv")
def download_sales_lines() -> Response:
    """Every sale line of the period as CSV for the accountant, streamed as it is read."""
    filters = read_filters(request.args, _vat_scope_default())
    if filters.scope is None:
        return _refused(filters, "vat")
    where = filters.scope
    return _download(stream_with_context(reports.lines_csv(where)), "text/csv", reports.lines_filename(where))
