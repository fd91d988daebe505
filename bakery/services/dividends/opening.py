"""Opening patronage: a co-op moving to this system mid-year brings its members' purchases and
hours so far from its old till or spreadsheet, as an audited CSV import into an open period.

- **Upload** checks the file (`bakery.domain.opening_import`) against the period and the register.
  A file that does not add up is refused, naming the row, and nothing is written. A file that adds
  up is *staged*: kept as uploaded, with its hash and totals, for the preview. Staged imports
  count for nothing.
- **Confirm** re-reads the staged file against today's register and period and makes it *active*
  with one conditional update (a second, double-sent confirm finds it active and imports nothing
  more); its rows are written then, and the import is told as a sentence in the audit log.
- **One active import per period**: a second import is refused unless the admin ticks that it
  replaces the first; the period's row is locked while this is decided. Only an open period takes
  an import (not one whose allocation is proposed or approved).
- **Counting**: an active import's rows count in patronage on their day, purchases (net of VAT)
  for classes measured by purchases and minutes for classes measured by hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select, update

from bakery.domain.opening_import import OpeningFile, OpeningFileRefused, parse_opening_csv
from bakery.extensions import db
from bakery.models import FinancialPeriod, Member, MemberClass, OpeningImport, OpeningPatronage, User
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.dividends.financial_periods import get_period
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, claimed, locked, race_safe


@dataclass(frozen=True)
class OpeningMember:
    """One member's totals in a staged file, with what their class counts."""

    number: str
    name: str
    class_name: str
    measure: str
    rows: int
    purchases: int
    minutes: int


@dataclass(frozen=True)
class OpeningPreview:
    """A staged import: what it holds, per member, and the active import it would replace."""

    staged: OpeningImport
    members: list[OpeningMember]
    active: OpeningImport | None
    active_by: str


def _register() -> dict[str, tuple[int, str, str, str]]:
    """Every member by number: id, name, class and its measure (one query)."""
    rows = db.session.execute(
        select(Member.number, Member.id, Member.name, MemberClass.name, MemberClass.measure).join(
            MemberClass, MemberClass.id == Member.class_id
        )
    )
    return {number: (int(ident), name, cls, measure) for number, ident, name, cls, measure in rows}


def _refuse_unless_open(period: FinancialPeriod) -> None:
    if period.status == "approved":
        raise ServiceError(
            f"{period.name} is closed: its allocation has been approved, so it takes no opening balances."
        )
    if period.status != "open":
        raise ServiceError(
            f"{period.name} has a proposed allocation: withdraw it before importing opening balances, "
            "so that the allocation counts them."
        )


def _read(
    period: FinancialPeriod, data: bytes, register: dict[str, tuple[int, str, str, str]]
) -> OpeningFile:
    try:
        return parse_opening_csv(
            data, starts_on=period.starts_on, ends_on=period.ends_on, known_members=register
        )
    except OpeningFileRefused as refused:
        raise ServiceError(str(refused)) from refused


def active_opening_import(period_id: int) -> OpeningImport | None:
    """The period's active opening import, if any."""
    return db.session.scalar(
        select(OpeningImport).where(OpeningImport.period_id == period_id, OpeningImport.status == "active")
    )


def staged_opening_import(period_id: int, user_id: int | None) -> OpeningImport | None:
    """The file this admin last checked for the period and has not confirmed yet, if any."""
    if user_id is None:
        return None
    return db.session.scalar(
        select(OpeningImport)
        .where(
            OpeningImport.period_id == period_id,
            OpeningImport.status == "staged",
            OpeningImport.uploaded_by_id == user_id,
        )
        .order_by(OpeningImport.id.desc())
        .limit(1)
    )


@race_safe(Mechanism.INDEPENDENT, guards="a staged file of its own, which counts for nothing until confirmed")
def stage_opening(
    period_id: int, data: bytes, filename: str, actor: Actor, now: datetime | None = None
) -> OpeningImport:
    """Check an uploaded file and stage it for its preview (one transaction).

    Rule: only an open period; a file that does not add up is refused naming its row, and nothing
    is written; the admin's earlier staged files for the period are dropped.
    """
    if actor.user_id is None:
        raise ServiceError("Sign in to import opening balances.")
    period = get_period(period_id)
    _refuse_unless_open(period)
    opened = _read(period, data, _register())
    db.session.execute(
        delete(OpeningImport).where(
            OpeningImport.period_id == period.id,
            OpeningImport.status == "staged",
            OpeningImport.uploaded_by_id == actor.user_id,
        )
    )
    staged = OpeningImport(
        period_id=period.id,
        status="staged",
        filename=" ".join((filename or "opening.csv").split())[:200] or "opening.csv",
        content=data,
        sha256=opened.sha256,
        row_count=len(opened.rows),
        member_count=len(opened.members),
        total_purchases=opened.total_purchases,
        total_minutes=opened.total_minutes,
        uploaded_by_id=actor.user_id,
        uploaded_at=now or utcnow(),
    )
    db.session.add(staged)
    db.session.commit()
    return staged


def opening_preview(import_id: int, period_id: int) -> OpeningPreview:
    """A staged (or already imported) file's per-member totals and the import it would replace."""
    staged = db.session.get(OpeningImport, import_id)
    if staged is None or staged.period_id != period_id:
        raise NotFound("There is no such opening import.")
    period = get_period(period_id)
    register = _register()
    opened = _read(period, staged.content, register)
    members = [
        OpeningMember(m.member_number, *register[m.member_number][1:], m.rows, m.purchases, m.minutes)
        for m in opened.members
    ]
    active = active_opening_import(period_id)
    active = None if active is not None and active.id == staged.id else active
    by = (
        db.session.scalar(select(User.display_name).where(User.id == active.imported_by_id)) if active else ""
    )
    return OpeningPreview(staged, members, active, by or "")


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.CONDITIONAL_UPDATE,
    guards="the period's row is locked while its active import is decided; staged→active once",
)
def confirm_opening(
    import_id: int, period_id: int, *, replace: bool, actor: Actor, now: datetime | None = None
) -> OpeningImport:
    """Import a staged file: write its rows, make it the period's active import, audit it.

    Rule: only an open period; the file must still add up against today's register; a period with
    an active import takes another only when `replace` is set (the earlier one is then replaced and
    no longer counts); a confirm sent twice imports once (the second finds it already active).
    """
    if actor.user_id is None:
        raise ServiceError("Sign in to import opening balances.")
    period = locked(FinancialPeriod, period_id)
    staged = db.session.get(OpeningImport, import_id)
    if period is None or staged is None or staged.period_id != period.id:
        raise NotFound("There is no such opening import.")
    if staged.status == "active":
        return staged  # a double-sent confirm: imported once already
    if staged.status != "staged":
        raise ServiceError("This file was replaced by a later import; upload it again to import it.")
    _refuse_unless_open(period)
    register = _register()
    opened = _read(period, staged.content, register)
    earlier = active_opening_import(period.id)
    if earlier is not None and not replace:
        raise ServiceError(
            f"{period.name} already has opening balances: import #{earlier.id} ({earlier.filename}, "
            f"{earlier.row_count} rows). Tick “Replace the earlier import” to replace it with this file."
        )
    at = now or utcnow()
    if earlier is not None and not claimed(
        update(OpeningImport)
        .where(OpeningImport.id == earlier.id, OpeningImport.status == "active")
        .values(status="replaced")
    ):
        db.session.rollback()
        raise ServiceError("The earlier import changed meanwhile; reload the page.")
    if not claimed(
        update(OpeningImport)
        .where(OpeningImport.id == staged.id, OpeningImport.status == "staged")
        .values(
            status="active",
            imported_by_id=actor.user_id,
            imported_at=at,
            replaces_id=earlier.id if earlier is not None else None,
        )
    ):
        db.session.rollback()
        found = db.session.get(OpeningImport, import_id)
        if found is not None and found.status == "active":
            return found
        raise ServiceError("This import changed meanwhile; reload the page.")
    db.session.execute(
        insert(OpeningPatronage),
        [
            {
                "import_id": staged.id,
                "member_id": register[r.member_number][0],
                "day": r.day,
                "purchases": r.purchases,
                "minutes": r.minutes,
                "source_row": r.row,
            }
            for r in opened.rows
        ],
    )
    audit.record(
        "opening.imported",
        actor,
        target=f"period:{period.id}",
        details={
            "rows": len(opened.rows),
            "members": len(opened.members),
            "purchases": opened.total_purchases,
            "hours": f"{opened.total_minutes // 60} h {opened.total_minutes % 60:02d} min",
            "file": staged.filename,
            "sha256": opened.sha256,
            "replaced": earlier.id if earlier is not None else None,
        },
        now=at,
    )
    db.session.commit()
    db.session.refresh(staged)
    return staged


def opening_by_member(start: date, end: date, *, member_id: int | None = None) -> dict[int, tuple[int, int]]:
    """Each member's opening purchases (pence, net of VAT) and minutes on days `start`..`end`,
    from the active imports (summed in SQL)."""
    query = (
        select(
            OpeningPatronage.member_id,
            func.sum(OpeningPatronage.purchases),
            func.sum(OpeningPatronage.minutes),
        )
        .join(OpeningImport, OpeningImport.id == OpeningPatronage.import_id)
        .where(OpeningImport.status == "active", OpeningPatronage.day >= start, OpeningPatronage.day <= end)
        .group_by(OpeningPatronage.member_id)
    )
    if member_id is not None:
        query = query.where(OpeningPatronage.member_id == member_id)
    return {int(m): (int(p or 0), int(n or 0)) for m, p, n in db.session.execute(query)}
