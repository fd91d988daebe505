"""Reports (managers; VAT and the accountant's sales lines for admins): each page reads its filters,
asks the reports service for one set of figures, and renders it as a page, CSV or PDF."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context

from bakery.charts import bar_chart
from bakery.domain.spreadsheet import pounds
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


#: The simple reports: what builds each, its page title and the file name it downloads as.
SIMPLE = {
    "mix": (reports.mix_report, "product-mix"),
    "members": (reports.members_report, "members"),
    "impact": (reports.impact_report, "social-impact"),
    "labour": (reports.labour_report, "labour"),
}


def _simple_default(kind: str) -> reports.Period:
    today = reports.today()
    if kind in ("members", "impact"):
        return reports.Period(today.replace(month=1, day=1), today)
    return reports.Period(today - timedelta(days=6), today)


def _simple(kind: str, form: str) -> Response:
    """A simple report as a page (or its #report fragment), CSV or PDF."""
    filters = read_filters(request.args, _simple_default(kind))
    build, stem = SIMPLE[kind]
    endpoint = f"reports.show_{kind}"
    if filters.scope is None:
        template = "reports/_report.html" if is_htmx() else "reports/report.html"
        body = render_template(
            template,
            filters=filters,
            presets=presets(),
            tills=reports.till_choices(),
            report=None,
            endpoint=endpoint,
            kind=kind,
            title=TITLES[kind],
        )
        return hx(body, 422)
    where = filters.scope
    name = f"{stem}-{where.period.start.isoformat()}-to-{where.period.end.isoformat()}"
    if form == "csv":
        return _download(reports.report_csv(build(where, pounds)), "text/csv", f"{name}.csv")
    report = build(where, money)
    if form == "pdf":
        return _download(
            reports.report_pdf(report, one_page=kind == "impact"), "application/pdf", f"{name}.pdf"
        )
    charts = {
        c.section: bar_chart(
            c.title, c.points, show_every=max(len(c.points) // 12, 1), value_format=money if c.money else str
        )
        for c in report.charts
        if c.points
    }
    template = "reports/_report.html" if is_htmx() else "reports/report.html"
    return hx(
        render_template(
            template,
            filters=filters,
            presets=presets(),
            tills=reports.till_choices(),
            report=report,
            sections=report.sections,
            charts=charts,
            endpoint=endpoint,
            kind=kind,
            title=TITLES[kind],
        )
    )


TITLES = {
    "mix": "Product mix and margin",
    "members": "Members",
    "impact": "Social impact",
    "labour": "Labour against sales",
}


@bp.get("/mix")
def show_mix() -> Response:
    """Product mix and margin: units, takings, share, cost and margin per product and category."""
    return _simple("mix", "page")


@bp.get("/mix.csv")
def download_mix_csv() -> Response:
    """Product mix and margin as CSV."""
    return _simple("mix", "csv")


@bp.get("/mix.pdf")
def download_mix_pdf() -> Response:
    """Product mix and margin as a PDF."""
    return _simple("mix", "pdf")


@bp.get("/members")
def show_members() -> Response:
    """Members: patronage to date, share capital, joiners and leavers by class."""
    return _simple("members", "page")


@bp.get("/members.csv")
def download_members_csv() -> Response:
    """The members report as CSV."""
    return _simple("members", "csv")


@bp.get("/members.pdf")
def download_members_pdf() -> Response:
    """The members report as a PDF."""
    return _simple("members", "pdf")


@bp.get("/impact")
def show_impact() -> Response:
    """Social impact for funders: work, retention, training, programme share, donations."""
    return _simple("impact", "page")


@bp.get("/impact.csv")
def download_impact_csv() -> Response:
    """The social impact report as CSV (suppressed as on the page)."""
    return _simple("impact", "csv")


@bp.get("/impact.pdf")
def download_impact_pdf() -> Response:
    """The social impact report as a one-page PDF for funders."""
    return _simple("impact", "pdf")


@bp.get("/labour")
def show_labour() -> Response:
    """Labour hours and cost against sales, waste and donations, by day."""
    return _simple("labour", "page")


@bp.get("/labour.csv")
def download_labour_csv() -> Response:
    """Labour against sales as CSV."""
    return _simple("labour", "csv")


@bp.get("/labour.pdf")
def download_labour_pdf() -> Response:
    """Labour against sales as a PDF."""
    return _simple("labour", "pdf")
