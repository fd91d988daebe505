"""The dashboard and the VAT report as downloads: the same sections as CSV (numbers in pounds, for a
spreadsheet) and as an A4 PDF (amounts in the shop's currency), from one description of each."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

from bakery.domain.spreadsheet import pounds, safe_text
from bakery.formatting import money
from bakery.services.reports import pdf
from bakery.services.reports.pdf import Section
from bakery.services.reports.sales import Dashboard
from bakery.services.reports.shape import Report
from bakery.services.reports.vat import VatReport
from bakery.services.settings import current_settings

Money = Callable[[int], str]


def _pct(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def dashboard_sections(d: Dashboard, fmt: Money) -> list[Section]:
    """The dashboard's tables, amounts formatted by `fmt`."""
    h = d.headline
    return [
        Section(
            "Sales",
            ("Figure", "Value"),
            [
                ("Sales", str(h.sales)),
                ("Gross sales", fmt(h.gross_sales)),
                ("Refunds", fmt(h.refunds)),
                ("Net sales", fmt(h.net_sales)),
                ("Average basket", fmt(h.average_basket)),
                ("Items", str(h.items)),
                ("Discounts", fmt(h.discounts)),
                ("VAT", fmt(h.vat)),
            ],
        ),
        Section(
            "Compared with earlier periods",
            ("Period", "Days", "Sales", "Net sales", "Average basket", "Change", "Change %"),
            [
                (
                    c.name,
                    c.period.short_label(),
                    str(c.headline.sales),
                    fmt(c.headline.net_sales),
                    fmt(c.headline.average_basket),
                    fmt(c.change),
                    _pct(c.change_pct),
                )
                for c in d.compared
            ],
            numeric_from=2,
        ),
        Section(
            "Sales by hour",
            ("Hour", "Sales", "Net sales"),
            [(r.label, str(r.sales), fmt(r.net)) for r in d.by_hour],
        ),
        Section(
            "Sales by day",
            ("Day", "Sales", "Net sales"),
            [(f"{r.day:%a %d %b}", str(r.sales), fmt(r.net)) for r in d.by_day],  # type: ignore[str-format]
            optional=True,
        ),
        Section(
            "Top products",
            ("Product", "Units", "Takings"),
            [(p.name, str(p.qty), fmt(p.gross)) for p in d.top],
        ),
        Section(
            "Bottom products",
            ("Product", "Units", "Takings"),
            [(p.name, str(p.qty), fmt(p.gross)) for p in d.bottom],
        ),
        Section(
            "Eat in and takeaway",
            ("", "Units", "Takings"),
            [(r.name, str(r.count), fmt(r.amount)) for r in d.eat_in],
        ),
        Section(
            "Payment methods",
            ("Method", "Payments", "Amount"),
            [(r.name, str(r.count), fmt(r.amount)) for r in d.methods],
        ),
        Section(
            "Discounts",
            ("Kind", "Lines", "Amount"),
            [(r.name, str(r.count), fmt(r.amount)) for r in d.discounts],
        ),
        Section(
            "Discounts by who gave them",
            ("Staff", "Sales", "Amount"),
            [(r.name, str(r.count), fmt(r.amount)) for r in d.discounts_by_staff],
        ),
        Section(
            "Discount reasons",
            ("Reason", "Orders", "Order discounts", "Lines discounted"),
            [(r.reason, str(r.orders), fmt(r.order_amount), str(r.lines)) for r in d.discount_reasons],
        ),
        Section(
            "Refunds",
            ("Rung up by", "Authorised by", "Reason", "Refunds", "Amount"),
            [(r.staff, r.authorised_by, r.reason, str(r.count), fmt(r.amount)) for r in d.refunds],
            numeric_from=3,
        ),
        Section(
            "Voids",
            ("Voided by", "Authorised by", "Reason", "Orders", "Amount"),
            [(r.staff, r.authorised_by, r.reason, str(r.count), fmt(r.amount)) for r in d.voids],
            numeric_from=3,
        ),
        Section(
            "Cash-up variances",
            ("Day", "Z reports", "Expected", "Counted", "Variance"),
            [
                (f"{r.day:%a %d %b}", str(r.z_reports), fmt(r.expected), fmt(r.counted), fmt(r.variance))
                for r in d.variances
            ],  # type: ignore[str-format]
        ),
    ]


def vat_sections(v: VatReport, fmt: Money) -> list[Section]:
    """The VAT report's tables, amounts formatted by `fmt`."""
    total = v.total
    r = v.reconciliation
    return [
        Section(
            "By rate",
            ("Rate", "Gross", "VAT", "Net"),
            [(b.rate, fmt(b.gross), fmt(b.vat), fmt(b.net)) for b in v.bands],
            footer=("All rates", fmt(total.gross), fmt(total.vat), fmt(total.net)),
        ),
        Section(
            "By reason",
            ("Reason", "Rate", "Gross", "VAT", "Net"),
            [(b.reason, b.rate, fmt(b.gross), fmt(b.vat), fmt(b.net)) for b in v.reasons],
            numeric_from=1,
        ),
        Section(
            f"Z reports made in the period ({r.z_reports})",
            ("Rate", "Gross", "VAT", "Net"),
            [(b.rate, fmt(b.gross), fmt(b.vat), fmt(b.net)) for b in r.z_bands],
            note="As each Z report stored its figures when the till closed.",
        ),
        Section(
            "Counted here but on no Z report of the period",
            ("Rate", "Gross", "VAT", "Net"),
            [(b.rate, fmt(b.gross), fmt(b.vat), fmt(b.net)) for b in r.outside],
            note="A till still open, or a session that began before the first day.",
        ),
    ]


def to_csv(sections: Sequence[Section]) -> str:
    """Sections one after another as CSV: the heading, the column names, the rows, a blank line.

    Rule: every text cell is made spreadsheet-safe (amounts are written by us as plain numbers).
    """
    out = io.StringIO()
    writer = csv.writer(out)
    for section in sections:
        writer.writerow([safe_text(section.heading)])
        writer.writerow([safe_text(c) for c in section.header])
        for row in section.rows:
            writer.writerow([cell if _is_number(cell) else safe_text(cell) for cell in row])
        if section.footer:
            writer.writerow([cell if _is_number(cell) else safe_text(cell) for cell in section.footer])
        writer.writerow([])
    return out.getvalue()


def _is_number(cell: str) -> bool:
    body = cell[1:] if cell.startswith("-") else cell
    return body.replace(".", "", 1).isdigit()


def dashboard_csv(d: Dashboard) -> str:
    """The dashboard as CSV (amounts in pounds)."""
    return to_csv(dashboard_sections(d, pounds))


def dashboard_pdf(d: Dashboard) -> bytes:
    """The dashboard as an A4 PDF."""
    shop = current_settings().shop_name
    return pdf.render(f"Sales dashboard · {shop}", d.scope.label, dashboard_sections(d, money))


def vat_csv(v: VatReport) -> str:
    """The VAT report as CSV (amounts in pounds)."""
    return to_csv(vat_sections(v, pounds))


def vat_pdf(v: VatReport) -> bytes:
    """The VAT report as an A4 PDF, fit to hand to the treasurer."""
    s = current_settings()
    vat_no = f" · VAT number {s.vat_number}" if s.vat_number else ""
    return pdf.render(f"VAT report · {s.shop_name}", f"{v.scope.label}{vat_no}", vat_sections(v, money))


def filename(kind: str, v: Dashboard | VatReport, ext: str) -> str:
    """A file name naming the report and its period: vat-2026-01-01-to-2026-03-31.pdf."""
    p = v.scope.period
    return f"{kind}-{p.start.isoformat()}-to-{p.end.isoformat()}.{ext}"


def report_csv(report: Report) -> str:
    """A simple report as CSV: its headline figures, then its sections."""
    head = Section("Summary", ("Figure", "Value"), report.headline)
    return to_csv([head, *report.sections])


def report_pdf(report: Report, *, one_page: bool = False) -> bytes:
    """A simple report as an A4 PDF (`one_page`: compact type, for the funders' page)."""
    head = Section("Summary", ("Figure", "Value"), report.headline, note=report.note)
    return pdf.render(report.title, report.subtitle, [head, *report.sections], compact=one_page)
