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
    report_csv,
    report_pdf,
    vat_csv,
    vat_pdf,
    vat_sections,
)
from bakery.services.reports.impact import impact_report
from bakery.services.reports.labour import labour_report
from bakery.services.reports.lines import lines_csv, lines_filename
from bakery.services.reports.membership import members_report
from bakery.services.reports.mix import mix_report
from bakery.services.reports.sales import Dashboard, Headline, dashboard
from bakery.services.reports.shape import ChartSpec, Report
from bakery.services.reports.vat import VatReport, vat_report

__all__ = [
    "MAX_DAYS",
    "ChartSpec",
    "Dashboard",
    "Headline",
    "Period",
    "Report",
    "Scope",
    "VatReport",
    "dashboard",
    "dashboard_csv",
    "dashboard_pdf",
    "dashboard_sections",
    "filename",
    "impact_report",
    "labour_report",
    "lines_csv",
    "lines_filename",
    "members_report",
    "mix_report",
    "parse_period",
    "report_csv",
    "report_pdf",
    "scope",
    "till_choices",
    "today",
    "vat_csv",
    "vat_pdf",
    "vat_report",
    "vat_sections",
]
