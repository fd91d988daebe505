"""Members: patronage to date by class (purchases net of VAT, approved hours), share capital by
class, and members who joined and left in the period. Every figure is an SQL aggregate per class."""

from __future__ import annotations

from sqlalchemy import and_, func, select

from bakery.domain.report_period import Period
from bakery.extensions import db
from bakery.models import Member, MemberClass, Sale, ShareTransaction, TimeEntry
from bakery.services.reports.common import Scope, epoch_seconds, in_scope
from bakery.services.reports.pdf import Section
from bakery.services.reports.shape import Money, Report


def worked_minutes() -> object:
    """Minutes worked in a time entry, as SQL: out - in - breaks, never below 0."""
    minutes = (
        epoch_seconds(TimeEntry.clock_out) - epoch_seconds(TimeEntry.clock_in)
    ) // 60 - TimeEntry.break_minutes
    return func.max(minutes, 0) if db.engine.dialect.name == "sqlite" else func.greatest(minutes, 0)


def _by_class(statement: object) -> dict[int, tuple[int, ...]]:
    return {int(row[0]): tuple(int(v or 0) for v in row[1:]) for row in db.session.execute(statement)}  # type: ignore[call-overload]


def members_report(where: Scope, fmt: Money) -> Report:
    """Patronage, share capital and joiners and leavers by member class. Reads only.

    Rule: purchases are sales attached to a member in the period, net of VAT, refunds subtracted;
    hours are approved time entries that began in the period; share capital is every share
    movement up to the period's last day; a member joined or left when the date is in the period.
    """
    classes = list(
        db.session.execute(
            select(MemberClass.id, MemberClass.name).order_by(MemberClass.sort_order, MemberClass.name)
        )
    )
    purchases = _by_class(
        select(
            Member.class_id, func.count(func.distinct(Sale.member_id)), func.sum(Sale.total - Sale.vat_total)
        )
        .join(Member, Member.id == Sale.member_id)
        .where(in_scope(Sale.created_at, where))
        .group_by(Member.class_id)
    )
    minutes = worked_minutes()
    hours = _by_class(
        select(Member.class_id, func.count(func.distinct(TimeEntry.member_id)), func.sum(minutes))  # type: ignore[arg-type]
        .join(Member, Member.id == TimeEntry.member_id)
        .where(
            TimeEntry.clock_in >= where.start,
            TimeEntry.clock_in < where.end,
            TimeEntry.approved_at.is_not(None),
            TimeEntry.clock_out.is_not(None),
        )
        .group_by(Member.class_id)
    )
    shares = _by_class(
        select(
            Member.class_id,
            func.count(func.distinct(ShareTransaction.member_id)),
            func.sum(ShareTransaction.amount),
        )
        .join(Member, Member.id == ShareTransaction.member_id)
        .where(ShareTransaction.at < where.end)
        .group_by(Member.class_id)
    )
    period: Period = where.period
    people = _by_class(
        select(
            Member.class_id,
            func.count(Member.id).filter(
                Member.joined_on <= period.end, (Member.left_on.is_(None)) | (Member.left_on > period.end)
            ),
            func.count(Member.id).filter(
                and_(Member.joined_on >= period.start, Member.joined_on <= period.end)
            ),
            func.count(Member.id).filter(and_(Member.left_on >= period.start, Member.left_on <= period.end)),
        ).group_by(Member.class_id)
    )

    def hours_text(m: int) -> str:
        return f"{m // 60}:{m % 60:02d}"

    rows_people, rows_patronage, rows_shares = [], [], []
    totals = [0] * 8
    for class_id, name in classes:
        active, joined, left = people.get(class_id, (0, 0, 0))
        buyers, net = purchases.get(class_id, (0, 0))
        workers, mins = hours.get(class_id, (0, 0))
        holders, capital = shares.get(class_id, (0, 0))
        rows_people.append((str(name), str(active), str(joined), str(left)))
        rows_patronage.append((str(name), str(buyers), fmt(net), str(workers), hours_text(mins)))
        rows_shares.append((str(name), str(holders), fmt(capital)))
        for i, v in enumerate((active, joined, left, net, mins, capital, buyers, holders)):
            totals[i] += v
    return Report(
        title="Members",
        subtitle=f"{period.label()}",
        headline=[
            ("Members at the end", str(totals[0])),
            ("Joined", str(totals[1])),
            ("Left", str(totals[2])),
            ("Share capital", fmt(totals[5])),
        ],
        sections=[
            Section(
                "Members by class",
                ("Class", "At the end", "Joined", "Left"),
                rows_people,
                footer=("All classes", str(totals[0]), str(totals[1]), str(totals[2])),
            ),
            Section(
                "Patronage in the period",
                ("Class", "Members buying", "Purchases (net of VAT)", "Members working", "Approved hours"),
                rows_patronage,
                footer=("All classes", str(totals[6]), fmt(totals[3]), "", hours_text(totals[4])),
            ),
            Section(
                "Share capital at the end",
                ("Class", "Members holding", "Share capital"),
                rows_shares,
                footer=("All classes", str(totals[7]), fmt(totals[5])),
            ),
        ],
        charts=[],
    )
