"""The manager's dashboard: what a period sold, when, what, how it was paid, what was taken off,
given back or voided, how the drawers counted up, and how it compares with earlier periods.

Every figure is one SQL aggregate over the period's sales (`GROUP BY`), never a loop over rows.
Sales are the till's completed sales; a refund is a sale of kind "refund" with negative amounts,
so sums over both are net of refunds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from bakery.domain.money import round_half_up
from bakery.domain.report_period import Period
from bakery.extensions import db
from bakery.models import AuditEvent, Basket, BasketLine, Payment, Product, Sale, SaleLine, User, ZReport
from bakery.services.reports.common import (
    Scope,
    day_number,
    day_of,
    in_scope,
    json_int,
    json_text,
    local_day,
    local_hour,
    names_of,
)

#: How many products the top and the bottom lists name.
TOP_N = 5


@dataclass(frozen=True)
class Headline:
    """A period's sales at a glance (pence): sales and refunds, net, discounts, VAT, average basket."""

    sales: int = 0
    refunds_count: int = 0
    gross_sales: int = 0
    refunds: int = 0
    discounts: int = 0
    vat: int = 0
    items: int = 0

    @property
    def net_sales(self) -> int:
        """Sales less refunds (refunds are negative)."""
        return self.gross_sales + self.refunds

    @property
    def average_basket(self) -> int:
        """Rule: gross sales over the number of sales, rounded half up (0 with no sales)."""
        return round_half_up(self.gross_sales, self.sales) if self.sales else 0


@dataclass(frozen=True)
class Compared:
    """One earlier period beside this one: its name, its headline and the change in net sales."""

    name: str
    period: Period
    headline: Headline
    change: int
    change_pct: int | None


@dataclass(frozen=True)
class HourRow:
    """Sales in one local hour of the day over the period."""

    hour: int
    sales: int
    net: int

    @property
    def label(self) -> str:
        """The hour as 08:00."""
        return f"{self.hour:02d}:00"


@dataclass(frozen=True)
class DayRow:
    """Net sales and the number of sales on one business day."""

    day: object
    sales: int
    net: int


@dataclass(frozen=True)
class ProductRow:
    """A product's units and takings (net of refunds) over the period."""

    product_id: int
    name: str
    qty: int
    gross: int


@dataclass(frozen=True)
class SplitRow:
    """A share of the takings: eat-in or takeaway, a payment method, a kind of discount."""

    name: str
    count: int
    amount: int


@dataclass(frozen=True)
class ByWhomRow:
    """Refunds or voids by who rang them up, who authorised them and why."""

    staff: str
    authorised_by: str
    reason: str
    count: int
    amount: int


@dataclass(frozen=True)
class VarianceRow:
    """The cash-up variance of one business day's Z reports (counted less expected)."""

    day: object
    z_reports: int
    expected: int
    counted: int
    variance: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the manager's dashboard shows for one scope."""

    scope: Scope
    headline: Headline
    compared: list[Compared]
    by_hour: list[HourRow]
    by_day: list[DayRow]
    top: list[ProductRow]
    bottom: list[ProductRow]
    eat_in: list[SplitRow]
    methods: list[SplitRow]
    discounts: list[SplitRow]
    discounts_by_staff: list[SplitRow]
    discount_reasons: list[ReasonRow]
    refunds: list[ByWhomRow]
    voids: list[ByWhomRow]
    variances: list[VarianceRow]
    notes: list[str] = field(default_factory=list)


def headline(where: Scope) -> Headline:
    """A scope's sales, refunds, discounts, VAT and items, in two SQL aggregates."""
    return headlines(where, [where.period])[0]


def headlines(where: Scope, periods: list[Period]) -> list[Headline]:
    """The headline of each period (on the scope's till), from two SQL aggregates over their union.

    Rule: the union's sales are summed per local business day in SQL (a few hundred rows for two
    years), and each period adds up its own days, so overlapping periods (a week's previous period
    is also "1 week before") are each counted in full and the sales are read once.
    """
    spans = [where.with_period(p) for p in periods]
    bounds = (min(s.start for s in spans), max(s.end for s in spans))
    whole = and_(Sale.created_at >= bounds[0], Sale.created_at < bounds[1])
    if where.till_id is not None:
        whole = and_(whole, Sale.till_id == where.till_id)
    day = local_day(Sale.created_at, where, bounds).label("day")
    by_day: dict[int, list[int]] = {}
    for number, *figures in db.session.execute(
        select(
            day,
            func.count(case((Sale.kind == "sale", 1))),
            func.count(case((Sale.kind == "refund", 1))),
            func.coalesce(func.sum(case((Sale.kind == "sale", Sale.total), else_=0)), 0),
            func.coalesce(func.sum(case((Sale.kind == "refund", Sale.total), else_=0)), 0),
            func.coalesce(func.sum(Sale.discount_total), 0),
            func.coalesce(func.sum(Sale.vat_total), 0),
        )
        .where(whole)
        .group_by(day)
    ):
        by_day[int(number)] = [int(v) for v in figures] + [0]
    for number, items in db.session.execute(
        select(day, func.coalesce(func.sum(SaleLine.qty), 0))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(whole)
        .group_by(day)
    ):
        by_day.setdefault(int(number), [0] * 7)[6] = int(items)
    out = []
    for period in periods:
        first, last = day_number(period.start), day_number(period.end)
        sums = [0] * 7
        for number, figures in by_day.items():
            if first <= number <= last:
                sums = [a + b for a, b in zip(sums, figures, strict=True)]
        out.append(Headline(*sums[:6], items=sums[6]))
    return out


def _pct(change: int, base: int) -> int | None:
    return round_half_up(change * 100, base) if base else None


def compared(where: Scope) -> tuple[Headline, list[Compared]]:
    """This period's headline, and the previous period and the same weekdays of recent weeks beside it.

    Rule: each earlier period has the same length; all their headlines come from one pair of SQL
    scans (`headlines`).
    """
    earlier = [("Previous period", where.period.previous())]
    earlier += [
        (f"{k} week{'s' if k > 1 else ''} before", p) for k, p in enumerate(where.period.weeks_before(), 1)
    ]
    found = headlines(where, [where.period] + [p for _, p in earlier])
    this = found[0]
    out = []
    for (name, period), other in zip(earlier, found[1:], strict=True):
        change = this.net_sales - other.net_sales
        out.append(Compared(name, period, other, change, _pct(change, other.net_sales)))
    return this, out


def by_hour(where: Scope) -> list[HourRow]:
    """Sales and net takings in each local hour of the day, over the period (hours with none left out)."""
    hour = local_hour(Sale.created_at, where).label("hour")
    rows = db.session.execute(
        select(hour, func.count(case((Sale.kind == "sale", 1))), func.sum(Sale.total))
        .where(in_scope(Sale.created_at, where))
        .group_by(hour)
        .order_by(hour)
    )
    return [HourRow(int(h), int(n), int(t or 0)) for h, n, t in rows]


def by_day(where: Scope) -> list[DayRow]:
    """Sales and net takings on each business day of the period that traded."""
    day = local_day(Sale.created_at, where).label("day")
    rows = db.session.execute(
        select(day, func.count(case((Sale.kind == "sale", 1))), func.sum(Sale.total))
        .where(in_scope(Sale.created_at, where))
        .group_by(day)
        .order_by(day)
    )
    return [DayRow(day_of(d), int(n), int(t or 0)) for d, n, t in rows]


def products(where: Scope, *, best: bool, limit: int = TOP_N) -> list[ProductRow]:
    """The products that took the most (or, `best=False`, the least) over the period, net of refunds.

    Rule: ranked by takings, then units, then name; only products sold in the period are ranked.
    """
    gross = func.sum(SaleLine.gross).label("gross")
    qty = func.sum(SaleLine.qty).label("qty")
    order = (gross.desc(), qty.desc(), Product.name) if best else (gross.asc(), qty.asc(), Product.name)
    rows = db.session.execute(
        select(Product.id, Product.name, qty, gross)
        .join(SaleLine, SaleLine.product_id == Product.id)
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(in_scope(Sale.created_at, where))
        .group_by(Product.id, Product.name)
        .order_by(*order)
        .limit(limit)
    )
    return [ProductRow(int(i), str(n), int(q or 0), int(g or 0)) for i, n, q, g in rows]


def eat_in_split(where: Scope) -> list[SplitRow]:
    """Takings eaten in and taken away (by each line's own choice), units and money."""
    rows = db.session.execute(
        select(SaleLine.eat_in, func.sum(SaleLine.qty), func.sum(SaleLine.gross))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(in_scope(Sale.created_at, where))
        .group_by(SaleLine.eat_in)
    )
    found = {bool(e): (int(q or 0), int(g or 0)) for e, q, g in rows}
    return [
        SplitRow("Eat in", *found.get(True, (0, 0))),
        SplitRow("Takeaway", *found.get(False, (0, 0))),
    ]


def payment_methods(where: Scope) -> list[SplitRow]:
    """Money taken by each payment method (refunds paid back subtract), and how many payments."""
    rows = db.session.execute(
        select(Payment.method, func.count(Payment.id), func.sum(Payment.amount))
        .join(Sale, Sale.id == Payment.sale_id)
        .where(in_scope(Sale.created_at, where))
        .group_by(Payment.method)
        .order_by(Payment.method)
    )
    return [SplitRow(str(m).title(), int(n), int(a or 0)) for m, n, a in rows]


def discounts(where: Scope) -> tuple[list[SplitRow], list[SplitRow]]:
    """Discounts given: on lines and on whole orders (lines discounted, pence), and by who gave them.

    Rule: a refund gives its share of a discount back, so the figures are net of refunds.
    """
    kinds = db.session.execute(
        select(
            func.count(case((SaleLine.line_discount != 0, 1))),
            func.coalesce(func.sum(SaleLine.line_discount), 0),
            func.count(case((SaleLine.basket_discount_share != 0, 1))),
            func.coalesce(func.sum(SaleLine.basket_discount_share), 0),
        )
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(in_scope(Sale.created_at, where))
    ).one()
    staff = db.session.execute(
        select(User.display_name, func.count(Sale.id), func.sum(Sale.discount_total))
        .join(User, User.id == Sale.staff_id)
        .where(in_scope(Sale.created_at, where), Sale.discount_total != 0, Sale.kind == "sale")
        .group_by(User.id, User.display_name)
        .order_by(func.sum(Sale.discount_total).desc(), User.display_name)
    )
    return (
        [
            SplitRow("Line discounts", int(kinds[0]), int(kinds[1])),
            SplitRow("Order discounts", int(kinds[2]), int(kinds[3])),
        ],
        [SplitRow(str(n), int(c), int(a or 0)) for n, c, a in staff],
    )


@dataclass(frozen=True)
class ReasonRow:
    """A discount reason: orders discounted for it and their order discount, lines discounted for it."""

    reason: str
    orders: int
    order_amount: int
    lines: int


def discount_reasons(where: Scope) -> list[ReasonRow]:
    """Why discounts were given, from the baskets the sales were rung up in (two SQL aggregates).

    Rule: an order discount's amount is its share across the sale's lines; a line discount is
    counted by its line (a basket line keeps the reason typed, its sale line the pence).
    """
    orders = db.session.execute(
        select(
            Basket.discount_reason,
            func.count(func.distinct(Sale.id)),
            func.sum(SaleLine.basket_discount_share),
        )
        .join(Sale, Sale.id == Basket.sale_id)
        .join(SaleLine, SaleLine.sale_id == Sale.id)
        .where(in_scope(Sale.created_at, where), SaleLine.basket_discount_share != 0)
        .group_by(Basket.discount_reason)
    ).all()
    lines = db.session.execute(
        select(BasketLine.discount_reason, func.count(BasketLine.id))
        .join(Basket, Basket.id == BasketLine.basket_id)
        .join(Sale, Sale.id == Basket.sale_id)
        .where(
            in_scope(Sale.created_at, where),
            BasketLine.discount_reason.is_not(None),
            (BasketLine.line_discount != 0) | (BasketLine.line_discount_bp != 0),
        )
        .group_by(BasketLine.discount_reason)
    ).all()
    found: dict[str, list[int]] = {}
    for reason, n, amount in orders:
        found.setdefault(str(reason or "—"), [0, 0, 0])[0:2] = [int(n), int(amount or 0)]
    for reason, n in lines:
        found.setdefault(str(reason or "—"), [0, 0, 0])[2] = int(n)
    return [
        ReasonRow(r, o, a, n)
        for r, (o, a, n) in sorted(found.items(), key=lambda kv: (-kv[1][1], -kv[1][2], kv[0]))
    ]


def refunds(where: Scope) -> list[ByWhomRow]:
    """Refunds by who rang them up, which manager authorised them and the reason given."""
    staff, manager = aliased(User), aliased(User)
    rows = db.session.execute(
        select(
            staff.display_name,
            manager.display_name,
            Sale.reason,
            func.count(Sale.id),
            func.sum(Sale.total),
        )
        .join(staff, staff.id == Sale.staff_id)
        .outerjoin(manager, manager.id == Sale.authorised_by_id)
        .where(in_scope(Sale.created_at, where), Sale.kind == "refund")
        .group_by(staff.display_name, manager.display_name, Sale.reason)
        .order_by(func.sum(Sale.total), staff.display_name)
    )
    return [ByWhomRow(str(s), str(m or "—"), str(r or "—"), int(n), int(t or 0)) for s, m, r, n, t in rows]


def voids(where: Scope) -> list[ByWhomRow]:
    """Voided orders (never paid) by who voided them, who authorised it and why, from the audit log.

    Rule: an empty basket cleared is not a void; the amount is the order's total when voided.
    """
    reason = json_text(AuditEvent.details, "reason").label("reason")
    authoriser = json_int(AuditEvent.details, "authorised_by").label("authoriser")
    condition = and_(
        AuditEvent.action == "till.basket_voided",
        AuditEvent.at >= where.start,
        AuditEvent.at < where.end,
        or_(reason.is_(None), reason != "empty"),
    )
    if where.till_id is not None:
        condition = and_(condition, AuditEvent.till_id == where.till_id)
    rows = db.session.execute(
        select(
            AuditEvent.actor_id,
            authoriser,
            reason,
            func.count(AuditEvent.id),
            func.sum(json_int(AuditEvent.details, "total")),
        )
        .where(condition)
        .group_by(AuditEvent.actor_id, authoriser, reason)
    ).all()
    names = names_of({r[0] for r in rows} | {r[1] or None for r in rows})
    out = [
        ByWhomRow(names.get(a, "—"), names.get(m, "—") if m else "—", str(r or "—"), int(n), int(t or 0))
        for a, m, r, n, t in rows
    ]
    return sorted(out, key=lambda r: (-r.amount, r.staff, r.reason))


def variances(where: Scope) -> list[VarianceRow]:
    """Each business day's Z reports: expected and counted cash, and the variance (summed in SQL)."""
    day = local_day(ZReport.created_at, where).label("day")
    condition = and_(ZReport.created_at >= where.start, ZReport.created_at < where.end)
    if where.till_id is not None:
        condition = and_(condition, ZReport.till_id == where.till_id)
    rows = db.session.execute(
        select(
            day,
            func.count(ZReport.id),
            func.sum(ZReport.expected_cash),
            func.sum(ZReport.counted_cash),
            func.sum(ZReport.variance),
        )
        .where(condition)
        .group_by(day)
        .order_by(day)
    )
    return [VarianceRow(day_of(d), int(n), int(e or 0), int(c or 0), int(v or 0)) for d, n, e, c, v in rows]


def dashboard(where: Scope) -> Dashboard:
    """The manager's dashboard for a scope (a day, a week, any period; one till or all). Reads only."""
    discount_kinds, discount_staff = discounts(where)
    this, comparisons = compared(where)
    return Dashboard(
        scope=where,
        headline=this,
        compared=comparisons,
        by_hour=by_hour(where),
        by_day=by_day(where) if where.period.days > 1 else [],
        top=products(where, best=True),
        bottom=products(where, best=False),
        eat_in=eat_in_split(where),
        methods=payment_methods(where),
        discounts=discount_kinds,
        discounts_by_staff=discount_staff,
        discount_reasons=discount_reasons(where),
        refunds=refunds(where),
        voids=voids(where),
        variances=variances(where),
    )
