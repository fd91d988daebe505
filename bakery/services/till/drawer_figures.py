"""What a till's drawer should hold and what its sessions sold: the X report's figures, the Z report
as stored, and perpetual totals. Reads only; `cash` writes, `report_documents` prints these."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from bakery.domain.cash_count import DENOMINATIONS
from bakery.domain.chain import chain_tag
from bakery.domain.vat import VatBand, bands_of_lines
from bakery.extensions import db
from bakery.models import (
    CashMovement,
    CashSession,
    LedgerEntry,
    Payment,
    Sale,
    SaleLine,
    User,
    ZReport,
)
from bakery.services.errors import NotFound
from bakery.services.till.checkout import open_session_for


@dataclass(frozen=True)
class SessionTotals:
    """Running totals of a cash session (X report), all aggregated in SQL."""

    session: CashSession
    sales_count: int
    refunds_count: int
    gross_sales: int
    refunds: int
    discounts: int
    by_method: dict[str, int]
    bands: list[tuple[int, int, int, int]]  # rate_bp, gross, vat, net
    paid_in_out: int
    expected_cash: int
    movements: list[CashMovement] = field(default_factory=list)

    @property
    def net_sales(self) -> int:
        """Sales less refunds (refunds are negative)."""
        return self.gross_sales + self.refunds

    @property
    def opening_float(self) -> int:
        """The float counted into the drawer at opening."""
        return self.session.opening_float


@dataclass(frozen=True)
class GrandTotals:
    """The perpetual totals of a till: every Z report up to and including one, summed in SQL."""

    z_reports: int
    sales_count: int
    gross_sales: int
    refunds: int
    variance: int

    @property
    def net_sales(self) -> int:
        """Sales less refunds since the till's first Z report."""
        return self.gross_sales + self.refunds


@dataclass(frozen=True)
class CountedPiece:
    """One line of the count sheet kept with a Z report."""

    label: str
    value: int
    count: int
    amount: int


@dataclass(frozen=True)
class ZView:
    """A Z report as its page shows it: the stored figures, the chain tag and the grand totals."""

    report: ZReport
    session: CashSession
    closed_by: str
    sales_count: int
    refunds_count: int
    gross_sales: int
    refunds: int
    discounts: int
    by_method: dict[str, int]
    bands: list[VatBand]
    paid_in_out: int
    opening_float: int
    counted: list[CountedPiece]
    chain_tag: str
    perpetual: GrandTotals
    chain_seq: int = 0

    @property
    def net_sales(self) -> int:
        """Sales less refunds in the period."""
        return self.gross_sales + self.refunds


def totals(session: CashSession) -> SessionTotals:
    """Totals for a session: by payment method, by VAT band, refunds, discounts, expected cash."""
    sales = db.session.execute(
        select(
            func.count(case((Sale.kind == "sale", 1))),
            func.count(case((Sale.kind == "refund", 1))),
            func.coalesce(func.sum(case((Sale.kind == "sale", Sale.total), else_=0)), 0),
            func.coalesce(func.sum(case((Sale.kind == "refund", Sale.total), else_=0)), 0),
            func.coalesce(func.sum(Sale.discount_total), 0),
        ).where(Sale.cash_session_id == session.id)
    ).one()
    by_method: dict[str, int] = dict(
        db.session.execute(  # type: ignore[arg-type]
            select(Payment.method, func.sum(Payment.amount))
            .join(Sale, Sale.id == Payment.sale_id)
            .where(Sale.cash_session_id == session.id)
            .group_by(Payment.method)
        ).all()
    )
    band_rows = db.session.execute(
        select(SaleLine.rate_bp, func.sum(SaleLine.gross), func.sum(SaleLine.vat))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.cash_session_id == session.id)
        .group_by(SaleLine.rate_bp)
    ).all()
    # The receipts' own band VAT summed (each line keeps its share), not VAT worked out again on
    # the day's totals: the Z report's VAT is then exactly what the receipts printed.
    bands = [
        (b.rate_bp, b.gross, b.vat, b.net)
        for b in bands_of_lines([(int(r), int(g), int(v)) for r, g, v in band_rows])
    ]
    moved = db.session.scalar(
        select(func.coalesce(func.sum(CashMovement.amount), 0)).where(CashMovement.session_id == session.id)
    )
    movements = list(
        db.session.scalars(
            select(CashMovement).where(CashMovement.session_id == session.id).order_by(CashMovement.id)
        )
    )
    cash = int(by_method.get("cash", 0))
    return SessionTotals(
        session,
        int(sales[0]),
        int(sales[1]),
        int(sales[2]),
        int(sales[3]),
        int(sales[4]),
        {k: int(v) for k, v in sorted(by_method.items())},
        bands,
        int(moved or 0),
        session.opening_float + cash + int(moved or 0),
        movements,
    )


def current_totals(till_id: int) -> SessionTotals | None:
    """The X report of the till's open session, or None when the till is closed. Reads only."""
    session = open_session_for(till_id)
    return totals(session) if session is not None else None


def perpetual_totals(till_id: int, through_z_no: int) -> GrandTotals:
    """The till's grand totals over its Z reports numbered up to `through_z_no`.

    Rule: a Z report's perpetual totals are those of every closed session up to and including
    its own, so a reprint of an old Z shows the same figures it showed when it was made. Each Z
    report stores them when it is made (the previous Z's plus its own session's), so they are
    read from that one row; a Z stored without them is summed in SQL over the sessions.
    """
    if through_z_no < 1:
        return GrandTotals(0, 0, 0, 0, 0)
    stored = db.session.scalar(
        select(ZReport.totals_json).where(ZReport.till_id == till_id, ZReport.z_no == through_z_no)
    )
    return _stored_or_summed(json.loads(stored).get("perpetual") if stored else None, till_id, through_z_no)


def _summed_perpetual_totals(till_id: int, through_z_no: int) -> GrandTotals:
    zs = db.session.execute(
        select(func.count(ZReport.id), func.coalesce(func.sum(ZReport.variance), 0)).where(
            ZReport.till_id == till_id, ZReport.z_no <= through_z_no
        )
    ).one()
    sales = db.session.execute(
        select(
            func.count(case((Sale.kind == "sale", 1))),
            func.coalesce(func.sum(case((Sale.kind == "sale", Sale.total), else_=0)), 0),
            func.coalesce(func.sum(case((Sale.kind == "refund", Sale.total), else_=0)), 0),
        )
        .join(ZReport, ZReport.session_id == Sale.cash_session_id)
        .where(ZReport.till_id == till_id, ZReport.z_no <= through_z_no)
    ).one()
    return GrandTotals(int(zs[0]), int(sales[0]), int(sales[1]), int(sales[2]), int(zs[1]))


def _stored_or_summed(kept: dict[str, int] | None, till_id: int, z_no: int) -> GrandTotals:
    if kept:
        return GrandTotals(
            int(kept["z_reports"]),
            int(kept["sales"]),
            int(kept["gross_sales"]),
            int(kept["refunds"]),
            int(kept["variance"]),
        )
    return _summed_perpetual_totals(till_id, z_no)


def z_report(till_id: int, z_id: int) -> ZView:
    """A Z report of this till as its page shows it (another till's report is not found). Reads only."""
    report = db.session.get(ZReport, z_id)
    if report is None or report.till_id != till_id:
        raise NotFound("There is no such Z report on this till.")
    figures = json.loads(report.totals_json)
    session = db.session.get(CashSession, report.session_id)
    if session is None:  # pragma: no cover - a foreign key guarantees it
        raise NotFound("The cash session of this Z report is missing.")
    closer = db.session.get(User, report.closed_by_id)
    entry = db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.till_id == till_id, LedgerEntry.kind == "z", LedgerEntry.ref_id == report.id
        )
    )
    pieces = {int(value): int(n) for value, n in figures.get("denominations", [])}
    counted = [
        CountedPiece(d.label, d.value, pieces[d.value], d.value * pieces[d.value])
        for d in DENOMINATIONS
        if d.value in pieces
    ]
    return ZView(
        report=report,
        session=session,
        closed_by=closer.display_name if closer else "—",
        sales_count=int(figures.get("sales", 0)),
        refunds_count=int(figures.get("refunds_count", 0)),
        gross_sales=int(figures.get("gross_sales", 0)),
        refunds=int(figures.get("refunds", 0)),
        discounts=int(figures.get("discounts", 0)),
        by_method={k: int(v) for k, v in figures.get("by_method", {}).items()},
        bands=[VatBand(int(r), int(g), int(v), int(n)) for r, g, v, n in figures.get("bands", [])],
        paid_in_out=int(figures.get("paid_in_out", 0)),
        opening_float=int(figures.get("float", 0)),
        counted=counted,
        chain_tag=chain_tag(entry.hash) if entry else "—",
        perpetual=_stored_or_summed(figures.get("perpetual"), till_id, report.z_no),
        chain_seq=entry.seq if entry else 0,
    )
