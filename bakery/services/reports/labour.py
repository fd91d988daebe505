"""Labour against sales: per business day, net sales, hours worked and their cost (from each
person's hourly rate on the rota), labour as a share of sales, and waste and donations at cost.
Each column is one SQL aggregate grouped by day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select

from bakery.extensions import db
from bakery.models import RotaProfile, Sale, TimeEntry, WriteOff
from bakery.services import stock
from bakery.services.reports.common import Scope, day_of, in_scope, local_day
from bakery.services.reports.membership import worked_minutes
from bakery.services.reports.pdf import Section
from bakery.services.reports.shape import ChartSpec, Money, Report, pct_bp


def labour_report(where: Scope, fmt: Money) -> Report:
    """Labour hours and cost against sales, waste and donations, by day. Reads only.

    Rule: hours are clocked-out time entries that began on the day (approved or not: this is the
    cost of the day, not patronage); cost is minutes times the person's hourly rate over 60, rounded to
    the penny per day, and hours of people with no rate are counted as "not costed".
    """
    sale_day = local_day(Sale.created_at, where).label("day")
    sales = {
        day_of(d): int(t or 0)
        for d, t in db.session.execute(
            select(sale_day, func.sum(Sale.total - Sale.vat_total))
            .where(in_scope(Sale.created_at, where))
            .group_by(sale_day)
        )
    }
    entry_day = local_day(TimeEntry.clock_in, where).label("day")
    minutes = worked_minutes()
    labour_rows = db.session.execute(
        select(
            entry_day,
            func.sum(minutes),  # type: ignore[arg-type]
            func.sum(minutes * RotaProfile.hourly_rate_pence),  # type: ignore[operator]
            func.sum(case((RotaProfile.hourly_rate_pence.is_(None), minutes), else_=0)),  # type: ignore[arg-type]
        )
        .outerjoin(RotaProfile, RotaProfile.user_id == TimeEntry.user_id)
        .where(
            TimeEntry.clock_in >= where.start,
            TimeEntry.clock_in < where.end,
            TimeEntry.clock_out.is_not(None),
        )
        .group_by(entry_day)
    )
    labour = {day_of(d): (int(m or 0), (int(c or 0) + 30) // 60, int(u or 0)) for d, m, c, u in labour_rows}
    written = {
        (d, k): int(v or 0)
        for d, k, v in db.session.execute(
            select(WriteOff.day, WriteOff.kind, func.sum(WriteOff.value))
            .where(WriteOff.day >= where.period.start, WriteOff.day <= where.period.end)
            .group_by(WriteOff.day, WriteOff.kind)
        )
    }
    days: list[date] = sorted(set(sales) | set(labour) | {d for d, _ in written})
    rows = []
    totals = [0, 0, 0, 0, 0, 0]
    for day in days:
        net = sales.get(day, 0)
        mins, cost, uncosted = labour.get(day, (0, 0, 0))
        waste, donated = written.get((day, "waste"), 0), written.get((day, "donation"), 0)
        rows.append(
            (
                f"{day:%a %d %b}",
                fmt(net),
                f"{mins // 60}:{mins % 60:02d}",
                fmt(cost),
                pct_bp(cost, net),
                f"{uncosted // 60}:{uncosted % 60:02d}",
                fmt(waste),
                fmt(donated),
            )
        )
        for i, v in enumerate((net, mins, cost, uncosted, waste, donated)):
            totals[i] += v
    net, mins, cost, uncosted, waste, donated = totals
    return Report(
        title="Labour, waste and donations against sales",
        subtitle=where.label,
        headline=[
            ("Net sales", fmt(net)),
            ("Hours worked", f"{mins // 60:,}"),
            ("Labour cost", fmt(cost)),
            ("Labour % of sales", pct_bp(cost, net)),
            ("Waste at cost", fmt(waste)),
            ("Donated at cost", fmt(donated)),
        ],
        sections=[
            Section(
                "By day",
                (
                    "Day",
                    "Net sales",
                    "Hours",
                    "Labour cost",
                    "Labour %",
                    "Hours not costed",
                    "Waste",
                    "Donated",
                ),
                rows,
                footer=(
                    "All days",
                    fmt(net),
                    f"{mins // 60}:{mins % 60:02d}",
                    fmt(cost),
                    pct_bp(cost, net),
                    f"{uncosted // 60}:{uncosted % 60:02d}",
                    fmt(waste),
                    fmt(donated),
                ),
            )
        ],
        charts=[
            ChartSpec(
                "By day", "Labour cost by day", [(f"{d:%d %b}", labour.get(d, (0, 0, 0))[1]) for d in days]
            )
        ],
        note="Sales are net of VAT; labour cost uses each person's hourly rate from the rota.",
    )


def sell_through_section(where: Scope, fmt: Money) -> Section:
    """Sell-through of the period's baked products, from the stock area's day figures (all tills).

    Rule: baked units against units sold, wasted and donated; the stock area answers at most
    `stock.MAX_RANGE_DAYS` days at once, so a longer period says so instead.
    """
    head = ("Product", "Baked", "Sold", "Sell-through", "Wasted", "Donated", "Waste at cost")
    start, end = where.period.start, where.period.end
    if where.period.days > stock.MAX_RANGE_DAYS:
        return Section(
            "Sell-through of baked products",
            head,
            [],
            note=f"Sell-through is shown for periods of at most {stock.MAX_RANGE_DAYS} days.",
        )
    result = stock.sell_through(start, end)
    rows = [
        (
            t.name,
            str(t.figures.baked),
            str(t.figures.sold),
            "—" if t.sell_through_pct is None else f"{t.sell_through_pct}%",
            str(t.figures.wasted),
            str(t.figures.donated),
            fmt(t.figures.wasted_value),
        )
        for t in result.totals
        if t.figures.baked
    ]
    return Section("Sell-through of baked products", head, rows)
