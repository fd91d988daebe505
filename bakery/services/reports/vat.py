"""The VAT report: a period's sales by VAT rate band and by the reason for the rate, with gross, net
and VAT, reconciled to the Z reports that closed the period's cash sessions.

Each sale line keeps its rate, its share of its receipt's band VAT and why that rate applied
(`bakery.domain.vat.decide_vat`), so the report sums what the receipts printed; a Z report's bands
are the same sums over its session, and the reconciliation shows the two agree to the penny.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, select

from bakery.domain.vat import format_rate
from bakery.extensions import db
from bakery.models import Sale, SaleLine, ZReport
from bakery.services.reports.common import Scope, in_scope

#: The reasons a line took its rate, as the report names them.
HOT_FOOD = "Hot food"
EAT_IN = "Eat-in"
STANDARD = "Standard"


@dataclass(frozen=True)
class BandRow:
    """One VAT rate (basis points) or one reason at one rate: gross, VAT and net (pence)."""

    rate_bp: int
    gross: int
    vat: int
    reason: str = ""
    lines: int = 0

    @property
    def net(self) -> int:
        """Rule: net is gross less VAT."""
        return self.gross - self.vat

    @property
    def rate(self) -> str:
        """The rate as 20%."""
        return format_rate(self.rate_bp)


@dataclass(frozen=True)
class Reconciliation:
    """The Z reports made in the period, their bands as stored, and the sales of their sessions.

    `z_bands` are the Z reports' own figures; `session_bands` the sale lines of those sessions
    summed again; `outside` what this report counts that no Z report of the period holds (a till
    still open, or a session that began before the first day).
    """

    z_reports: int
    z_bands: list[BandRow]
    session_bands: list[BandRow]
    outside: list[BandRow]

    @property
    def agrees(self) -> bool:
        """Whether the stored Z figures equal their sessions' sale lines to the penny."""
        return [(b.rate_bp, b.gross, b.vat) for b in self.z_bands] == [
            (b.rate_bp, b.gross, b.vat) for b in self.session_bands
        ]


@dataclass(frozen=True)
class VatReport:
    """The VAT report of a scope: bands, reasons, totals and the reconciliation with Z reports."""

    scope: Scope
    bands: list[BandRow]
    reasons: list[BandRow]
    reconciliation: Reconciliation

    @property
    def total(self) -> BandRow:
        """Every band together."""
        return BandRow(
            0,
            sum(b.gross for b in self.bands),
            sum(b.vat for b in self.bands),
            "All rates",
            sum(b.lines for b in self.bands),
        )


def reason_of_line() -> object:
    """The reason a sale line took its rate, as SQL: eaten in, hot food taken away, or standard.

    Rule: as `decide_vat` chose it — a line eaten in takes the eat-in rate (hot or not); a hot
    line taken away takes the standard rate; any other line its category's takeaway rate.
    """
    return case(
        (SaleLine.eat_in.is_(True), literal(EAT_IN)),
        (SaleLine.vat_reason.like("%hot takeaway%"), literal(HOT_FOOD)),
        else_=literal(STANDARD),
    )


def _bands(condition: object) -> list[BandRow]:
    rows = db.session.execute(
        select(SaleLine.rate_bp, func.sum(SaleLine.gross), func.sum(SaleLine.vat), func.count(SaleLine.id))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(condition)  # type: ignore[arg-type]
        .group_by(SaleLine.rate_bp)
        .order_by(SaleLine.rate_bp)
    )
    return [BandRow(int(r), int(g or 0), int(v or 0), "", int(n)) for r, g, v, n in rows]


def bands(where: Scope) -> list[BandRow]:
    """The scope's sales by VAT rate: gross, VAT and net, refunds subtracted (one SQL aggregate)."""
    return _bands(in_scope(Sale.created_at, where))


def reasons(where: Scope) -> list[BandRow]:
    """The scope's sales by the reason for the rate and the rate (one SQL aggregate)."""
    reason = reason_of_line().label("reason")  # type: ignore[attr-defined]
    rows = db.session.execute(
        select(
            reason,
            SaleLine.rate_bp,
            func.sum(SaleLine.gross),
            func.sum(SaleLine.vat),
            func.count(SaleLine.id),
        )
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(in_scope(Sale.created_at, where))
        .group_by(reason, SaleLine.rate_bp)
        .order_by(reason, SaleLine.rate_bp)
    )
    return [BandRow(int(r), int(g or 0), int(v or 0), str(why), int(n)) for why, r, g, v, n in rows]


def reconciliation(where: Scope) -> Reconciliation:
    """The period's Z reports beside this report: their stored bands, their sessions' lines summed,
    and what the report counts outside them.

    Rule: a Z report belongs to the period when it was made in it (on the chosen till); its bands
    are read from the figures it stored when it was made (a few hundred small rows a year, read as
    columns, not as objects).
    """
    condition = and_(ZReport.created_at >= where.start, ZReport.created_at < where.end)
    if where.till_id is not None:
        condition = and_(condition, ZReport.till_id == where.till_id)
    stored: dict[int, list[int]] = {}
    count = 0
    for (figures,) in db.session.execute(select(ZReport.totals_json).where(condition)):
        count += 1
        for rate, gross, vat, _net in json.loads(figures).get("bands", []):
            kept = stored.setdefault(int(rate), [0, 0])
            kept[0] += int(gross)
            kept[1] += int(vat)
    z_bands = [BandRow(r, g, v) for r, (g, v) in sorted(stored.items()) if g or v]
    sessions = select(ZReport.session_id).where(condition).scalar_subquery()
    session_bands = [b for b in _bands(Sale.cash_session_id.in_(sessions)) if b.gross or b.vat]
    outside = [
        b
        for b in _bands(and_(in_scope(Sale.created_at, where), Sale.cash_session_id.not_in(sessions)))
        if b.gross or b.vat
    ]
    return Reconciliation(count, z_bands, session_bands, outside)


def bands_of_reasons(rows: list[BandRow]) -> list[BandRow]:
    """The rate bands from the reason rows (each is one reason at one rate): summed per rate."""
    totals: dict[int, list[int]] = {}
    for r in rows:
        t = totals.setdefault(r.rate_bp, [0, 0, 0])
        t[0] += r.gross
        t[1] += r.vat
        t[2] += r.lines
    return [BandRow(rate, g, v, "", n) for rate, (g, v, n) in sorted(totals.items())]


def vat_report(where: Scope) -> VatReport:
    """The VAT report for a scope: the reasons in one SQL aggregate, the bands their sums. Reads only."""
    by_reason = reasons(where)
    return VatReport(where, bands_of_reasons(by_reason), by_reason, reconciliation(where))
