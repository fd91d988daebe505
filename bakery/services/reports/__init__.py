"""Reports (read-only aggregates): the manager's dashboard, the VAT report, the accountant's sales
lines, product mix and margin, members, social impact, and labour against sales.

Every figure is summed in SQL over the rows of a scope (business days in the shop's timezone, one
till or all); nothing here writes.
"""

from bakery.domain.report_period import MAX_DAYS, Period, parse_period
from bakery.services.reports.common import Scope, scope, till_choices, today
from bakery.services.reports.documents import (
    dashboard_csv,
    dashboard_pdf,
    dashboard_sections,
    filename,
    vat_csv,
    vat_pdf,
    vat_sections,
)
from bakery.services.reports.lines import lines_csv, lines_filename
from bakery.services.reports.sales import Dashboard, Headline, dashboard
from bakery.services.reports.vat import VatReport, vat_report

__all__ = [
    "MAX_DAYS",
    "Dashboard",
    "Headline",
    "Period",
    "Scope",
    "VatReport",
    "dashboard",
    "dashboard_csv",
    "dashboard_pdf",
    "dashboard_sections",
    "filename",
    "lines_csv",
    "lines_filename",
    "parse_period",
    "scope",
    "till_choices",
    "today",
    "vat_csv",
    "vat_pdf",
    "vat_report",
    "vat_sections",
]
