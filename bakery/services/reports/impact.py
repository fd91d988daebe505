"""Social impact, for funders and the general meeting: paid work by worker members, how long people
stayed, training and certificates, the share of workers from a supported-employment or resettlement
programme against the shop's threshold, and food donated to partner organisations.

Privacy: the programme flag lives in the safeguarding table. This report never reads a safeguarding
row: it asks the database only for a COUNT of flagged workers and a SUM of their minutes, in the
same statement as everyone else's, and never calls the safeguarding service (which audits reads of
a person's record). Every count of people goes through `bakery.domain.suppression` before it is
shown, so no cell describes fewer than five people and none can be recovered by subtraction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Date, and_, case, exists, func, literal, or_, select

from bakery.domain.suppression import FEWER, Group, Shown, follow, suppress
from bakery.extensions import db
from bakery.models import (
    Member,
    MemberClass,
    Partner,
    RotaPersonSkill,
    SafeguardingRecord,
    TimeEntry,
    WriteOff,
)
from bakery.services.reports.common import Scope
from bakery.services.reports.membership import worked_minutes
from bakery.services.reports.pdf import Section
from bakery.services.reports.shape import Money, Report, pct_bp
from bakery.services.settings import current_settings

#: Retention is measured this many days after a worker member joined (3, 6 and 12 months).
RETENTION_DAYS = ((3, 91), (6, 182), (12, 365))


def _in_programme() -> object:
    """SQL: the member of the time entry has a safeguarding record flagging a programme.

    Rule: used only inside COUNT and SUM; the record's columns are compared in the database and
    never selected.
    """
    return exists().where(
        SafeguardingRecord.member_id == Member.id,
        or_(SafeguardingRecord.justice_involvement.is_(True), SafeguardingRecord.programme_ref != ""),
    )


def _days_between(later: object, earlier: object) -> object:
    if db.engine.dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return later - earlier  # type: ignore[operator]


@dataclass(frozen=True)
class ImpactFigures:
    """The raw counts (before suppression) and the sums that follow them."""

    counts: dict[str, int]
    minutes: dict[str, int]
    certificates: int
    donations: list[tuple[str, int, int, int]]  # partner, donations, units, value at cost
    threshold_bp: int


def impact_figures(where: Scope) -> ImpactFigures:
    """Every figure of the impact report as SQL aggregates (counts, sums), before suppression."""
    minutes = worked_minutes()
    flagged = _in_programme()
    worker = and_(Member.class_id == MemberClass.id, MemberClass.measure == "hours")
    work = db.session.execute(
        select(
            func.count(func.distinct(TimeEntry.member_id)),
            func.count(func.distinct(case((flagged, TimeEntry.member_id)))),  # type: ignore[arg-type]
            func.coalesce(func.sum(minutes), 0),  # type: ignore[arg-type]
            func.coalesce(func.sum(case((flagged, minutes), else_=0)), 0),  # type: ignore[arg-type]
        )
        .select_from(TimeEntry)
        .join(Member, Member.id == TimeEntry.member_id)
        .join(MemberClass, worker)
        .where(
            TimeEntry.clock_in >= where.start,
            TimeEntry.clock_in < where.end,
            TimeEntry.clock_out.is_not(None),
            TimeEntry.approved_at.is_not(None),
        )
    ).one()
    workers, programme, all_minutes, programme_minutes = (int(v or 0) for v in work)
    counts = {"workers": workers, "programme": programme, "other": workers - programme}
    minutes_of = {
        "workers": all_minutes,
        "programme": programme_minutes,
        "other": all_minutes - programme_minutes,
    }
    end = where.period.end
    for months, days in RETENTION_DAYS:
        stayed = or_(Member.left_on.is_(None), _days_between(Member.left_on, Member.joined_on) >= days)  # type: ignore[arg-type]
        cohort, retained = db.session.execute(
            select(func.count(Member.id), func.count(case((stayed, Member.id))))
            .join(MemberClass, worker)
            .where(_days_between(literal(end, Date), Member.joined_on) >= days)  # type: ignore[arg-type]
        ).one()
        counts[f"cohort{months}"] = int(cohort)
        counts[f"stayed{months}"] = int(retained)
        counts[f"left{months}"] = int(cohort) - int(retained)
    trained, certificates = db.session.execute(
        select(func.count(func.distinct(RotaPersonSkill.user_id)), func.count(RotaPersonSkill.id))
        .join(Member, Member.user_id == RotaPersonSkill.user_id)
        .join(MemberClass, worker)
        .where(RotaPersonSkill.gained_on >= where.period.start, RotaPersonSkill.gained_on <= end)
    ).one()
    counts["trained"] = int(trained)
    donations = [
        (str(name or "No partner named"), int(n), int(q or 0), int(v or 0))
        for name, n, q, v in db.session.execute(
            select(Partner.name, func.count(WriteOff.id), func.sum(WriteOff.qty), func.sum(WriteOff.value))
            .outerjoin(Partner, Partner.id == WriteOff.partner_id)
            .where(WriteOff.kind == "donation", WriteOff.day >= where.period.start, WriteOff.day <= end)
            .group_by(Partner.name)
            .order_by(func.sum(WriteOff.value).desc())
        )
    ]
    return ImpactFigures(
        counts, minutes_of, int(certificates), donations, current_settings().impact_threshold_bp
    )


GROUPS = [
    Group("workers", ("programme", "other")),
    *(Group(f"cohort{m}", (f"stayed{m}", f"left{m}")) for m, _ in RETENTION_DAYS),
]


def _hours(minutes: int | None) -> str:
    return FEWER if minutes is None else f"{minutes // 60:,}"


def _share(part: Shown, whole: Shown, part_raw: int, whole_raw: int) -> str:
    """A share of people or hours, withheld when either count is."""
    if part.hidden or whole.hidden:
        return FEWER
    return pct_bp(part_raw, whole_raw)


def impact_report(where: Scope, fmt: Money) -> Report:
    """The social impact report for a period, every count of people suppressed and rounded. Reads only."""
    f = impact_figures(where)
    shown = suppress(f.counts, GROUPS)
    c = f.counts
    threshold = pct_bp(f.threshold_bp, 10_000)
    if shown["programme"].hidden or shown["workers"].hidden:
        against = f"Not shown: fewer than 5 people (threshold {threshold})."
    elif c["programme"] * 10_000 >= f.threshold_bp * c["workers"]:
        against = f"At or above the threshold of {threshold}."
    else:
        against = f"Below the threshold of {threshold}."
    worker_rows = [
        ("All worker members", str(shown["workers"]), _hours(follow(shown["workers"], f.minutes["workers"]))),
        (
            "From a programme",
            str(shown["programme"]),
            _hours(follow(shown["programme"], f.minutes["programme"])),
        ),
        ("Others", str(shown["other"]), _hours(follow(shown["other"], f.minutes["other"]))),
    ]
    share_rows = [
        ("Share of workers", _share(shown["programme"], shown["workers"], c["programme"], c["workers"])),
        (
            "Share of hours",
            _share(shown["programme"], shown["workers"], f.minutes["programme"], f.minutes["workers"]),
        ),
        ("Against the threshold", against),
    ]
    retention_rows = [
        (
            f"{months} months",
            str(shown[f"cohort{months}"]),
            str(shown[f"stayed{months}"]),
            _share(
                shown[f"stayed{months}"], shown[f"cohort{months}"], c[f"stayed{months}"], c[f"cohort{months}"]
            ),
        )
        for months, _ in RETENTION_DAYS
    ]
    trained = shown["trained"]
    training_rows = [
        ("People who gained a skill or certificate", str(trained)),
        ("Skills and certificates gained", FEWER if trained.hidden else str(f.certificates)),
    ]
    donation_rows = [(p, str(n), str(q), fmt(v)) for p, n, q, v in f.donations]
    shop = current_settings().shop_name
    return Report(
        title=f"Social impact · {shop}",
        subtitle=where.period.label(),
        headline=[
            ("Worker members who worked", str(shown["workers"])),
            ("Paid hours worked", _hours(follow(shown["workers"], f.minutes["workers"]))),
            ("From a programme", share_rows[0][1]),
            ("Food donated (at cost)", fmt(sum(d[3] for d in f.donations))),
        ],
        sections=[
            Section("Paid work by worker members", ("", "People", "Hours"), worker_rows),
            Section("Supported employment and resettlement", ("", "Figure"), share_rows),
            Section(
                "Retention",
                ("After", "Joined long enough ago", "Still members then", "Retained"),
                retention_rows,
                note="Worker members who joined at least 3, 6 or 12 months before the period's last day.",
            ),
            Section("Training and certificates", ("", "Figure"), training_rows),
            Section(
                "Donations to partner organisations",
                ("Partner", "Donations", "Units", "Value at cost"),
                donation_rows,
            ),
        ],
        note=(
            "Counts of people are rounded to the nearest 5; groups of 1 to 4 people show as "
            "\u201cfewer than 5\u201d, and a figure that would let one be worked out is hidden too."
        ),
    )
