"""Paying an approved allocation out: per member as cash, store credit or shares, each paid once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bakery.domain.money import Pence, format_plain
from bakery.extensions import db
from bakery.models import (
    Allocation,
    AllocationLine,
    Member,
    Payout,
    StoreCredit,
)
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.dividends.common import (
    PAYOUT_METHODS,
)
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, locked, race_safe


@dataclass(frozen=True)
class PayoutRow:
    """A line owed a payout, and its payout once recorded."""

    line_id: int
    member_id: int
    number: str
    name: str
    paid: Pence
    method: str | None
    at: datetime | None


def payout_rows(allocation_id: int) -> list[PayoutRow]:
    """The allocation's lines with something to pay, by membership number, with their payouts."""
    query = (
        select(
            AllocationLine.id,
            Member.id,
            Member.number,
            Member.name,
            AllocationLine.paid,
            Payout.method,
            Payout.at,
        )
        .join(Member, Member.id == AllocationLine.member_id)
        .outerjoin(Payout, Payout.line_id == AllocationLine.id)
        .where(AllocationLine.allocation_id == allocation_id, AllocationLine.paid > 0)
        .order_by(Member.number)
    )
    return [PayoutRow(*row) for row in db.session.execute(query)]


def _approved_allocation_of(line: AllocationLine) -> Allocation:
    allocation = line.allocation
    if allocation.status != "approved":
        raise ServiceError("Dividends are paid only from an approved allocation.")
    return allocation


def _check_method(method: str) -> None:
    if method not in PAYOUT_METHODS:
        raise ServiceError("Choose how to pay: cash, store credit or shares.")


def _pay(line: AllocationLine, period_name: str, method: str, actor: Actor, at: datetime) -> Payout:
    if actor.user_id is None:
        raise ServiceError("Sign in to record a payout.")
    if method == "credit":
        db.session.add(
            StoreCredit(
                member_id=line.member_id, amount=line.paid, reason="dividend", by_id=actor.user_id, at=at
            )
        )
    elif method == "shares":
        from bakery.services.members import shares  # the members area owns the share capital ledger

        shares.record_share_movement(
            line.member_id, "dividend", line.paid, f"Dividend {period_name}", actor, now=at
        )
    payout = Payout(
        line_id=line.id, member_id=line.member_id, method=method, amount=line.paid, by_id=actor.user_id, at=at
    )
    db.session.add(payout)
    return payout


def _existing_payout(line_id: int) -> Payout | None:
    return db.session.scalar(select(Payout).where(Payout.line_id == line_id))


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="a dividend is paid once (allocation row locked, then a unique payout per line)",
)
def record_payout(
    line_id: int,
    method: str,
    actor: Actor,
    now: datetime | None = None,
    *,
    allocation_id: int | None = None,
) -> Payout:
    """Pay one member's dividend as cash, store credit or shares (audited; one transaction).

    Rule: only lines of an approved allocation with something paid; each line is paid once. The
    allocation's row is locked before its payouts are read, so two admins paying at once queue
    and the second is told it was paid (a unique key on the line backs it up).
    """
    _check_method(method)
    line = db.session.get(AllocationLine, line_id)
    if line is None or (allocation_id is not None and line.allocation_id != allocation_id):
        raise NotFound("There is no such allocation line.")
    locked(Allocation, line.allocation_id)
    allocation = _approved_allocation_of(line)
    if line.paid <= 0:
        raise ServiceError("Nothing is paid on this line: the amount is carried forward.")
    done = _existing_payout(line.id)
    if done is not None:
        raise ServiceError(
            f"This dividend was already paid ({PAYOUT_METHODS[done.method].lower()}, "
            f"{format_plain(done.amount)}); a dividend is paid once."
        )
    at = now or utcnow()
    payout = _pay(line, allocation.period.name, method, actor, at)
    audit.record(
        "dividend.paid",
        actor,
        target=f"member:{line.member_id}",
        details={"allocation": allocation.id, "line": line.id, "method": method, "amount": line.paid},
        now=at,
    )
    _commit_payouts()
    return payout


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="each dividend paid once (allocation row locked, then a unique payout per line)",
)
def pay_remaining(allocation_id: int, method: str, actor: Actor, now: datetime | None = None) -> int:
    """Pay every line of an approved allocation not yet paid, all the same way (audited; one
    transaction). Returns how many were paid.

    Rule: the allocation's row is locked before the unpaid lines are read, so a payout made at
    the same moment is seen and never paid again."""
    _check_method(method)
    allocation = locked(Allocation, allocation_id)
    if allocation is None:
        raise NotFound("There is no such allocation.")
    if allocation.status != "approved":
        raise ServiceError("Dividends are paid only from an approved allocation.")
    unpaid = list(
        db.session.scalars(
            select(AllocationLine)
            .outerjoin(Payout, Payout.line_id == AllocationLine.id)
            .where(
                AllocationLine.allocation_id == allocation.id, AllocationLine.paid > 0, Payout.id.is_(None)
            )
            .order_by(AllocationLine.id)
        )
    )
    if not unpaid:
        raise ServiceError("Every dividend of this allocation has already been paid.")
    at = now or utcnow()
    for line in unpaid:
        _pay(line, allocation.period.name, method, actor, at)
    audit.record(
        "dividend.paid_in_bulk",
        actor,
        target=f"allocation:{allocation.id}",
        details={
            "method": method,
            "count": len(unpaid),
            "amount": sum(line.paid for line in unpaid),
            "lines": [line.id for line in unpaid],
        },
        now=at,
    )
    _commit_payouts()
    return len(unpaid)


@race_safe(Mechanism.UNIQUE_KEY, guards="a dividend is paid once (unique payout per line)")
def _commit_payouts() -> None:
    try:
        db.session.commit()
    except IntegrityError as clash:
        db.session.rollback()
        raise ServiceError(
            "Another admin recorded this payout at the same moment; a dividend is paid once."
        ) from clash
